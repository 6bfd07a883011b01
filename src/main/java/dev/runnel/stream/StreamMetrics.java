package dev.runnel.stream;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters every stream adds to, read by {@code /stats}, {@code /metrics} and the metrics feed, and the
 * {@link Observer} that the distributions of the write path go to (the histograms of
 * {@code dev.runnel.metrics}, which this package does not know).
 *
 * <p>Threading: thread-safe (striped adders: cheap on the write path, summed on read).
 */
public final class StreamMetrics {
    /** The reasons of {@code reset} events the hub sends, as counted; any other is {@code other}. */
    public static final List<String> RESET_REASONS = List.of("history-lost", "unknown-epoch", "malformed-id", "other");

    /**
     * What the write path measures, once per write or per delivered frame; called by the thread
     * that writes (a dispatcher or the container's callback), so it must be cheap and never block.
     */
    public interface Observer {
        /** A live event written to a socket {@code nanos} after its log took it. */
        void delivered(long nanos);

        /** A stream's queued live bytes when a write took its batch (the batch included). */
        void queued(long bytes);

        Observer NONE = new Observer() {
            @Override
            public void delivered(long nanos) {
                // not measured
            }

            @Override
            public void queued(long bytes) {
                // not measured
            }
        };
    }

    final Observer observer;
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
    final LongAdder queueEvictions = new LongAdder();
    final LongAdder replays = new LongAdder();
    private final LongAdder[] resets = adders(RESET_REASONS.size());
    private final LongAdder[] closedBy = adders(CloseReason.values().length);

    /** Counters only: nothing observes the write path (tests, benchmarks). */
    public StreamMetrics() {
        this(Observer.NONE);
    }

    public StreamMetrics(Observer observer) {
        this.observer = observer;
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** A stream closed, for the reason {@code detail} says ({@link CloseReason#of}). */
    void closed(String detail) {
        closed.increment();
        closedBy[CloseReason.of(detail).ordinal()].increment();
    }

    /** The hub opened a stream: with a reset (its reason), or else a replay when the client gave a cursor. */
    void opening(String resetReason, boolean withCursor) {
        if (resetReason != null) {
            int i = RESET_REASONS.indexOf(resetReason);
            resets[i >= 0 ? i : RESET_REASONS.size() - 1].increment();
        } else if (withCursor) {
            replays.increment();
        }
    }

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

    /** Evictions because a live frame did not fit in the queue; also in {@link #evictions}. */
    public long queueEvictions() {
        return queueEvictions.sum();
    }

    /** Streams closed for {@code reason}; together, {@link #streamsClosed}. */
    public long streamsClosed(CloseReason reason) {
        return closedBy[reason.ordinal()].sum();
    }

    /** Streams that resumed from a client's cursor without a reset (what followed it was replayed). */
    public long replays() {
        return replays.sum();
    }

    /** Streams that began with a {@code reset} for {@code reason}, one of {@link #RESET_REASONS}. */
    public long resets(String reason) {
        return resets[RESET_REASONS.indexOf(reason)].sum();
    }

    /** Streams closed because an {@link Error} was thrown while writing them: bugs, never clients. */
    public long drainIncidents() {
        return drainIncidents.sum();
    }
}
