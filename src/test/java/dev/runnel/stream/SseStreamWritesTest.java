package dev.runnel.stream;

import static dev.runnel.stream.StreamRig.RETRY;
import static dev.runnel.stream.StreamRig.connected;
import static dev.runnel.stream.StreamRig.wire;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.Publication;
import dev.runnel.protocol.SseEncoder;
import dev.runnel.stream.FakeOutput.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a stream writes, in which calls, and when it completes on its own. */
class SseStreamWritesTest {
    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(15);

    private final StreamRig rig = new StreamRig();

    @AfterEach
    void nothingUnexpectedIsLeft() {
        rig.executor.runAll();
        assertEquals(List.of(), rig.out.takeOps(), "unexpected output");
        rig.out.assertNoMisuse();
    }

    @Test
    void queuedFramesLeaveInOneWriteFollowedByOneFlushInQueueOrder() {
        SseStream stream = rig.open(10_000, null, "news");
        LoggedEvent a = rig.publish("news", "a");
        LoggedEvent b = rig.publish("news", "b");
        LoggedEvent c = rig.publish("news", "c");
        rig.executor.runAll();
        assertEquals(List.of(), rig.out.takeOps(), "nothing is written before the container says it may");

        assertTrue(rig.out.writePossible());

        byte[] expected = wire(RETRY, connected("e1-0", "news"), SseEncoder.idOnly("e1-0"), a, b, c);
        assertEquals(List.of(Op.write(expected), Op.FLUSH), rig.out.takeOps());
        assertEquals(0, stream.queuedBytes());
        assertEquals(3, rig.metrics.framesDelivered());
        assertEquals(1, rig.metrics.writes());
        assertEquals(expected.length, rig.metrics.bytesWritten());

        LoggedEvent d = rig.publish("news", "d");
        LoggedEvent e = rig.publish("news", "e");
        rig.executor.runAll();

        assertEquals(List.of(Op.write(wire(d, e)), Op.FLUSH), rig.out.takeOps());
        assertEquals(2, rig.metrics.writes());
        assertEquals(0, rig.out.completions());
        assertFalse(stream.isClosed());
        assertEquals(1, rig.registry.size());
    }

    @Test
    void framesQueuedWhileTheOutputIsBusyLeaveTogetherWhenItIsReadyAgain() {
        rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();

        rig.out.setReady(false);
        List<LoggedEvent> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(rig.publish("news", "n" + i));
            rig.executor.runAll();
        }
        assertEquals(List.of(), rig.out.takeOps());

        assertTrue(rig.out.writePossible());
        assertEquals(List.of(Op.write(wire(events)), Op.FLUSH), rig.out.takeOps());
    }

    @Test
    void openingIsNotCountedAgainstTheQueueBound() {
        List<LoggedEvent> replay = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            replay.add(rig.publish("news", "event number " + i));
        }
        long queueBytes = 100;
        SseStream stream = rig.open(queueBytes, "e1-0", "news");
        rig.executor.runAll();
        assertEquals(0, stream.queuedBytes());

        LoggedEvent live1 = rig.publish("news", "live 1");
        LoggedEvent live2 = rig.publish("news", "live 2");
        rig.executor.runAll();

        assertFalse(stream.isClosed(), "evicted for its opening");
        assertEquals(live1.frame().length + live2.frame().length, stream.queuedBytes());
        assertTrue(stream.queuedBytes() <= queueBytes);
        assertTrue(wire(replay).length > queueBytes, "the replay alone exceeds the bound");

        assertTrue(rig.out.writePossible());
        assertEquals(List.of(Op.write(wire(RETRY, connected("e1-0", "news"), replay, live1, live2)), Op.FLUSH),
                rig.out.takeOps());
        assertEquals(0, rig.metrics.evictions());
    }

    @Test
    void heartbeatIsQueuedOnlyWhenIdleAndIsExactlyAKeepAliveComment() {
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();

        stream.heartbeatIfIdle(System.nanoTime(), INTERVAL);
        assertEquals(0, rig.executor.pending(), "just written: no heartbeat due");
        assertEquals(0, rig.metrics.heartbeats());

        stream.heartbeatIfIdle(System.nanoTime() + 2 * INTERVAL, INTERVAL);
        assertEquals(1, rig.metrics.heartbeats());
        rig.executor.runAll();
        assertArrayEquals(": keep-alive\n".getBytes(UTF_8), ControlFrames.HEARTBEAT);
        assertEquals(List.of(Op.write(": keep-alive\n".getBytes(UTF_8)), Op.FLUSH), rig.out.takeOps());
        assertEquals(0, rig.metrics.framesDelivered(), "a heartbeat is not an event");

        rig.out.setReady(false);
        LoggedEvent waiting = rig.publish("news", "stuck");
        rig.executor.runAll();
        stream.heartbeatIfIdle(System.nanoTime() + 4 * INTERVAL, INTERVAL);

        assertEquals(1, rig.metrics.heartbeats(), "a frame is waiting: no heartbeat");
        assertEquals(waiting.frame().length, stream.queuedBytes());
        assertTrue(rig.out.writePossible());
        assertEquals(List.of(Op.write(waiting.frame()), Op.FLUSH), rig.out.takeOps());
    }

    @Test
    void heartbeatOfAnIdleStreamCarriesTheFanOutsPositionAsABareId() {
        SseStream quiet = rig.open(10_000, null, "quiet");
        rig.out.writePossible();
        rig.out.takeOps();
        rig.publish("busy", "a");
        LoggedEvent b = rig.publish("busy", "b");
        rig.executor.runAll();

        quiet.heartbeatIfIdle(System.nanoTime() + 2 * INTERVAL, INTERVAL);
        rig.executor.runAll();

        byte[] expected = (": keep-alive\nid: " + b.id() + "\n\n").getBytes(UTF_8);
        assertArrayEquals(expected, ControlFrames.heartbeat(b.id()));
        assertEquals(List.of(Op.write(expected), Op.FLUSH), rig.out.takeOps(),
                "everything up to e1-2 on its topics was written: the client may resume there");

        quiet.heartbeatIfIdle(System.nanoTime() + 4 * INTERVAL, INTERVAL);
        rig.executor.runAll();
        assertEquals(List.of(Op.write(ControlFrames.HEARTBEAT), Op.FLUSH), rig.out.takeOps(),
                "the position did not move: a plain heartbeat");
    }

    @Test
    void heartbeatNeverMovesTheCursorBackBehindWhatWasSent() {
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();
        LoggedEvent news = rig.publish("news", "n");
        rig.executor.runAll();
        rig.out.takeOps();

        stream.heartbeatIfIdle(System.nanoTime() + 2 * INTERVAL, INTERVAL);
        rig.executor.runAll();

        assertEquals(List.of(Op.write(ControlFrames.HEARTBEAT), Op.FLUSH), rig.out.takeOps(),
                news.id() + " is the client's cursor already");
    }

    @Test
    void aDrainPassWritesABoundedShareAndResubmitsItself() {
        rig.open(100 * 1024 * 1024, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();
        rig.out.setReady(false);
        int frames = 0;
        for (long queued = 0; queued < 4L * SseStream.MAX_PASS_BYTES; frames++) {
            queued += rig.publish("news", "x".repeat(1000)).frame().length;
        }
        rig.executor.runAll();
        assertEquals(0, rig.executor.pending());

        assertTrue(rig.out.writePossible()); // the container's callback: it must get its thread back too

        List<Op> firstPass = rig.out.takeOps();
        long written = firstPass.stream().filter(op -> !op.isFlush()).mapToLong(op -> op.bytes().length).sum();
        assertTrue(written >= SseStream.MAX_PASS_BYTES && written < SseStream.MAX_PASS_BYTES + 64 * 1024,
                "one pass wrote " + written + " bytes");
        assertEquals(Op.FLUSH, firstPass.get(firstPass.size() - 1), "what the pass wrote is flushed");
        assertEquals(1, rig.executor.pending(), "the rest is a fresh task, behind the other streams' drains");

        int passes = rig.executor.runAll();
        List<Op> rest = rig.out.takeOps();
        assertTrue(passes >= 2, "more passes, each bounded, write the rest: " + passes);
        assertEquals(Op.FLUSH, rest.get(rest.size() - 1));
        assertEquals(frames, rig.metrics.framesDelivered());
    }

    @Test
    void heartbeatWaitsForTheFirstWritePossibleLikeEverythingElse() {
        SseStream stream = rig.open(10_000, null, "news");
        stream.heartbeatIfIdle(System.nanoTime() + 2 * INTERVAL, INTERVAL);
        assertEquals(0, rig.metrics.heartbeats(), "the opening is still queued");
        assertTrue(rig.out.writePossible());
        assertEquals(List.of(Op.write(wire(RETRY, connected("e1-0", "news"), SseEncoder.idOnly("e1-0"))), Op.FLUSH),
                rig.out.takeOps());
    }

    @Test
    void finishSendsWhatIsQueuedThenTheFinalFrameThenCompletes() {
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();
        rig.out.setReady(false);
        LoggedEvent a = rig.publish("news", "a");
        LoggedEvent b = rig.publish("news", "b");
        rig.executor.runAll();

        byte[] last = ControlFrames.retry(4321);
        stream.finish(last);
        LoggedEvent late = rig.publish("news", "too late");
        rig.executor.runAll();
        assertFalse(stream.offer(late));
        assertEquals(0, rig.out.completions(), "the queue has not left yet");

        assertTrue(rig.out.writePossible());

        assertEquals(List.of(Op.write(wire(a, b, last)), Op.FLUSH), rig.out.takeOps());
        assertEquals(1, rig.out.completions());
        assertTrue(stream.isClosed());
        assertEquals(0, rig.registry.size());
        assertEquals(0, rig.hub.subscriptionCount());
    }

    @Test
    void finiteTopicCompletesRightAfterItsFinalEvent() {
        SseStream stream = rig.open(10_000, null, "tasks/1");
        rig.out.writePossible();
        rig.out.takeOps();

        LoggedEvent progress = rig.publish(Publication.of("tasks/1", "progress", "50"));
        LoggedEvent done = rig.publish(Publication.of("tasks/1", "done", "100").asLast());
        rig.executor.runAll();

        assertEquals(List.of(Op.write(wire(progress, done)), Op.FLUSH), rig.out.takeOps());
        assertEquals(1, rig.out.completions());
        assertTrue(stream.isClosed());
        assertEquals(0, rig.hub.subscriptionCount());
        assertEquals(0, rig.registry.size());
    }

    @Test
    void subscribingToAnEndedTopicSendsItsHistoryAndCompletes() {
        LoggedEvent progress = rig.publish(Publication.of("tasks/1", "progress", "50"));
        LoggedEvent done = rig.publish(Publication.of("tasks/1", "done", "100").asLast());
        SseStream stream = rig.open(10_000, null, "tasks/1");
        assertEquals(0, rig.out.completions());

        assertTrue(rig.out.writePossible());

        assertEquals(List.of(Op.write(wire(RETRY, connected(null, "tasks/1"), progress, done)), Op.FLUSH),
                rig.out.takeOps());
        assertEquals(1, rig.out.completions());
        assertTrue(stream.isClosed());
    }

    @Test
    void resetOpeningComesBeforeSnapshotAndPin() {
        LoggedEvent quote = rig.quote("AAPL", "101");
        LoggedEvent news = rig.publish("news", "n");
        rig.open(10_000, "old1-5", "prices", "news");

        assertTrue(rig.out.writePossible());

        String detail = rig.log.cursor("old1-5").detail();
        byte[] expected = wire(RETRY, connected(news.id(), "prices", "news"), ControlFrames.reset("unknown-epoch", detail), quote,
                SseEncoder.idOnly(news.id()));
        assertEquals(List.of(Op.write(expected), Op.FLUSH), rig.out.takeOps());
    }
}
