package dev.runnel.redis;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a {@link LogTail} delivers, one record per entry, epoch change or gap, in order. */
final class TailRecorder implements LogTail.Listener {
    sealed interface Seen permits Entry, Epoch, Gap {}

    record Entry(String epoch, LogEntry entry) implements Seen {}

    record Epoch(String epoch) implements Seen {}

    record Gap(String epoch, long after, long next) implements Seen {}

    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private volatile int calls;

    @Override
    public void onEntries(String epoch, List<LogEntry> entries) {
        calls++;
        entries.forEach(e -> seen.add(new Entry(epoch, e)));
    }

    @Override
    public void onEpoch(String epoch, long after) {
        seen.add(new Epoch(epoch));
    }

    @Override
    public void onGap(String epoch, long after, long next) {
        seen.add(new Gap(epoch, after, next));
    }

    /** Calls of {@link #onEntries} so far: fewer than the entries when they came in batches. */
    int batches() {
        return calls;
    }

    Seen next(Duration timeout) throws InterruptedException {
        Seen s = seen.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (s == null) {
            throw new AssertionError("nothing from the tail within " + timeout);
        }
        return s;
    }

    /** The next {@code n} records, each of which must be an entry. */
    List<LogEntry> entries(int n, Duration timeout) throws InterruptedException {
        List<LogEntry> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n) {
            Seen s = seen.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == null) {
                throw new AssertionError("only " + out.size() + " of " + n + " entries within " + timeout);
            }
            if (!(s instanceof Entry e)) {
                throw new AssertionError("expected an entry after " + out.size() + ", got " + s);
            }
            out.add(e.entry());
        }
        return out;
    }

    /** Nothing more arrives within a short while (the tail's block timeout is 200 ms). */
    void assertQuiet() throws InterruptedException {
        assertNull(seen.poll(500, TimeUnit.MILLISECONDS), "nothing more from the tail");
    }
}
