package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.TestServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlowConsumerTest {
    private static final int MAX_EVENTS = 10_000;
    private static final int WINDOW = 8;

    @Test
    void clientThatStopsReadingIsEvictedWhileAnotherKeepsReceivingEverything() throws Exception {
        try (TestServer server = TestServer.start("runnel.stream.queueBytes", "64KiB");
                EventRecorder good = server.subscribe("busy");
                Socket stalled = new Socket()) {
            good.connected();
            stalled.setReceiveBufferSize(1024);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = stalled.getOutputStream();
            out.write(("GET /events?topic=busy HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Eventually.await(Duration.ofSeconds(5), "both streams open",
                    () -> server.runnel().streams().size() == 2);

            Hub hub = server.runnel().hub();
            String payload = "x".repeat(4096);
            int published = 0;
            int received = 0;
            int afterEviction = 0;
            while (afterEviction < 20 && published < MAX_EVENTS) {
                hub.publish(Publication.of("busy", null, published + ":" + payload));
                published++;
                if (server.runnel().metrics().evictions() > 0) {
                    afterEviction++;
                }
                // Keep the reading subscriber's own queue short: it must never be the one evicted.
                if (published - received > WINDOW) {
                    assertEquals(received + ":" + payload, good.next().data());
                    received++;
                }
            }
            assertEquals(1, server.runnel().metrics().evictions(), "the stalled client was evicted");
            while (received < published) {
                assertEquals(received + ":" + payload, good.next().data());
                received++;
            }
            good.assertNoMoreEvents(Duration.ofMillis(100));
            assertEquals(1, server.runnel().streams().size());
            assertEquals(1, server.runnel().hub().subscriptionCount());
            assertTrue(published > 20, "published " + published);
        }
    }
}
