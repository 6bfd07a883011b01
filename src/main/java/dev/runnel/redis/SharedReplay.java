package dev.runnel.redis;

import dev.runnel.hub.LoggedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Replay for a cursor on the shared log: from the node's {@link RecentEvents} when they reach back far
 * enough, else from Redis ({@code XRANGE} in bounded batches) up to where the cache takes over. The
 * events come back with the frames this node encodes for them.
 *
 * <p>The cursor may have been judged valid a moment before Redis trimmed what it needs (the log is
 * shared; other nodes publish meanwhile): then the replay says it is incomplete, and the caller sends
 * {@code reset} with {@code history-lost} rather than a replay with a hole.
 *
 * <p>Threading: thread-safe; a call that reads Redis blocks for its round trips.
 */
public final class SharedReplay {
    private final SharedLog log;
    private final RecentEvents cache;

    /**
     * @param events   in log order
     * @param complete false when the log no longer held every event after the cursor: {@code events}
     *                 is then empty
     */
    public record Replayed(List<LoggedEvent> events, boolean complete) {}

    public SharedReplay(SharedLog log, RecentEvents cache) {
        this.log = log;
        this.cache = cache;
    }

    /** The events of {@code epoch} after {@code after} up to {@code upTo} (inclusive) whose topic passes. */
    public Replayed after(String epoch, long after, long upTo, Predicate<String> topics) {
        List<LoggedEvent> cached = cache.after(epoch, after, upTo, topics);
        if (cached != null) {
            return new Replayed(cached, true);
        }
        List<LoggedEvent> out = new ArrayList<>();
        long next = after;
        while (next < upTo) {
            List<LoggedEvent> rest = cache.after(epoch, next, upTo, topics);
            if (rest != null) {
                out.addAll(rest);
                return new Replayed(out, true);
            }
            int want = (int) Math.min(SharedLog.RANGE_BATCH, upTo - next);
            List<LogEntry> batch = log.read(epoch, next, want);
            if (batch.isEmpty()) {
                return new Replayed(List.of(), false);
            }
            for (LogEntry e : batch) {
                if (e.sequence() != next + 1) {
                    return new Replayed(List.of(), false);
                }
                if (e.sequence() > upTo) {
                    break;
                }
                if (topics.test(e.topic())) {
                    out.add(e.toLogged(epoch));
                }
                next = e.sequence();
            }
        }
        return new Replayed(out, true);
    }
}
