package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StreamBasicsTest {
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void headersAreExactAndFlushedBeforeAnyEvent() {
        try (EventRecorder stream = server.subscribe("news")) {
            assertEquals(200, stream.status());
            assertEquals("text/event-stream;charset=UTF-8", stream.responseHeaders().get("Content-Type"));
            assertEquals("no-store", stream.responseHeaders().get("Cache-Control"));
            assertEquals("no", stream.responseHeaders().get("X-Accel-Buffering"));
            assertNull(stream.responseHeaders().get("Content-Length"));
            assertFalse(stream.responseHeaders().contains("Content-Encoding"));
            SseEvent connected = stream.connected();
            assertTrue(connected.data().contains("\"topics\":[\"news\"]"), connected.data());
            assertEquals(1, stream.retries().size());
            long retry = stream.retries().get(0);
            assertTrue(retry >= 100 && retry <= 200, "retry " + retry);
        }
    }

    @Test
    void publishedEventReachesSubscriber() throws Exception {
        try (EventRecorder stream = server.subscribe("news")) {
            stream.connected();
            String id = server.publish("news", "headline", "hello 世界 😀");
            SseEvent e = stream.next();
            assertEquals("headline", e.event());
            assertEquals("hello 世界 😀", e.data());
            assertEquals(id, e.id());
            stream.assertNoMoreEvents(Duration.ofMillis(200));
        }
    }
}
