package dev.runnel.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedsLifecycleTest {

    @Test
    void stoppingTheServerStopsEveryFeedAndLeavesNoThreadBehind() throws Exception {
        try (TestServer server = TestServer.start("runnel.stocks.enabled", "true", "runnel.stocks.interval", "10ms",
                "runnel.metrics.enabled", "true", "runnel.metrics.interval", "10ms", "runnel.chat.tokensPerSecond", "5",
                "runnel.poem.interval", "10ms")) {
            assertEquals(201, server.postJson("/tasks", "{\"steps\":100,\"stepMillis\":10}").getStatus());
            assertEquals(201, server.postJson("/chat", "{\"prompt\":\"a long answer\"}").getStatus());
            try (EventRecorder poem = EventRecorder.open(server.client(), server.uri("/demo/poem"), null);
                 EventRecorder stocks = server.subscribe("stocks", "system")) {
                poem.connected();
                poem.next();
                stocks.connected();
                stocks.next(10);
                server.stopServer();
                poem.awaitEnd(EventRecorder.TIMEOUT);
                stocks.awaitEnd(EventRecorder.TIMEOUT);
            }
        }
        List<Thread> left = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("runnel-")).toList();
        for (Thread t : left) {
            t.join(5_000); // a pool thread may still be on its way out after its executor terminated
        }
        assertEquals(List.of(), left.stream().filter(Thread::isAlive).map(Thread::getName).toList());
    }
}
