package dev.runnel.stream;

import dev.runnel.hub.Hub;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.MemoryEventLog;
import dev.runnel.hub.Publication;
import dev.runnel.hub.Receipt;
import dev.runnel.hub.StateLimits;
import dev.runnel.hub.TopicKinds;
import dev.runnel.testing.ManualExecutor;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * One stream's surroundings, all driven by the test: a hub on the in-memory log, whose fan-out runs
 * within {@link #publish} (so an event published is offered to the streams at once), the streams'
 * drains on a {@link ManualExecutor} the test runs, a registry, metrics and a {@link FakeOutput} whose
 * {@code complete()} stands for the response's.
 *
 * <p>Topics: {@code prices…} are state topics, {@code tasks/…} finite, the rest stream topics.
 */
final class StreamRig {
    static final TopicKinds KINDS = TopicKinds.of(List.of("prices"), List.of("tasks/"));
    static final byte[] RETRY = ControlFrames.retry(1500);

    final ManualExecutor executor = new ManualExecutor();
    final ManualExecutor fanOut = new ManualExecutor();
    final MemoryEventLog log = new MemoryEventLog(MemoryEventLog.Bounds.of(10_000, 3_600_000), StateLimits.NONE, fanOut,
            () -> 0L, "e1");
    final Hub hub = new Hub(log, KINDS);
    final StreamRegistry registry = new StreamRegistry();
    final StreamMetrics metrics = new StreamMetrics();
    final FakeOutput out = new FakeOutput();

    /** A stream not yet opened nor subscribed. */
    SseStream stream(long queueBytes) {
        return stream(out, queueBytes);
    }

    SseStream stream(FakeOutput output, long queueBytes) {
        return new SseStream("s1", output, output::complete, executor, queueBytes, metrics, registry);
    }

    /**
     * Opens a stream the way the events servlet does: {@code retry}, then subscribes (the stream adds
     * {@code connected}).
     * The container's first {@code onWritePossible} is still owed.
     */
    SseStream open(long queueBytes, String lastEventId, String... topics) {
        return open(out, queueBytes, lastEventId, topics);
    }

    SseStream open(FakeOutput output, long queueBytes, String lastEventId, String... topics) {
        SseStream stream = stream(output, queueBytes);
        stream.openWith(RETRY);
        stream.subscribe(hub, List.of(topics), lastEventId);
        return stream;
    }

    /** The connected event of stream {@code s1}, joined at {@code cursor} (null: none). */
    static byte[] connected(String cursor, String... topics) {
        return ControlFrames.connected("s1", List.of(topics), cursor);
    }

    LoggedEvent publish(String topic, String data) {
        return publish(Publication.of(topic, null, data));
    }

    LoggedEvent quote(String symbol, String price) {
        return publish(new Publication("prices", "quote", symbol + " " + price, symbol, false));
    }

    /** Publishes and runs the fan-out: the event is offered to its streams; returns it as logged. */
    LoggedEvent publish(Publication p) {
        Receipt receipt = hub.publish(p).toCompletableFuture().join();
        if (!receipt.isAccepted()) {
            throw new AssertionError("refused: " + receipt);
        }
        fanOut.runAll();
        return log.recent(receipt.sequence() - 1, receipt.sequence(), topic -> true).get(0);
    }

    /** Frames ({@code byte[]} or {@link LoggedEvent}) joined as they would be on the wire. */
    static byte[] wire(Object... frames) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Object frame : frames) {
            if (frame instanceof List<?> list) {
                all.writeBytes(wire(list.toArray()));
            } else {
                all.writeBytes(frame instanceof LoggedEvent e ? e.frame() : (byte[]) frame);
            }
        }
        return all.toByteArray();
    }
}
