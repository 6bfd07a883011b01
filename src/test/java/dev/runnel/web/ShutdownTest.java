package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShutdownTest {

    @Test
    void undeployFinishesStreamsWithAFinalRetryAndLeavesNoRunnelThread() throws Exception {
        TestServer server = TestServer.start("runnel.heartbeat", "50ms");
        try {
            EventRecorder a = server.subscribe("news");
            EventRecorder b = server.subscribe("stocks", "news");
            a.connected();
            b.connected();
            server.publish("news", null, "hello");
            assertEquals("hello", a.next().data());
            assertEquals(1, a.retries().size());
            assertTrue(runnelThreads().size() >= 2, "dispatcher and scheduler threads run");

            server.undeploy();

            a.awaitEnd(EventRecorder.TIMEOUT);
            b.awaitEnd(EventRecorder.TIMEOUT);
            assertEquals(2, a.retries().size(), "a final jittered retry before the end");
            assertEquals(List.of(), runnelThreads().stream().map(Thread::getName).toList());
        } finally {
            server.close();
        }
    }

    @Test
    void stoppingTheWholeServerEndsStreamsAndLeavesNoRunnelThread() throws Exception {
        TestServer server = TestServer.start();
        try {
            EventRecorder a = server.subscribe("news");
            a.connected();
            server.stopServer();
            a.awaitEnd(EventRecorder.TIMEOUT);
            assertEquals(List.of(), runnelThreads().stream().map(Thread::getName).toList());
        } finally {
            server.close();
        }
    }

    private static List<Thread> runnelThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("runnel-") && t.isAlive()).toList();
    }
}
