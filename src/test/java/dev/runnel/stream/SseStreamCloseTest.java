package dev.runnel.stream;

import static dev.runnel.stream.StreamRig.RETRY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.LoggedEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every way a stream ends funnels into one close: complete once, unregister once, write nothing after. */
class SseStreamCloseTest {
    private static final int ITERATIONS = 300;

    @Test
    void closeCompletesOnceAndLeavesHubAndRegistry() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();
        assertEquals(1, rig.registry.size());
        assertEquals(1, rig.hub.subscriptionCount());

        stream.close("bye");
        stream.close("bye again");
        stream.onError(new IOException("broken pipe"));
        stream.containerFailed("timed out");

        assertEquals(1, rig.out.completions());
        assertTrue(stream.isClosed());
        assertEquals("bye", stream.closeReason());
        assertEquals(0, rig.registry.size());
        assertEquals(0, rig.hub.subscriptionCount());
        assertEquals(0, rig.hub.topicCount());
        assertEquals(1, rig.metrics.streamsClosed());

        assertFalse(stream.offer(rig.publish("news", "late")));
        stream.end();
        stream.finish(RETRY);
        stream.heartbeatIfIdle(Long.MAX_VALUE, 1);
        stream.onWritePossible();
        rig.executor.runAll();
        assertEquals(List.of(), rig.out.takeOps());
        assertEquals(1, rig.out.completions());
        rig.out.assertNoMisuse();
    }

    @Test
    void closeDuringAWriteIsCarriedOutByTheWriterAfterIt() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        LoggedEvent event = rig.publish("news", "x");
        rig.executor.runAll();
        rig.out.duringNextWrite(() -> {
            stream.close("closed by another thread");
            assertEquals(0, rig.out.completions(), "completed under the writer");
        });

        assertTrue(rig.out.writePossible());

        assertEquals(1, rig.out.completions());
        assertEquals(1, rig.out.takeOps().size(), "the write, and no flush after the close");
        assertEquals(0, rig.registry.size());
        assertEquals(0, rig.hub.subscriptionCount());
        assertFalse(stream.offer(event));
        rig.out.assertNoMisuse();
    }

    @Test
    void closeWhileADrainIsQueuedLeavesCompletionToThatDrain() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();
        rig.publish("news", "x");
        assertEquals(1, rig.executor.pending(), "the fan-out queued a drain: it owns the output");

        stream.close("closed");
        assertEquals(0, rig.out.completions());
        rig.executor.runAll();

        assertEquals(1, rig.out.completions());
        assertEquals(List.of(), rig.out.takeOps());
        rig.out.assertNoMisuse();
    }

    @Test
    void containerFailureWhileADrainIsQueuedLeavesCompletionToThatDrain() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();
        rig.publish("news", "x");
        assertEquals(1, rig.executor.pending(), "the fan-out queued a drain: it owns the output");

        stream.containerFailed("container error: reset by peer");
        rig.executor.runAll();

        assertEquals(1, rig.out.completions());
        assertEquals(List.of(), rig.out.takeOps());
        assertEquals(0, rig.registry.size());
        rig.out.assertNoMisuse();
    }

    @Test
    void containerFailureDuringAWriteDoesNotCompleteUnderTheWriter() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.duringNextWrite(() -> stream.containerFailed("timed out"));

        assertTrue(rig.out.writePossible());

        assertEquals(1, rig.out.completions());
        assertEquals(1, rig.out.takeOps().size());
        rig.out.assertNoMisuse();
    }

    @Test
    void containerFailureOfAnIdleStreamCompletesAtOnce() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();

        stream.containerFailed("timed out");

        assertEquals(1, rig.out.completions());
        assertEquals("timed out", stream.closeReason());
        assertEquals(0, rig.registry.size());
    }

    @Test
    void aContainerErrorAfterTheResponseWasCompletedCompletesItAgainWithinTheCallback() {
        // Tomcat puts a request whose write failed into its error state even if complete() came first,
        // and dispatches it to the error page unless a listener completes it during onError.
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();
        stream.close("the client went away");
        assertEquals(1, rig.out.completions());

        stream.containerErrored("container error: java.io.IOException: Broken pipe");

        assertEquals(2, rig.out.completions());
        assertEquals("the client went away", stream.closeReason());
    }

    @Test
    void aContainerErrorAfterTheContainerCompletedTheResponseLeavesItAlone() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();

        stream.containerCompleted();
        stream.containerErrored("container error: after the container");

        assertEquals(0, rig.out.completions());
    }

    @Test
    void containerCompletionIsNeverAnsweredWithAnotherComplete() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();

        stream.containerCompleted();
        stream.close("after the container");
        stream.containerFailed("after the container");
        rig.executor.runAll();

        assertEquals(0, rig.out.completions());
        assertEquals("completed by the container", stream.closeReason());
        assertEquals(0, rig.registry.size());
        assertEquals(0, rig.hub.subscriptionCount());
    }

    @Test
    void failedWriteClosesQuietlyAndCompletes() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.duringNextWrite(() -> {
            throw new java.io.UncheckedIOException(new IOException("connection reset by peer"));
        });

        assertTrue(rig.out.writePossible());

        assertTrue(stream.isClosed());
        assertTrue(stream.closeReason().startsWith("write failed"), stream.closeReason());
        assertEquals(1, rig.out.completions());
        assertEquals(0, rig.registry.size());
        rig.out.assertNoMisuse();
    }

    @Test
    void anErrorInADrainClosesThatStreamInsteadOfLeavingItRunning() {
        StreamRig rig = new StreamRig();
        SseStream broken = rig.open(10_000, null, "news");
        FakeOutput otherOut = new FakeOutput();
        SseStream other = rig.open(otherOut, 10_000, null, "news");
        rig.out.writePossible();
        otherOut.writePossible();
        rig.out.duringNextWrite(() -> {
            throw new AssertionError("a bug in the container's write");
        });

        LoggedEvent event = rig.publish("news", "x");
        rig.executor.runAll();

        assertTrue(broken.isClosed(), "closed, not left RUNNING with nobody writing");
        assertTrue(broken.closeReason().startsWith("drain failed"), broken.closeReason());
        assertEquals(1, rig.out.completions());
        assertEquals(1, rig.metrics.drainIncidents());
        assertEquals(1, rig.registry.size());
        assertEquals(1, rig.hub.subscriptionCount());
        assertFalse(other.isClosed());
        assertTrue(otherOut.written().endsWith(new String(event.frame(), java.nio.charset.StandardCharsets.UTF_8)));
        rig.out.assertNoMisuse();
    }

    @Test
    void aStreamTheContainerCompletedDuringAWriteIsNotAskedAnythingAfterIt() {
        StreamRig rig = new StreamRig();
        SseStream stream = rig.open(10_000, null, "news");
        rig.out.writePossible();
        rig.out.takeOps();
        rig.out.duringNextWrite(() -> {
            rig.out.completeByContainer();
            stream.containerCompleted();
        });

        rig.publish("news", "a");
        rig.executor.runAll();

        rig.out.assertNoMisuse();
        assertTrue(stream.isClosed());
        assertEquals(0, rig.out.completions(), "the container completed it: not completed again");
        assertEquals(0, rig.registry.size());
    }

    @Test
    void aDeadlineDueBeforeTheHubOpensTheStreamComesAfterTheOpening() {
        StreamRig rig = new StreamRig();
        LoggedEvent apple = rig.quote("AAPL", "1");
        LoggedEvent microsoft = rig.quote("MSFT", "1");
        SseStream stream = rig.stream(10_000);
        stream.openWith(RETRY);
        // The sweep found the deadline due between the registry and the hub: the opening was not queued yet.
        byte[] last = ControlFrames.retry(4321);
        assertTrue(stream.finish(last, "deadline"));
        stream.subscribe(rig.hub, List.of("prices"), null);

        assertTrue(rig.out.writePossible());

        assertEquals(List.of(FakeOutput.Op.write(StreamRig.wire(RETRY, StreamRig.connected(microsoft.id(), "prices"), apple, microsoft, last)), FakeOutput.Op.FLUSH),
                rig.out.takeOps(), "the whole opening, then the final frame");
        assertEquals(1, rig.out.completions());
        assertEquals("deadline", stream.closeReason());
        assertEquals(0, stream.queuedBytes());
        rig.out.assertNoMisuse();
    }

    @Test
    void racingEndsCompleteOnceAndWriteNothingAfterCompletion() throws Exception {
        ExecutorService racers = Executors.newCachedThreadPool();
        try {
            for (int i = 0; i < ITERATIONS; i++) {
                race(racers, i);
            }
        } finally {
            racers.shutdownNow();
        }
    }

    /** One stream, every path that can end it started at once from its own thread. */
    private static void race(ExecutorService racers, int iteration) throws Exception {
        StreamRig rig = new StreamRig();
        List<LoggedEvent> events = List.of(rig.publish("race", "1"), rig.publish("race", "2"));
        SseStream stream = rig.open(10_000, null, "race");
        switch (iteration % 3) {
            case 0 -> { }                                   // the first onWritePossible still owed
            case 1 -> rig.out.writePossible();              // opening written, idle
            default -> {                                    // stuck: isReady() said false
                rig.out.setReady(false);
                rig.out.writePossible();
            }
        }
        boolean withContainerCompleted = iteration % 2 == 1;

        List<Runnable> actions = new ArrayList<>(List.of(
                () -> stream.close("closed by the test"),
                () -> stream.close("closed again"),
                () -> events.forEach(stream::offer),
                () -> rig.publish("race", "published during the race"),
                stream::end,
                stream::onWritePossible,
                rig.out::writePossible,
                () -> stream.onError(new IOException("connection reset")),
                () -> stream.containerFailed("timed out"),
                () -> stream.heartbeatIfIdle(Long.MAX_VALUE, 1),
                () -> stream.finish(RETRY),
                rig.executor::runAll,
                rig.executor::runAll));
        if (withContainerCompleted) {
            actions.add(stream::containerCompleted);
        }

        CountDownLatch ready = new CountDownLatch(actions.size());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (Runnable action : actions) {
            running.add(racers.submit(() -> {
                ready.countDown();
                start.await();
                action.run();
                return null;
            }));
        }
        assertTrue(ready.await(10, TimeUnit.SECONDS));
        start.countDown();
        for (Future<?> f : running) {
            f.get(10, TimeUnit.SECONDS);
        }
        rig.executor.runAll(); // drains queued during the race that no racer ran

        String where = "iteration " + iteration + " (" + stream.closeReason() + ")";
        rig.out.assertNoMisuse();
        if (withContainerCompleted) {
            assertTrue(rig.out.completions() <= 1, where + ": completed " + rig.out.completions() + " times");
        } else {
            assertEquals(1, rig.out.completions(), where);
        }
        assertTrue(stream.isClosed(), where);
        assertEquals(1, rig.metrics.streamsClosed(), where);
        assertEquals(0, rig.registry.size(), where);
        assertEquals(0, rig.hub.subscriptionCount(), where);
        assertEquals(0, rig.executor.pending(), where);
    }
}
