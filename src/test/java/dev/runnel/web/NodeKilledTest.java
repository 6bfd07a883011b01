package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.ChildNode;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.SharedLogChecker;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A node killed with {@code kill -9} mid-stream, for real: a {@link ChildNode} (a JVM of its own) on
 * a real {@code redis-server} with a node of the test's JVM, the child holding the stock ticker's
 * lease, serving streams and taking publishes when it gets {@code SIGKILL}. Its clients resume on the
 * other node with their {@code Last-Event-ID} and, across both connections, have every logged event
 * once, in the log's order, without a {@code reset}; the publishes it had in flight failed at their
 * client and, sent again with their {@code Idempotency-Key} to the other node, are logged exactly once;
 * the other node takes the ticker's lease over once the dead node's runs out. {@link SharedLogChecker}
 * compares with {@code XRANGE}. Skipped with the reason when {@code redis-server} is missing (failed
 * under {@code RUNNEL_REQUIRE_ALL=true}).
 */
class NodeKilledTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PREFIX = "killed";
    private static final String LEASE = PREFIX + ":lease:stocks";
    private static final Duration LEASE_TTL = Duration.ofSeconds(3);
    private static final String[] SETTINGS = {"runnel.stocks.enabled", "true", "runnel.stocks.interval", "200ms",
        "runnel.stocks.symbols", "ACME", "runnel.redis.leaseTtl", LEASE_TTL.toMillis() + "ms"};

    private RedisServer redis;
    private Jedis jedis;
    private ChildNode doomed;
    private TestServer survivor;

    @AfterEach
    void stop() throws Exception {
        try {
            if (doomed != null) {
                doomed.close();
            }
        } finally {
            if (survivor != null) {
                survivor.close();
            }
            if (jedis != null) {
                jedis.close();
            }
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    void aNodeKilledMidStreamLeavesItsClientsToResumeOnAnotherNodeWithEveryLoggedEventOnceInOrder() throws Exception {
        redis = RedisServer.start(RedisServer.Persistence.NONE);
        jedis = new Jedis("127.0.0.1", redis.port());
        doomed = ChildNode.start(redis, PREFIX, SETTINGS);
        Eventually.await(WAIT, "the child node takes the ticker's lease", () -> doomed.nodeId().equals(jedis.get(LEASE)));
        survivor = TestServer.startNode(redis, PREFIX, SETTINGS); // after: the lease stays with the child

        List<EventRecorder> first = new ArrayList<>();
        List<List<SseEvent>> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // Subscribed before the publishers start, so that each client is owed every entry of the log.
            EventRecorder stream = doomed.api().subscribe("news");
            stream.connected();
            first.add(stream);
            clients.add(new ArrayList<>());
        }
        List<EventRecorder> resumed = new ArrayList<>();
        // One publish after another on the survivor; eight at a time on the doomed node, every third
        // of them without an Idempotency-Key.
        PublishWindow steady = new PublishWindow(survivor.api(), "a", 1, i -> false);
        PublishWindow inFlight = new PublishWindow(doomed.api(), "b", 8, i -> i % 3 != 2);
        long killed;
        String holderAfterKill;
        long leaseLeft;
        try (steady; inFlight) {
            steady.awaitAccepted(10);
            inFlight.awaitAccepted(30);
            for (int i = 0; i < first.size(); i++) {
                clients.get(i).addAll(first.get(i).next(10));
            }

            assertEquals(doomed.nodeId(), jedis.get(LEASE), "the node to be killed holds the ticker's lease");
            int exit = doomed.kill();
            killed = System.nanoTime();
            assertEquals(128 + 9, exit, "the node ended by SIGKILL");
            holderAfterKill = jedis.get(LEASE);
            leaseLeft = jedis.pttl(LEASE);

            for (int i = 0; i < first.size(); i++) {
                resumed.add(resumeOnSurvivor(first.get(i), clients.get(i)));
            }
            inFlight.awaitSettled();
            assertFalse(inFlight.failed.isEmpty(), "some publishes were in flight on the killed node");
            for (PublishWindow.Sent sent : inFlight.failed) {
                if (sent.key() != null) {
                    inFlight.accepted.put(sent.data(), retry(sent));
                }
            }
            steady.awaitAccepted(steady.accepted.size() + 10);
        }
        awaitTakeover(killed, holderAfterKill, leaseLeft);

        SharedLogChecker log = SharedLogChecker.read(redis, PREFIX);
        List<SharedLogChecker.Entry> news = log.of(List.of("news"));
        checkLogged(news, steady, inFlight);
        List<String> logged = news.stream().map(SharedLogChecker.Entry::id).toList();
        String last = logged.get(logged.size() - 1);
        for (int i = 0; i < resumed.size(); i++) {
            List<SseEvent> received = clients.get(i);
            try (EventRecorder back = resumed.get(i)) {
                for (SseEvent e = back.next(WAIT); ; e = back.next(WAIT)) {
                    received.add(e);
                    if (e.id().equals(last)) {
                        break;
                    }
                }
                back.assertNoMoreEvents(Duration.ofMillis(200));
            }
            assertFalse(received.stream().anyMatch(e -> "reset".equals(e.event())), "client " + i + ": no reset");
            log.checkReceived("client " + i + " across the killed node", received, Set.of("news"));
            assertEquals(logged, received.stream().map(SseEvent::id).toList(),
                    "client " + i + ": every logged event once, in the log's order");
        }
    }

    @Test
    void aChildNodeStopsOnItsOwnWhenTheTestLetsItGo() throws Exception {
        redis = RedisServer.start(RedisServer.Persistence.NONE);
        doomed = ChildNode.start(redis, PREFIX);
        ProcessHandle process = ProcessHandle.of(doomed.pid()).orElseThrow();
        doomed.close(); // closes its stdin, as the test JVM's end would
        assertFalse(process.isAlive(), "the child node ended");
        assertEquals(0, doomed.exitValue(), "it stopped by itself rather than being killed:\n" + doomed.log());
    }

    /** What a browser does when its node dies: keeps what arrived, reconnects elsewhere with the last id. */
    private EventRecorder resumeOnSurvivor(EventRecorder stream, List<SseEvent> received) {
        stream.awaitEnd(WAIT); // the kernel closed the dead node's sockets
        received.addAll(stream.drainReceived());
        String cursor = stream.lastEventId();
        assertEquals(received.get(received.size() - 1).id(), cursor, "the cursor is the last event received");
        EventRecorder back = survivor.api().resume(cursor, "news");
        back.connected();
        return back;
    }

    /** Sends a publish that failed at its client again, with its key, to the survivor; returns its id. */
    private String retry(PublishWindow.Sent sent) throws Exception {
        ContentResponse r = survivor.postJson("/publish", PublishWindow.body(sent.data()), "Idempotency-Key", sent.key());
        assertEquals(200, r.getStatus(), r.getContentAsString());
        return JsonParser.parseString(r.getContentAsString()).getAsJsonObject().get("id").getAsString();
    }

    /**
     * The dead node's lease runs out within its ttl (nobody gives it back); the survivor, asking every
     * third of the ttl, takes it then and ticks.
     */
    private void awaitTakeover(long killedNanos, String holderAfterKill, long leaseLeftMillis) throws Exception {
        assertTrue(holderAfterKill == null || holderAfterKill.equals(doomed.nodeId()), "held by " + holderAfterKill);
        assertTrue(leaseLeftMillis <= LEASE_TTL.toMillis(), "the dead node's lease ends within the ttl: "
                + leaseLeftMillis + " ms left");
        String survivorId = survivor.runnel().nodeId();
        Eventually.await(WAIT, "the survivor takes the ticker's lease over", () -> survivorId.equals(jedis.get(LEASE)));
        System.out.printf("lease taken over %d ms after the kill (ttl %d ms, %d ms left at the kill)%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos), LEASE_TTL.toMillis(), leaseLeftMillis);
        int prices = SharedLogChecker.read(redis, PREFIX).of(List.of("stocks")).size();
        Eventually.await(WAIT, "the survivor ticks",
                () -> SharedLogChecker.read(redis, PREFIX).of(List.of("stocks")).size() > prices);
    }

    /**
     * Nothing logged twice; every {@code 200} (the killed node's, the retries', the survivor's) names its
     * own event; a publish that failed at the client is logged once when it was sent again with its
     * key, at most once when it had none.
     */
    private static void checkLogged(List<SharedLogChecker.Entry> news, PublishWindow steady, PublishWindow inFlight) {
        Map<String, String> loggedData = new HashMap<>();
        Map<String, Integer> timesLogged = new HashMap<>();
        for (SharedLogChecker.Entry e : news) {
            loggedData.put(e.id(), e.data());
            timesLogged.merge(e.data(), 1, Integer::sum);
        }
        assertEquals(news.size(), timesLogged.size(), "no publish is logged twice");
        assertEquals(List.of(), steady.failed, "the survivor answered every publish");
        Map<String, String> accepted = new HashMap<>(steady.accepted);
        accepted.putAll(inFlight.accepted);
        accepted.forEach((data, id) -> assertEquals(data, loggedData.get(id), "accepted " + data + " as " + id));
        int unkeyedLogged = 0;
        for (PublishWindow.Sent sent : inFlight.failed) {
            int times = timesLogged.getOrDefault(sent.data(), 0);
            if (sent.key() != null) {
                assertEquals(1, times, sent + ": failed at the client, sent again with its key: logged once");
            } else {
                assertTrue(times <= 1, sent + ": failed at the client, never sent again: logged at most once");
                unkeyedLogged += times;
            }
        }
        System.out.printf("accepted %d; failed at the client on the kill %d (%d without a key, %d of those logged)%n",
                accepted.size(), inFlight.failed.size(), inFlight.failed.stream().filter(s -> s.key() == null).count(),
                unkeyedLogged);
    }
}
