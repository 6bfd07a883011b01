package dev.runnel.stream;

import static dev.runnel.stream.StreamRig.RETRY;
import static dev.runnel.stream.StreamRig.connected;
import static dev.runnel.stream.StreamRig.wire;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.LoggedEvent;
import dev.runnel.stream.FakeOutput.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The live queue's bound: state topics coalesce per key, stream topics evict a subscriber that lags. */
class SseStreamQueueTest {
    private final StreamRig rig = new StreamRig();

    @AfterEach
    void nothingUnexpectedIsLeft() {
        rig.executor.runAll();
        assertEquals(List.of(), rig.out.takeOps(), "unexpected output");
        rig.out.assertNoMisuse();
    }

    @Test
    void stuckOutputKeepsOnlyTheLatestValuePerKeyAndWritesThemInLogOrder() {
        long queueBytes = 200; // room for about four quotes
        SseStream stream = rig.open(queueBytes, null, "prices");
        rig.out.writePossible();
        rig.out.takeOps();
        rig.out.setReady(false);

        LoggedEvent apple = null;
        LoggedEvent microsoft = null;
        LoggedEvent google = null;
        for (int i = 0; i < 1000; i++) {
            apple = rig.quote("AAPL", "1" + i);
            microsoft = rig.quote("MSFT", "2" + i);
            google = rig.quote("GOOG", "3" + i);
            if (i % 100 == 0) {
                rig.executor.runAll();
            }
        }
        rig.executor.runAll();

        assertFalse(stream.isClosed(), "a state subscriber is never evicted for repeated keys");
        assertEquals(apple.frame().length + microsoft.frame().length + google.frame().length, stream.queuedBytes());

        LoggedEvent newestApple = rig.quote("AAPL", "final");
        rig.executor.runAll();
        assertEquals(microsoft.frame().length + google.frame().length + newestApple.frame().length,
                stream.queuedBytes());
        assertEquals(List.of(), rig.out.takeOps());

        assertTrue(rig.out.writePossible());

        assertEquals(List.of(Op.write(wire(microsoft, google, newestApple)), Op.FLUSH), rig.out.takeOps(),
                "the latest per key, the newer one last");
        assertEquals(0, stream.queuedBytes());
        assertEquals(0, rig.metrics.evictions());
        assertEquals(3, rig.metrics.framesDelivered());
    }

    @Test
    void coalescingLeavesTheOpeningSnapshotAlone() {
        LoggedEvent snapshot = rig.quote("AAPL", "100");
        SseStream stream = rig.open(10_000, null, "prices");
        rig.quote("AAPL", "101"); // superseded while queued
        LoggedEvent live2 = rig.quote("AAPL", "102");
        rig.executor.runAll();

        assertEquals(live2.frame().length, stream.queuedBytes());
        assertTrue(rig.out.writePossible());
        assertEquals(List.of(Op.write(wire(RETRY, connected(snapshot.id(), "prices"), snapshot, live2)), Op.FLUSH),
                rig.out.takeOps());
    }

    @Test
    void streamSubscriberWhoseOutputNeverDrainsIsEvictedOnce() {
        long queueBytes = 200;
        SseStream stream = rig.open(queueBytes, null, "news");
        List<LoggedEvent> accepted = new ArrayList<>();
        for (int i = 0; i < 100 && !stream.isClosed(); i++) {
            LoggedEvent event = rig.publish("news", "event " + i);
            rig.executor.runAll();
            if (!stream.isClosed()) {
                accepted.add(event);
            }
        }

        assertTrue(stream.isClosed());
        assertTrue(stream.closeReason().startsWith("evicted"), stream.closeReason());
        assertTrue(wire(accepted).length <= queueBytes);
        assertEquals(1, rig.out.completions());
        assertEquals(1, rig.metrics.evictions());
        assertEquals(1, rig.metrics.streamsClosed());
        assertEquals(0, rig.hub.subscriptionCount());
        assertEquals(0, rig.hub.topicCount());
        assertEquals(0, rig.registry.size());
        assertEquals(0, stream.queuedBytes());

        assertFalse(stream.offer(rig.publish("news", "after eviction")));
        rig.executor.runAll();
        assertTrue(rig.out.writePossible(), "the container's first call was still owed");
        assertEquals(List.of(), rig.out.takeOps());
        assertEquals(1, rig.out.completions());
        assertEquals(1, rig.metrics.evictions());
    }

    @Test
    void singleFrameLargerThanTheBoundIsAcceptedIntoAnEmptyQueue() {
        SseStream stream = rig.open(10, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();

        LoggedEvent big = rig.publish("news", "x".repeat(100));
        rig.executor.runAll();

        assertFalse(stream.isClosed());
        assertEquals(List.of(Op.write(big.frame()), Op.FLUSH), rig.out.takeOps());
    }

    @Test
    void slowSubscriberIsEvictedAndResumesWithoutLoss() {
        SseStream slow = rig.open(200, null, "news", "sport");
        rig.out.writePossible();
        LoggedEvent seen = rig.publish("news", "seen");
        rig.executor.runAll();
        assertTrue(rig.out.written().endsWith(new String(seen.frame(), UTF_8)));
        rig.out.takeOps();

        rig.out.setReady(false);
        List<LoggedEvent> missed = new ArrayList<>();
        for (int i = 0; !slow.isClosed(); i++) {
            missed.add(rig.publish(i % 2 == 0 ? "news" : "sport", "missed " + i));
            rig.publish("weather", "not subscribed " + i);
            rig.executor.runAll();
        }
        assertEquals(1, rig.metrics.evictions());

        // The client reconnects with the last id it received, as EventSource does.
        FakeOutput again = new FakeOutput();
        SseStream resumed = rig.open(again, 10_000, seen.id(), "news", "sport");
        LoggedEvent live = rig.publish("sport", "live");
        rig.executor.runAll();
        assertTrue(again.writePossible());

        assertEquals(List.of(Op.write(wire(RETRY, connected(seen.id(), "news", "sport"), missed, live)), Op.FLUSH),
                again.takeOps());
        assertFalse(resumed.isClosed());
        assertEquals(1, rig.registry.size());
        assertEquals(1, rig.hub.subscriptionCount());
        again.assertNoMisuse();
    }
}
