package dev.runnel.metrics;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ObjLongConsumer;

/**
 * Requests answered with a 4xx or 5xx status, by status: {@code runnel_requests_rejected_total}. The
 * label takes at most the 200 values 400–599; the common ones are there from the start, at 0.
 *
 * <p>Threading: thread-safe.
 */
public final class Rejections {
    private static final int FIRST = 400;
    private static final int LAST = 599;

    private final AtomicReferenceArray<LongAdder> byStatus = new AtomicReferenceArray<>(LAST - FIRST + 1);

    /** The statuses Runnel answers most, shown from the start (at 0) so that a rate over them has a series. */
    public Rejections() {
        for (int status : new int[] {400, 401, 403, 404, 409, 413, 429, 503}) {
            byStatus.set(status - FIRST, new LongAdder());
        }
    }

    /** Counts an answer with {@code status}; statuses below 400 or above 599 are not rejections. */
    public void count(int status) {
        if (status < FIRST || status > LAST) {
            return;
        }
        int i = status - FIRST;
        LongAdder adder = byStatus.get(i);
        if (adder == null) {
            byStatus.compareAndSet(i, null, new LongAdder());
            adder = byStatus.get(i);
        }
        adder.increment();
    }

    /** Every status seen so far with its count. */
    public void forEach(ObjLongConsumer<Integer> action) {
        for (int i = 0; i < byStatus.length(); i++) {
            LongAdder adder = byStatus.get(i);
            if (adder != null) {
                action.accept(FIRST + i, adder.sum());
            }
        }
    }

    /** All rejections so far. */
    public long total() {
        long[] sum = new long[1];
        forEach((status, n) -> sum[0] += n);
        return sum[0];
    }
}
