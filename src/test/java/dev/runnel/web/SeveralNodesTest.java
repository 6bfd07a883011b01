package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Feed;
import dev.runnel.testing.Transports;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.SharedLogChecker;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three nodes (embedded Jetty each) on one real {@code redis-server}, as behind a load balancer without
 * sticky sessions: whichever node takes a publish, every subscriber on every node receives each event
 * of its topics exactly once, in one order that is the same everywhere and is the log's
 * ({@link SharedLogChecker} compares with {@code XRANGE}); a client resumes on another node; state
 * values and finite ends are shared. Skipped with the reason when {@code redis-server} is missing
 * (failed under {@code RUNNEL_REQUIRE_ALL=true}).
 */
class SeveralNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private RedisServer redis;
    private String prefix;
    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.shared();
        prefix = RedisServer.freshPrefix();
        for (int i = 0; i < 3; i++) {
            nodes.add(TestServer.startNode(redis, prefix, "runnel.topics.state", "prices", "runnel.topics.finite", "tasks/"));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (TestServer node : nodes) {
            node.close();
        }
    }

    @Test
    void publishesOnAnyNodeReachEverySubscriberOnEveryNodeOnceInTheLogsOrder() throws Exception {
        List<EventRecorder> streams = new ArrayList<>();
        for (TestServer node : nodes) {
            EventRecorder stream = node.subscribe("news", "sport");
            stream.connected();
            streams.add(stream);
        }
        List<String> acknowledged = new ArrayList<>();
        int count = 60;
        for (int i = 0; i < count; i++) {
            TestServer node = nodes.get(i % 3);
            acknowledged.add(node.api().publish(i % 2 == 0 ? "news" : "sport", null, "e" + i));
        }

        SharedLogChecker log = SharedLogChecker.read(redis, prefix);
        log.checkAcknowledged(acknowledged);
        List<String> order = null;
        for (int n = 0; n < 3; n++) {
            List<SseEvent> received = streams.get(n).next(count);
            log.checkReceived("node " + n, received, Set.of("news", "sport"));
            List<String> ids = received.stream().map(SseEvent::id).toList();
            if (order == null) {
                order = ids;
            } else {
                assertEquals(order, ids, "one order on every node");
            }
            assertEquals(acknowledged, ids, "the publishes went one after another: the log keeps their order");
            streams.get(n).assertNoMoreEvents(Duration.ofMillis(200));
            streams.get(n).close();
        }
    }

    @ParameterizedTest
    @EnumSource(Transports.class)
    void everyTransportOnEveryNodeFollowsTheSharedLogAndResumesOnAnotherNode(Transports transport) throws Exception {
        String topic = "t/" + transport.name().toLowerCase(java.util.Locale.ROOT);
        String cursor;
        List<String> published = new ArrayList<>();
        try (Feed onC = transport.open(nodes.get(2), List.of(topic), null).awaitJoined()) {
            published.add(nodes.get(0).api().publish(topic, null, "a"));
            published.add(nodes.get(1).api().publish(topic, null, "b"));
            List<Feed.Item> got = onC.next(2);
            assertEquals(published, got.stream().map(Feed.Item::id).toList());
            cursor = onC.cursor();
        }
        String missed = nodes.get(2).api().publish(topic, null, "c");
        try (Feed onA = transport.open(nodes.get(0), List.of(topic), cursor).awaitJoined()) {
            Feed.Item resumed = onA.next();
            assertEquals(missed, resumed.id(), "resumed on another node with what it missed");
            assertEquals("c", resumed.data());
        }
    }

    @Test
    void aClientResumesOnAnotherNodeWithExactlyWhatItMissed() throws Exception {
        List<SseEvent> client = new ArrayList<>();
        String before;
        try (EventRecorder onA = nodes.get(0).subscribe("news")) {
            onA.connected();
            for (int i = 0; i < 5; i++) {
                nodes.get(1).api().publish("news", null, "a" + i);
            }
            client.addAll(onA.next(5));
            before = client.get(client.size() - 1).id();
        }
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            missed.add(nodes.get(i % 3).api().publish("news", null, "b" + i));
            nodes.get(i % 3).api().publish("other", null, "not for this client");
        }

        try (EventRecorder onC = nodes.get(2).resume(before, "news")) {
            onC.connected();
            List<SseEvent> replayed = onC.next(5);
            assertEquals(missed, replayed.stream().map(SseEvent::id).toList());
            client.addAll(replayed);
            String live = nodes.get(0).api().publish("news", null, "live");
            SseEvent liveEvent = onC.next();
            assertEquals(live, liveEvent.id());
            client.add(liveEvent);
            onC.assertNoMoreEvents(Duration.ofMillis(200));
        }
        SharedLogChecker.read(redis, prefix).checkReceived("the client across nodes", client, Set.of("news"));
    }

    @Test
    void stateValuesPublishedOnOneNodeAreTheSnapshotOnAnother() throws Exception {
        publishJson(nodes.get(0), "{\"topic\":\"prices\",\"key\":\"AAPL\",\"data\":\"1\"}", 200);
        publishJson(nodes.get(1), "{\"topic\":\"prices\",\"key\":\"MSFT\",\"data\":\"7\"}", 200);
        publishJson(nodes.get(0), "{\"topic\":\"prices\",\"key\":\"AAPL\",\"data\":\"2\"}", 200);

        try (EventRecorder onC = nodes.get(2).subscribe("prices")) {
            onC.connected();
            List<SseEvent> snapshot = onC.next(2);
            assertEquals(List.of("7", "2"), snapshot.stream().map(SseEvent::data).toList(),
                    "the latest value per key, in log order");
            String live = publishJson(nodes.get(1), "{\"topic\":\"prices\",\"key\":\"AAPL\",\"data\":\"3\"}", 200);
            assertEquals(live, onC.next().id());
        }
    }

    @Test
    void aFiniteTopicsEndIsSharedA409OnEveryNodeAfterItAndA204ForAReconnectAtTheEnd() throws Exception {
        nodes.get(0).api().publish("tasks/1", "progress", "50");
        String end = nodes.get(1).api().publishFinal("tasks/1", "done", "100");

        for (TestServer node : nodes) {
            ContentResponse after = node.postJson("/publish", "{\"topic\":\"tasks/1\",\"data\":\"late\"}");
            assertEquals(409, after.getStatus(), after.getContentAsString());
            assertEquals("topic-ended", json(after).get("error").getAsString());
            try (EventRecorder atEnd = node.resume(end, "tasks/1")) {
                assertEquals(204, atEnd.status(), "EventSource stops for good on every node");
            }
        }
    }

    @Test
    void aPublishRetriedOnAnotherNodeWithItsIdempotencyKeyIsLoggedOnce() throws Exception {
        String body = "{\"topic\":\"news\",\"data\":\"once\"}";
        String first = publishJson(nodes.get(0), body, "Idempotency-Key", "k-1");
        String retried = publishJson(nodes.get(1), body, "Idempotency-Key", "k-1");

        assertEquals(first, retried);
        assertEquals(1, SharedLogChecker.read(redis, prefix).of(List.of("news")).size());
    }

    @Test
    void eventIdsAreGlobalAndKeepTheirEpochWhenANodeIsReplaced() throws Exception {
        String id = nodes.get(0).api().publish("news", null, "x");
        nodes.remove(0).close();
        TestServer replacement = TestServer.start("runnel.redis.url", redis.url(), "runnel.redis.prefix", prefix);
        nodes.add(replacement);
        replacement.api().awaitStats("the node reached Redis", s -> s.get("ready").getAsBoolean(), WAIT);
        String next = nodes.get(0).api().publish("news", null, "y");

        assertEquals(epoch(id), epoch(next), "the epoch is the log's, not a node's");
        assertNotEquals(id, next);
        try (EventRecorder resumed = replacement.resume(id, "news")) {
            resumed.connected();
            SseEvent e = resumed.next();
            assertEquals(next, e.id(), "resumed on the new node without a reset");
            assertEquals("y", e.data());
        }
    }

    private static String epoch(String id) {
        return id.substring(0, id.lastIndexOf('-'));
    }

    private static String publishJson(TestServer node, String json, int status) throws Exception {
        ContentResponse response = node.postJson("/publish", json);
        assertEquals(status, response.getStatus(), response.getContentAsString());
        return json(response).get("id").getAsString();
    }

    private static String publishJson(TestServer node, String json, String... headers) throws Exception {
        ContentResponse response = node.postJson("/publish", json, headers);
        assertEquals(200, response.getStatus(), response.getContentAsString());
        return json(response).get("id").getAsString();
    }

    private static JsonObject json(ContentResponse response) {
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }
}
