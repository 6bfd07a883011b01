package dev.runnel.feed;

import static dev.runnel.feed.StockFeedHttpTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsFeedHttpTest {
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("runnel.metrics.enabled", "true", "runnel.metrics.interval", "50ms");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void metricsArriveOnTheSystemTopicWithEveryField() {
        try (EventRecorder stream = server.subscribe("system")) {
            stream.connected();
            SseEvent e = stream.next();
            assertEquals("metrics", e.event());
            JsonObject m = json(e);
            for (String field : List.of("time", "uptimeSeconds", "heapUsed", "heapMax", "processCpu", "systemCpu",
                    "threads", "openStreams", "eventsPerSecond", "framesPerSecond", "evictions")) {
                assertTrue(m.has(field), field + " in " + m);
            }
            assertTrue(m.get("heapUsed").getAsLong() > 0);
            assertTrue(m.get("heapMax").getAsLong() >= m.get("heapUsed").getAsLong());
            assertTrue(m.get("threads").getAsInt() > 0);
            // The first event may be the snapshot, sampled before this stream opened: a later sample counts it.
            JsonObject later = json(stream.next());
            assertTrue(later.get("openStreams").getAsInt() >= 1, "this stream is open: " + later);
        }
    }

    @Test
    void aLateSubscriberGetsTheLatestSampleAtOnce() {
        try (EventRecorder first = server.subscribe("system")) {
            first.connected();
            first.next(2);
            try (EventRecorder late = server.subscribe("system")) {
                late.connected();
                assertEquals("metrics", late.next().event());
            }
        }
    }
}
