package dev.runnel.stream;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters every stream adds to, read by {@code /stats} and the metrics feed.
 *
 * <p>Threading: thread-safe (striped adders: cheap on the write path, summed on read).
 */
public final class StreamMetrics {
    final LongAdder framesDelivered = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final LongAdder heartbeats = new LongAdder();
    final LongAdder opened = new LongAdder();
    final LongAdder closed = new LongAdder();
    final LongAdder writeTimeouts = new LongAdder();
    final LongAdder deadlines = new LongAdder();
    final LongAdder drainIncidents = new LongAdder();

    /** Events (log frames) written to sockets; control frames are not counted. */
    public long framesDelivered() {
        return framesDelivered.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** Socket writes; with coalescing, fewer than frames delivered under load. */
    public long writes() {
        return writes.sum();
    }

    public long evictions() {
        return evictions.sum();
    }

    public long heartbeats() {
        return heartbeats.sum();
    }

    public long streamsOpened() {
        return opened.sum();
    }

    public long streamsClosed() {
        return closed.sum();
    }

    /** Evictions because a write waited longer than {@code runnel.stream.writeTimeout}; also in {@link #evictions}. */
    public long writeTimeouts() {
        return writeTimeouts.sum();
    }

    /** Streams finished at their deadline: token expiry or {@code runnel.stream.maxLifetime}. */
    public long deadlines() {
        return deadlines.sum();
    }

    /** Streams closed because an {@link Error} was thrown while writing them: bugs, never clients. */
    public long drainIncidents() {
        return drainIncidents.sum();
    }
}
