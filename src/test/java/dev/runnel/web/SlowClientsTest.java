package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import dev.runnel.protocol.SseEvent;
import dev.runnel.stream.EventStream;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RawStream;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that stop reading never slow the others down: they are evicted within the queue bound
 * (or the write timeout), the readers get every event, and an evicted client resumes from the log.
 */
class SlowClientsTest {
    private static final int READERS = 50;
    private static final int STALLED = 5;
    private static final long QUEUE_BYTES = 64 * 1024;
    private static final int WINDOW = 8;
    private static final int MAX_EVENTS = 20_000;
    private static final String PAYLOAD = "x".repeat(4096);

    @Test
    void fiveStalledOfFiftyFiveAreEvictedWhileFiftyGetEveryEventAndAnEvictedOneResumesWithoutLoss() throws Exception {
        try (TestServer server = TestServer.start("runnel.stream.queueBytes", String.valueOf(QUEUE_BYTES),
                "runnel.log.size", "50000")) {
            List<EventRecorder> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                EventRecorder r = server.subscribe("busy");
                r.connected();
                readers.add(r);
            }
            List<RawStream> stalled = new ArrayList<>();
            for (int i = 0; i < STALLED; i++) {
                stalled.add(RawStream.open(server.port(), "/events?topic=busy", 1024));
            }
            Eventually.await(Duration.ofSeconds(10), "all streams open",
                    () -> server.runnel().streams().size() == READERS + STALLED);

            Hub hub = server.runnel().hub();
            List<String> ids = new ArrayList<>();
            long maxQueued = 0;
            int received = 0;
            while (server.runnel().metrics().evictions() < STALLED && ids.size() < MAX_EVENTS) {
                ids.add(server.publishDirect(Publication.of("busy", null, ids.size() + ":" + PAYLOAD)));
                if (ids.size() % 16 == 0) {
                    for (EventStream s : server.runnel().streams().snapshot()) {
                        maxQueued = Math.max(maxQueued, s.queuedBytes());
                    }
                }
                // Readers stay within a few events of the head: a reader is never the one evicted.
                if (ids.size() - received > WINDOW) {
                    takeFromAll(readers, received++);
                }
            }
            assertEquals(STALLED, server.runnel().metrics().evictions(), "evicted after " + ids.size() + " events");
            assertTrue(maxQueued <= QUEUE_BYTES, "a queue held " + maxQueued + " bytes");
            // The readers carry on: more events, then everything published, in order, with no gap.
            for (int i = 0; i < 100; i++) {
                ids.add(server.publishDirect(Publication.of("busy", null, ids.size() + ":" + PAYLOAD)));
                if (ids.size() - received > WINDOW) {
                    takeFromAll(readers, received++);
                }
            }
            while (received < ids.size()) {
                takeFromAll(readers, received++);
            }
            for (EventRecorder r : readers) {
                r.assertNoMoreEvents(Duration.ofMillis(5));
                assertEquals(ids.get(ids.size() - 1), r.lastEventId());
            }
            assertEquals(READERS, server.runnel().streams().size());
            assertEquals(READERS, server.runnel().hub().subscriptionCount());
            System.out.printf("slow clients: %d events of %d bytes until %d evictions; largest queue %d bytes%n",
                    ids.size(), PAYLOAD.length(), STALLED, maxQueued);

            // An evicted client reads what reached it — a gap-free prefix — and resumes from its last id.
            RawStream.Parsed got = stalled.get(0).drainToEnd(Duration.ofSeconds(10)).parse();
            List<SseEvent> prefix = got.published();
            for (int i = 0; i < prefix.size(); i++) {
                assertEquals(ids.get(i), prefix.get(i).id());
            }
            int from = prefix.size();
            System.out.printf("an evicted client had %d events; it resumes from %s%n", from, got.lastEventId);
            try (EventRecorder resumed = server.resume(got.lastEventId.isEmpty() ? null : got.lastEventId, "busy")) {
                resumed.connected();
                for (int i = from; i < ids.size(); i++) {
                    SseEvent e = resumed.next();
                    assertEquals(ids.get(i), e.id());
                    assertEquals(i + ":" + PAYLOAD, e.data());
                }
                resumed.assertNoMoreEvents(Duration.ofMillis(50));
            }
            for (RawStream s : stalled) {
                s.close();
            }
            readers.forEach(EventRecorder::close);
        }
    }

    private static void takeFromAll(List<EventRecorder> readers, int index) {
        for (EventRecorder r : readers) {
            assertEquals(index + ":" + PAYLOAD, r.next().data());
        }
    }
}
