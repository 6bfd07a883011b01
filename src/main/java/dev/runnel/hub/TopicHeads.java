package dev.runnel.hub;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sequence of the newest event of every topic published to recently, so that a cursor the log
 * no longer covers can still be honoured when none of the subscription's topics published after it:
 * a subscriber of a quiet topic loses nothing because other topics pushed its cursor out of the log.
 *
 * <p>At most {@code capacity} topics are remembered; beyond, the one published to longest ago is
 * forgotten, and {@code forgottenThrough} keeps the newest sequence any forgotten topic had. A topic
 * not remembered is then judged as if it had published at {@code forgottenThrough}: possibly too
 * strict, never too lenient.
 *
 * <p>A log that starts reading in the middle (a node joining a shared log) starts with
 * {@code forgottenThrough} at the position it starts after: it has seen no topic's events before.
 *
 * <p>Threading: not thread-safe; guarded by its log's lock.
 */
public final class TopicHeads {
    /** Topics remembered: enough for every topic of a busy node, a few MiB at most. */
    public static final int CAPACITY = 10_000;

    private final int capacity;
    private final LinkedHashMap<String, Long> newest = new LinkedHashMap<>(); // oldest head first
    private long forgottenThrough;

    /** @param forgottenThrough the position before which nothing is known of any topic */
    public TopicHeads(int capacity, long forgottenThrough) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
        this.forgottenThrough = forgottenThrough;
    }

    /** Whether {@code topic} is known to have published (to this hub, within what is remembered). */
    public boolean knows(String topic) {
        return newest.containsKey(topic);
    }

    /** {@code topic} just published the event at {@code sequence}, the newest in the log. */
    public void published(String topic, long sequence) {
        newest.remove(topic); // re-inserted last: the map stays in order of sequence
        newest.put(topic, sequence);
        if (newest.size() > capacity) {
            Iterator<Map.Entry<String, Long>> eldest = newest.entrySet().iterator();
            forgottenThrough = Math.max(forgottenThrough, eldest.next().getValue());
            eldest.remove();
        }
    }

    /** True when no topic of {@code topics} has published an event after {@code sequence}. */
    public boolean quietSince(Collection<String> topics, long sequence) {
        for (String topic : topics) {
            Long head = newest.get(topic);
            if ((head != null ? head : forgottenThrough) > sequence) {
                return false;
            }
        }
        return true;
    }
}
