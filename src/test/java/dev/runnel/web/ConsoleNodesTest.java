package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TcpProxy;
import dev.runnel.testing.TestServer;
import dev.runnel.web.ops.ConsoleFeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin console's list of nodes, as its feed sends it: alone, a node lists itself; two nodes of
 * one real {@code redis-server} each list both, with what each says of itself; a node that stops
 * leaves the other's list at once, and one that loses Redis (as when it dies) once its ttl has run
 * out. Skipped with the reason when {@code redis-server} is missing (failed under
 * {@code RUNNEL_REQUIRE_ALL=true}), except for the node alone.
 */
class ConsoleNodesTest {
    /** The console samples once a second; the machine may be loaded. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TTL = "1500ms";
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void aNodeAloneListsItself() throws Exception {
        TestServer node = open(TestServer.start());
        try (EventRecorder console = console(node)) {
            JsonObject sample = sampleOf(console, node, s -> true);
            assertEquals(1, sample.getAsJsonArray("nodes").size(), sample.toString());
            JsonObject self = nodes(sample).get(node.runnel().nodeId());
            assertTrue(self.get("self").getAsBoolean());
            assertEquals("memory", self.get("log").getAsString());
            assertTrue(self.get("tailLag").isJsonNull(), "no shared log, no tail: " + self);
            assertEquals(1, self.getAsJsonObject("streams").get("sse").getAsInt(), "the console's own stream: " + self);
        }
    }

    @Test
    void twoNodesOfOneRedisEachListBoth() throws Exception {
        RedisServer redis = RedisServer.shared();
        String prefix = RedisServer.freshPrefix();
        TestServer a = open(TestServer.startNode(redis, prefix, "runnel.redis.leaseTtl", TTL));
        TestServer b = open(TestServer.startNode(redis, prefix, "runnel.redis.leaseTtl", TTL));
        String idA = a.runnel().nodeId();
        String idB = b.runnel().nodeId();
        try (EventRecorder onA = console(a); EventRecorder onB = console(b)) {
            JsonObject sample = sampleOf(onA, a, s -> nodes(s).containsKey(idB));
            Map<String, JsonObject> listed = nodes(sample);
            assertEquals(2, listed.size(), sample.toString());
            assertTrue(listed.get(idA).get("self").getAsBoolean());
            JsonObject other = listed.get(idB);
            assertTrue(!other.has("self"), other.toString());
            assertEquals("redis", other.get("log").getAsString());
            assertEquals(b.runnel().version(), other.get("version").getAsString());
            assertEquals("/", other.get("context").getAsString());
            assertEquals(b.runnel().hub().epoch(), other.get("epoch").getAsString(), "one epoch for the log they share");
            for (String field : List.of("started", "uptimeSeconds", "subscriptions", "tailLag", "heapUsed", "threads")) {
                assertTrue(other.has(field) && !other.get(field).isJsonNull(), field + " in " + other);
            }
            assertTrue(other.getAsJsonObject("rates").has("published") && other.getAsJsonObject("rates").has("delivered"));
            assertTrue(other.getAsJsonObject("streams").keySet().containsAll(List.of("sse", "ws", "poll")), other.toString());
            double lastSeen = other.get("lastSeenSeconds").getAsDouble();
            assertTrue(lastSeen >= 0 && lastSeen <= 1.5, "never a card older than the ttl: " + other);
            assertEquals(0, sample.get("nodesLeftOut").getAsLong());

            JsonObject seenFromB = sampleOf(onB, b, s -> nodes(s).containsKey(idA));
            assertEquals(2, nodes(seenFromB).size(), seenFromB.toString());
        }
    }

    @Test
    void aNodeThatStopsLeavesTheOtherNodesListAtOnce() throws Exception {
        RedisServer redis = RedisServer.shared();
        String prefix = RedisServer.freshPrefix();
        // A long ttl: only the stopping node's goodbye can take it off the list within the wait.
        TestServer a = open(TestServer.startNode(redis, prefix, "runnel.redis.leaseTtl", "10m"));
        TestServer b = TestServer.startNode(redis, prefix, "runnel.redis.leaseTtl", "10m");
        String idB = b.runnel().nodeId();
        try (EventRecorder onA = console(a)) {
            try {
                sampleOf(onA, a, s -> nodes(s).containsKey(idB));
            } finally {
                b.close();
            }
            JsonObject after = sampleOf(onA, a, s -> !nodes(s).containsKey(idB));
            assertEquals(List.of(a.runnel().nodeId()), List.copyOf(nodes(after).keySet()));
        }
    }

    @Test
    void aNodeThatLosesRedisLeavesTheOtherNodesListOnceItsTtlHasRunOut() throws Exception {
        RedisServer redis = RedisServer.shared();
        String prefix = RedisServer.freshPrefix();
        TcpProxy link = open(new TcpProxy(redis.port()));
        TestServer a = open(TestServer.startNode(redis, prefix, "runnel.redis.leaseTtl", TTL));
        TestServer b = open(TestServer.start("runnel.redis.url", "redis://127.0.0.1:" + link.port(),
                "runnel.redis.prefix", prefix, "runnel.redis.leaseTtl", TTL));
        String idB = b.runnel().nodeId();
        try (EventRecorder onA = console(a)) {
            sampleOf(onA, a, s -> nodes(s).containsKey(idB));
            link.close(); // b says nothing more, and cannot say goodbye: as if it died
            JsonObject after = sampleOf(onA, a, s -> !nodes(s).containsKey(idB));
            assertEquals(1, nodes(after).size(), after.toString());
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    /** The console's feed on {@code node}, with the admin credential, once it is open. */
    private static EventRecorder console(TestServer node) {
        EventRecorder feed = EventRecorder.open(node.client(), node.uri("/events?" + TestServer.query(ConsoleFeed.TOPIC)),
                null, "Authorization", "Bearer " + TestServer.ADMIN_SECRET);
        feed.connected();
        return feed;
    }

    /** The first sample {@code node} itself published that satisfies {@code condition}. */
    private static JsonObject sampleOf(EventRecorder feed, TestServer node, Predicate<JsonObject> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonObject last = null;
        while (System.nanoTime() < deadline) {
            SseEvent e = feed.next(WAIT);
            if (!ConsoleFeed.EVENT.equals(e.event())) {
                continue;
            }
            JsonObject sample = JsonParser.parseString(e.data()).getAsJsonObject();
            if (!node.runnel().nodeId().equals(sample.get("node").getAsString())) {
                continue; // another node's console is watched too: its samples share the topic
            }
            last = sample;
            if (condition.test(sample)) {
                return sample;
            }
        }
        throw new AssertionError("no such sample within " + WAIT + "; the last: " + last);
    }

    /** A sample's nodes by id. */
    private static Map<String, JsonObject> nodes(JsonObject sample) {
        Map<String, JsonObject> byId = new HashMap<>();
        for (JsonElement n : sample.getAsJsonArray("nodes")) {
            byId.put(n.getAsJsonObject().get("id").getAsString(), n.getAsJsonObject());
        }
        return byId;
    }
}
