package dev.runnel.redis;

import dev.runnel.hub.LoggedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The node's cache of the newest events of the shared log, fed by the tail: a ring of contiguous
 * sequences bounded by count and by encoded bytes, like the in-memory log. Replay is served from
 * here first, with the frames this node already encoded; only a cursor older than the ring costs a
 * read of Redis ({@link SharedReplay}).
 *
 * <p>A new epoch or a gap empties it: the ring only ever holds a run without holes.
 *
 * <p>Threading: thread-safe; the tail adds, any thread reads.
 */
public final class RecentEvents {
    private final LoggedEvent[] ring;
    private final long maxBytes;
    private String epoch;
    private long head;       // sequence of the newest held event, or of the position the ring starts after
    private long oldest = 1; // head + 1 when empty
    private long bytes;

    public RecentEvents(int capacity, long maxBytes) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
        }
        this.ring = new LoggedEvent[capacity];
        this.maxBytes = maxBytes;
    }

    /**
     * Adds events of {@code epoch} that follow the newest held one. Events of another epoch, or that do
     * not follow on, start the ring afresh.
     */
    public synchronized void add(String epoch, List<LoggedEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        if (!epoch.equals(this.epoch) || events.get(0).sequence() != head + 1) {
            clear(epoch, events.get(0).sequence() - 1);
        }
        for (LoggedEvent e : events) {
            if (e.sequence() != head + 1) {
                throw new IllegalArgumentException("events: " + e + " after " + head + " (expected: contiguous)");
            }
            if (head - oldest + 1 == ring.length) {
                dropOldest();
            }
            ring[slot(e.sequence())] = e;
            head = e.sequence();
            bytes += e.frame().length;
            while (bytes > maxBytes && oldest < head) {
                dropOldest();
            }
        }
    }

    /** Forgets everything: the ring starts after {@code start} of {@code epoch}. */
    public synchronized void clear(String epoch, long start) {
        for (long s = oldest; s <= head; s++) {
            ring[slot(s)] = null;
        }
        this.epoch = epoch;
        head = start;
        oldest = start + 1;
        bytes = 0;
    }

    /**
     * The held events of {@code epoch} after {@code after} up to {@code upTo} whose topic passes the
     * filter, or null when the ring does not hold all of them (another epoch, or older than its start).
     */
    public synchronized List<LoggedEvent> after(String epoch, long after, long upTo, Predicate<String> topics) {
        if (!epoch.equals(this.epoch) || after + 1 < oldest || upTo > head) {
            return null;
        }
        List<LoggedEvent> out = new ArrayList<>();
        for (long s = after + 1; s <= upTo; s++) {
            LoggedEvent e = ring[slot(s)];
            if (topics.test(e.topic())) {
                out.add(e);
            }
        }
        return out;
    }

    /** The epoch the ring holds events of, or null before the first. */
    public synchronized String epoch() {
        return epoch;
    }

    /** Sequence of the oldest held event; {@code head() + 1} when empty. */
    public synchronized long oldest() {
        return oldest;
    }

    public synchronized long head() {
        return head;
    }

    /** The frames' bytes held. */
    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int size() {
        return (int) (head - oldest + 1);
    }

    private void dropOldest() {
        int slot = slot(oldest);
        bytes -= ring[slot].frame().length;
        ring[slot] = null;
        oldest++;
    }

    private int slot(long sequence) {
        return (int) (sequence % ring.length);
    }
}
