package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.SharedLogChecker;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults across nodes on a real {@code redis-server} of the test's own: Redis killed ({@code SIGKILL})
 * while a publisher runs and restarted with its data; Redis that comes back empty or is flushed
 * ({@link NodeKilledTest} kills a node). {@link SharedLogChecker} compares what every client received
 * with {@code XRANGE}. Skipped with the reason when {@code redis-server} is missing (failed under
 * {@code RUNNEL_REQUIRE_ALL=true}).
 */
class RedisFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PREFIX = "faults";

    private final List<TestServer> nodes = new ArrayList<>();
    private RedisServer redis;

    @AfterEach
    void stop() throws Exception {
        for (TestServer node : nodes) {
            node.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void redisKilledMidStreamAndRestartedWithItsDataLosesNothingAcceptedAndStreamsCarryOnWithoutDuplicates()
            throws Exception {
        redis = RedisServer.start(RedisServer.Persistence.AOF);
        startNodes(2);
        List<EventRecorder> streams = subscribeOnEveryNode("news");
        List<String> accepted;
        try (Publisher publisher = new Publisher(nodes, "news")) {
            publisher.awaitAccepted(10);
            redis.kill();
            for (TestServer node : nodes) {
                node.api().awaitStats("the node lost Redis", s -> !s.get("ready").getAsBoolean(), WAIT);
            }
            publisher.awaitUnavailable(); // the publisher keeps going: 503s while Redis is away
            int acceptedWhileAway = publisher.accepted.size();

            redis.restart();
            awaitReady();
            publisher.awaitAccepted(acceptedWhileAway + 10);
            publisher.close();
            accepted = publisher.accepted;
        }

        SharedLogChecker log = SharedLogChecker.read(redis, PREFIX);
        log.checkAcknowledged(accepted);
        List<SharedLogChecker.Entry> entries = log.of(List.of("news"));
        assertEquals(entries.size(), entries.stream().map(SharedLogChecker.Entry::data).distinct().count(),
                "no publish is logged twice (each carries its own data)");
        List<String> logged = entries.stream().map(SharedLogChecker.Entry::id).toList();
        for (int n = 0; n < streams.size(); n++) {
            EventRecorder stream = streams.get(n);
            List<SseEvent> received = stream.next(logged.size());
            assertEquals(logged, received.stream().map(SseEvent::id).toList(),
                    "node " + n + ": every logged event once, in the log's order, no reset");
            log.checkReceived("node " + n, received, Set.of("news"));
            stream.assertNoMoreEvents(Duration.ofMillis(200));
            assertFalse(stream.isEnded(), "node " + n + ": the stream stayed open across the outage");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"restarted-empty", "flushed"})
    void redisThatLostItsDataMovesEveryStreamToANewEpochWithResetUnknownEpoch(String loss) throws Exception {
        redis = RedisServer.start(RedisServer.Persistence.NONE);
        startNodes(2);
        List<EventRecorder> streams = subscribeOnEveryNode("news");
        String before = nodes.get(0).api().publish("news", null, "before");
        for (EventRecorder stream : streams) {
            assertEquals(before, stream.next(WAIT).id());
        }

        if (loss.equals("flushed")) {
            redis.flush();
        } else {
            redis.kill();
            redis.restartWiped();
        }
        // Each node notices on its own and closes its streams; the clients come back with their ids.
        for (EventRecorder stream : streams) {
            stream.awaitEnd(WAIT);
            assertEquals(List.of(), stream.drainReceived(), "nothing of another epoch reached the stream");
        }
        awaitReady();
        for (int n = 0; n < nodes.size(); n++) {
            TestServer other = nodes.get((n + 1) % nodes.size());
            try (EventRecorder back = other.resume(before, "news")) {
                back.connected();
                SseEvent reset = back.next(WAIT);
                assertEquals("reset", reset.event(), "never a silent skip: " + reset);
                assertEquals("unknown-epoch", JsonParser.parseString(reset.data()).getAsJsonObject()
                        .get("reason").getAsString());
                String after = nodes.get(n).api().publish("news", null, "after " + n);
                SseEvent live = back.next(WAIT);
                assertEquals(after, live.id());
                assertNotEquals(epoch(before), epoch(after), "a new epoch");
                back.assertNoMoreEvents(Duration.ofMillis(200));
            }
        }
    }

    private void startNodes(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            nodes.add(TestServer.start("runnel.redis.url", redis.url(), "runnel.redis.prefix", PREFIX,
                    "runnel.heartbeat", "1s"));
        }
        awaitReady();
    }

    private void awaitReady() {
        for (TestServer node : nodes) {
            node.api().awaitStats("the node reached Redis", s -> s.get("ready").getAsBoolean(), WAIT);
        }
    }

    private List<EventRecorder> subscribeOnEveryNode(String topic) {
        List<EventRecorder> streams = new ArrayList<>();
        for (TestServer node : nodes) {
            EventRecorder stream = node.subscribe(topic);
            stream.connected();
            streams.add(stream);
        }
        return streams;
    }

    private static String epoch(String id) {
        return id.substring(0, id.lastIndexOf('-'));
    }

    /**
     * Publishes one event after another, round robin over some nodes, until closed: keeps the ids of
     * the {@code 200}s, counts the {@code 503}s, and fails on any other answer.
     *
     * <p>Threading: one thread of its own publishes; the test thread waits on it.
     */
    private static final class Publisher implements AutoCloseable {
        final List<String> accepted = new CopyOnWriteArrayList<>();
        private final Semaphore answers = new Semaphore(0);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile int unavailable;
        private final Thread thread;

        Publisher(List<TestServer> nodes, String topic) {
            thread = new Thread(() -> {
                try {
                    for (int i = 0; running.get(); i++) {
                        TestServer node = nodes.get(i % nodes.size());
                        ContentResponse r = node.postJson("/publish", "{\"topic\":\"" + topic + "\",\"data\":\"" + i + "\"}");
                        if (r.getStatus() == 200) {
                            accepted.add(JsonParser.parseString(r.getContentAsString()).getAsJsonObject()
                                    .get("id").getAsString());
                        } else if (r.getStatus() == 503) {
                            unavailable++;
                        } else {
                            throw new AssertionError("publish answered " + r.getStatus() + ": " + r.getContentAsString());
                        }
                        answers.release();
                    }
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                    answers.release(Integer.MAX_VALUE / 2);
                }
            }, "test-publisher");
            thread.start();
        }

        void awaitAccepted(int count) throws Exception {
            awaitAnswers(() -> accepted.size() >= count, count + " accepted publishes");
        }

        void awaitUnavailable() throws Exception {
            awaitAnswers(() -> unavailable > 0, "a 503 while Redis is away");
        }

        private void awaitAnswers(java.util.function.BooleanSupplier condition, String what) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!condition.getAsBoolean()) {
                if (done.isCompletedExceptionally()) {
                    done.get(); // throws what the publisher met
                }
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "no " + what + " within " + WAIT + " (accepted " + accepted.size()
                        + ", 503s " + unavailable + ")");
                answers.tryAcquire(left, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void close() throws Exception {
            if (running.getAndSet(false)) {
                done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
