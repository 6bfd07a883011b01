package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LifetimeTest {

    @Test
    void streamsEndAfterTheirJitteredLifetimeAndResumeWithoutLoss() throws Exception {
        try (TestServer server = TestServer.start("runnel.stream.maxLifetime", "150ms", "runnel.heartbeat", "40ms")) {
            Resuming client = new Resuming(server, "life");
            int published = 0;
            // Publish in small bursts and read each back, across as many reconnections as it takes.
            while (client.reconnects < 3 && published < 1_000_000) {
                for (int i = 0; i < 5; i++) {
                    server.publishDirect("life", null, String.valueOf(published + i));
                }
                for (int i = 0; i < 5; i++) {
                    assertEquals(String.valueOf(published + i), client.next().data(), "after " + client.reconnects
                            + " reconnections");
                }
                published += 5;
            }
            assertTrue(client.reconnects >= 3, "reconnections " + client.reconnects);
            assertTrue(server.runnel().metrics().deadlines() >= 3);
            client.current.close();
        }
    }

    @Test
    void lifetimesAreSpreadOverTheTopFifthOfTheMaximum() {
        Runnel runnel = new Runnel(Settings.fromMap(Map.of("runnel.stream.maxLifetime", "10s")));
        try {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                long nanos = runnel.jitteredLifetimeNanos();
                assertTrue(nanos >= 8_000_000_000L && nanos <= 10_000_000_000L, String.valueOf(nanos));
                seen.add(nanos / 100_000_000L);
            }
            assertTrue(seen.size() > 5, "lifetimes spread over " + seen);
        } finally {
            runnel.close();
        }
        Runnel unlimited = new Runnel(Settings.fromMap(Map.of()));
        try {
            assertEquals(0, unlimited.jitteredLifetimeNanos());
        } finally {
            unlimited.close();
        }
    }

    /** What EventSource does: when the response ends, reconnect with the last event id. */
    static final class Resuming {
        final TestServer server;
        final String topic;
        EventRecorder current;
        int reconnects;

        Resuming(TestServer server, String topic) {
            this.server = server;
            this.topic = topic;
            this.current = server.subscribe(topic);
            current.connected(); // subscribed: what is published from now on is this client's to receive
        }

        SseEvent next() {
            for (;;) {
                SseEvent e = current.nextOrEnd(EventRecorder.TIMEOUT);
                if (e == null) {
                    assertEquals(200, current.status(), "reconnection " + reconnects);
                    assertEquals(2, current.retries().size(), "a final retry: before each end");
                    String last = current.lastEventId();
                    assertTrue(reconnects < 1000, "reconnecting without progress");
                    current = server.resume(last.isEmpty() ? null : last, topic);
                    reconnects++;
                } else if (!e.event().equals("connected")) {
                    return e;
                }
            }
        }
    }
}
