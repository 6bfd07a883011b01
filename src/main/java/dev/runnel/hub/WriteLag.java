package dev.runnel.hub;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * How late the streams write what the fan-out handed them: the second half of the fan-out lag. Handing
 * an event to 1,000 streams is cheap (a queue append each); writing it to 1,000 sockets is not, so
 * under flat-out publishing the lag moves from the hub's queue into the streams' queues, and bounding
 * only the first lets events wait seconds in the second.
 *
 * <p>Each write reports the age of the oldest live event it carried (log took it → written). Over
 * windows of {@value #WINDOW_MILLIS} ms, the streams are <em>behind</em> when more than half of the
 * writes carried an event older than a fifth of the lag bound. A fifth, because what is queued
 * behind that event must be written too: when publishers outpace the writes several times over (as
 * they do when nothing holds them), a queue whose head waited {@code t} holds several times {@code t}
 * of writing, and publishing must pause while all of it still fits in the bound. A majority of writes, not any one: a slow reader
 * writes late too, and it must not hold back everyone's publishes (its own queue bound evicts it).
 * A window without enough writes says nothing (the queues are empty, or nothing is subscribed), so the
 * signal never sticks once writing stops.
 *
 * <p>Threading: thread-safe; {@link #written} is called by every stream's writer, lock-free.
 */
final class WriteLag {
    static final long WINDOW_MILLIS = 50;
    private static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS);
    private static final int MIN_WRITES = 16;

    private final long lateNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong windowStart;
    private final LongAdder writes = new LongAdder();
    private final LongAdder late = new LongAdder();
    private volatile boolean behind;          // as judged at the end of the last window
    private volatile int lateShare;           // per cent of the last window's writes that were late

    /**
     * @param maxLagMillis the fan-out's lag bound; a write is late past a fifth of it
     * @param nanoClock    monotonic nanoseconds ({@code System::nanoTime})
     */
    WriteLag(long maxLagMillis, LongSupplier nanoClock) {
        this.lateNanos = maxLagMillis >= Long.MAX_VALUE / 2_000_000 ? Long.MAX_VALUE
                : TimeUnit.MILLISECONDS.toNanos(maxLagMillis) / 5;
        this.nanoClock = nanoClock;
        this.windowStart = new AtomicLong(nanoClock.getAsLong());
    }

    /** A write that carried a live event {@code ageNanos} old. */
    void written(long ageNanos) {
        if (lateNanos == Long.MAX_VALUE) {
            return; // no bound: nothing to judge
        }
        roll(nanoClock.getAsLong());
        writes.increment();
        if (ageNanos > lateNanos) {
            late.increment();
        }
    }

    /** Whether most of the last window's writes were late; false once a window passes without writes. */
    boolean behind() {
        if (!behind) {
            return false;
        }
        roll(nanoClock.getAsLong()); // judges a window that ended without writes: not behind
        return behind;
    }

    /** Per cent of the last window's writes that carried a late event (for {@code /stats}). */
    int lateShare() {
        return lateShare;
    }

    private void roll(long nowNanos) {
        long start = windowStart.get();
        if (nowNanos - start < WINDOW_NANOS || !windowStart.compareAndSet(start, nowNanos)) {
            return;
        }
        // Counts taken while writers go on adding: a write may land in either window, which only
        // blurs the edge between two windows.
        long w = writes.sumThenReset();
        long l = late.sumThenReset();
        lateShare = w == 0 ? 0 : (int) (100 * l / w);
        behind = w >= MIN_WRITES && 2 * l > w;
    }
}
