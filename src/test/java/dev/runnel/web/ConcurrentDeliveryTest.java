package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * 8 publishers × 5,000 events over HTTP while 20 subscribers read, 8 of them joining midway with a
 * cursor: every subscriber must see every event after its starting point exactly once, in log order.
 */
class ConcurrentDeliveryTest {
    private static final int PUBLISHERS = 8;
    private static final int PER_PUBLISHER = 5_000;
    private static final int TOTAL = PUBLISHERS * PER_PUBLISHER;
    private static final int EARLY = 12;
    private static final int JOINERS = 8;
    private static final Pattern DATA = Pattern.compile("p(\\d)-(\\d+)");

    @Test
    void everySubscriberSeesEveryEventAfterItsStartExactlyOnceInLogOrder() throws Exception {
        try (TestServer server = TestServer.start("runnel.log.size", "100000")) {
            ExecutorService pool = Executors.newCachedThreadPool();
            try {
                List<Reader> readers = new CopyOnWriteArrayList<>();
                for (int i = 0; i < EARLY; i++) {
                    EventRecorder r = server.subscribe("load");
                    r.connected();
                    readers.add(new Reader(r, 0, pool));
                }
                Reader watched = readers.get(0);
                CountDownLatch go = new CountDownLatch(1);
                List<CompletableFuture<Void>> publishers = new ArrayList<>();
                for (int p = 0; p < PUBLISHERS; p++) {
                    int publisher = p;
                    publishers.add(CompletableFuture.runAsync(() -> publishAll(server, publisher, go), pool));
                }
                go.countDown();
                for (int j = 1; j <= JOINERS; j++) {
                    // Join at a cursor taken from what an early subscriber has seen so far.
                    SseEvent seen = watched.awaitCount(j * TOTAL / (JOINERS + 2));
                    EventRecorder r = server.resume(seen.id(), "load");
                    r.connected();
                    readers.add(new Reader(r, sequence(seen.id()), pool));
                }
                CompletableFuture.allOf(publishers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                for (Reader reader : readers) {
                    reader.done.get(60, TimeUnit.SECONDS);
                    reader.check();
                    reader.recorder.assertNoMoreEvents(Duration.ofMillis(50));
                    reader.recorder.close();
                }
                assertEquals(EARLY + JOINERS, readers.size());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void publishAll(TestServer server, int publisher, CountDownLatch go) {
        try {
            go.await();
            for (int n = 0; n < PER_PUBLISHER; n++) {
                server.publish("load", null, "p" + publisher + "-" + n);
            }
        } catch (Exception e) {
            throw new AssertionError("publisher " + publisher + " failed", e);
        }
    }

    static long sequence(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    /** Reads one subscriber's events on its own thread until it has all it should. */
    private static final class Reader {
        final EventRecorder recorder;
        final long startAfter;
        final List<SseEvent> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done;
        final ConcurrentHashMap<Integer, CountDownLatch> waits = new ConcurrentHashMap<>();

        Reader(EventRecorder recorder, long startAfter, ExecutorService pool) {
            this.recorder = recorder;
            this.startAfter = startAfter;
            this.done = CompletableFuture.runAsync(this::read, pool);
        }

        private void read() {
            long expected = TOTAL - startAfter;
            for (long i = 0; i < expected; i++) {
                events.add(recorder.next(Duration.ofSeconds(60)));
                int size = events.size();
                waits.forEach((count, latch) -> {
                    if (size >= count) {
                        latch.countDown();
                    }
                });
            }
        }

        SseEvent awaitCount(int count) throws InterruptedException {
            CountDownLatch latch = waits.computeIfAbsent(count, c -> new CountDownLatch(1));
            if (events.size() < count) {
                assertTrue(latch.await(60, TimeUnit.SECONDS), "reader did not reach " + count + " events");
            }
            return events.get(events.size() - 1);
        }

        void check() {
            long expectedSequence = startAfter + 1;
            int[] nextPerPublisher = new int[PUBLISHERS];
            for (SseEvent e : events) {
                assertEquals(expectedSequence, sequence(e.id()), "gap or duplicate after " + startAfter);
                expectedSequence++;
                Matcher m = DATA.matcher(e.data());
                assertTrue(m.matches(), "malformed data: " + e.data());
                int publisher = Integer.parseInt(m.group(1));
                int n = Integer.parseInt(m.group(2));
                assertTrue(n >= nextPerPublisher[publisher], "publisher " + publisher + " out of order");
                nextPerPublisher[publisher] = n + 1;
                assertEquals("message", e.event());
            }
            assertEquals(TOTAL + 1, expectedSequence);
        }
    }
}
