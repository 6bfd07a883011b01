package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RawStream;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WriteTimeoutTest {

    @Test
    void writeBlockedLongerThanTheTimeoutEvictsEvenWithRoomInTheQueue() throws Exception {
        try (TestServer server = TestServer.start("runnel.stream.writeTimeout", "500ms",
                "runnel.stream.queueBytes", "256MiB", "runnel.heartbeat", "100ms", "runnel.log.size", "2000");
                EventRecorder idle = server.subscribe("quiet");
                RawStream stalled = RawStream.open(server.port(), "/events?topic=firehose", 1024)) {
            idle.connected();
            Eventually.await(Duration.ofSeconds(5), "both open", () -> server.runnel().streams().size() == 2);
            // 16 MiB: more than the socket buffers hold (tcp_wmem caps at 4 MiB here), far less than the queue bound.
            Hub hub = server.runnel().hub();
            String payload = "y".repeat(16 * 1024);
            for (int i = 0; i < 1024; i++) {
                hub.publish(Publication.of("firehose", null, payload));
            }
            Eventually.await(Duration.ofSeconds(10), "the stalled stream evicted by its write timeout",
                    () -> server.stats().get("writeTimeouts").getAsInt() == 1);
            assertEquals(1, server.stats().get("evictions").getAsInt(), "by the timeout, not by the queue bound");
            assertEquals(1, server.runnel().streams().size());
            // A reader that is merely idle (heartbeats flow) is not touched by the timeout.
            server.publishDirect("quiet", null, "still here");
            assertEquals("still here", idle.next().data());
        }
    }
}
