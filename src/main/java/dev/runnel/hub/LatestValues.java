package dev.runnel.hub;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The latest event per key of one state topic, in publish order (oldest first), each with the time
 * it was published on the hub's monotonic clock, so that keys nobody publishes any more can be
 * forgotten from the front.
 *
 * <p>Threading: not thread-safe; guarded by the hub's lock.
 */
final class LatestValues {
    private record Held(LoggedEvent event, long publishedMillis) {
    }

    private final LinkedHashMap<String, Held> byKey = new LinkedHashMap<>();

    boolean has(String key) {
        return byKey.containsKey(key);
    }

    int size() {
        return byKey.size();
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }

    /** Remembers {@code event} as the latest for {@code key}; it goes last, so the order stays publish order. */
    void put(String key, LoggedEvent event, long nowMillis) {
        byKey.remove(key);
        byKey.put(key, new Held(event, nowMillis));
    }

    /** Forgets the keys last published more than {@code maxAgeMillis} ago; returns how many. */
    int forgetOlderThan(long nowMillis, long maxAgeMillis) {
        int forgotten = 0;
        for (Iterator<Held> it = byKey.values().iterator(); it.hasNext(); ) {
            if (nowMillis - it.next().publishedMillis() <= maxAgeMillis) {
                break; // publish order: every later key is younger
            }
            it.remove();
            forgotten++;
        }
        return forgotten;
    }

    void addEventsTo(Collection<LoggedEvent> events) {
        byKey.values().forEach(held -> events.add(held.event()));
    }
}
