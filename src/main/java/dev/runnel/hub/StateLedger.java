package dev.runnel.hub;

import java.util.function.LongSupplier;

/**
 * The values of state topics counted against their {@link StateLimits}: it admits or refuses a new
 * key or topic, records each value with the time it came, and forgets keys past their age. The hub
 * keeps one {@link LatestValues} per state topic and hands it in.
 *
 * <p>Threading: not thread-safe; guarded by the hub's lock.
 */
final class StateLedger {
    private final StateLimits limits;
    private final LongSupplier clock; // monotonic milliseconds
    private int topicsHeld;           // state topics holding at least one key
    private long keysHeld;

    StateLedger(StateLimits limits, LongSupplier clock) {
        this.limits = limits;
        this.clock = clock;
    }

    StateLimits limits() {
        return limits;
    }

    long now() {
        return clock.getAsLong();
    }

    int topicsHeld() {
        return topicsHeld;
    }

    long keysHeld() {
        return keysHeld;
    }

    /** True when a topic holding nothing yet could not be given a value: stale keys elsewhere should go first. */
    boolean refusesNewTopics(LatestValues latest) {
        return (latest == null || latest.isEmpty()) && topicsHeld >= limits.maxTopics();
    }

    /**
     * Refuses a value for a new key beyond {@link StateLimits#maxKeysPerTopic}, or for a topic holding
     * nothing yet beyond {@link StateLimits#maxTopics}, once this topic's stale keys had their chance.
     *
     * @param latest the topic's values, or null when the hub has no record of the topic yet
     */
    void admit(Publication p, String coalesceKey, LatestValues latest, long now) {
        if (refusesNewTopics(latest)) {
            throw new StateLimitException(StateLimitException.Limit.TOPICS, "topic \"" + p.topic() + "\": "
                    + topicsHeld + " state topics hold values already (expected: at most " + limits.maxTopics() + ")");
        }
        if (latest != null && !latest.has(coalesceKey) && latest.size() >= limits.maxKeysPerTopic()) {
            forgetStale(latest, now);
            if (latest.size() >= limits.maxKeysPerTopic()) {
                throw new StateLimitException(StateLimitException.Limit.KEYS_PER_TOPIC, "key \"" + LoggedEvents.stateKey(p)
                        + "\": state topic \"" + p.topic() + "\" holds " + latest.size()
                        + " keys already (expected: at most " + limits.maxKeysPerTopic() + "; publish to a key it holds)");
            }
        }
    }

    void put(LatestValues latest, String coalesceKey, LoggedEvent event, long now) {
        if (!latest.has(coalesceKey)) {
            if (latest.isEmpty()) {
                topicsHeld++;
            }
            keysHeld++;
        }
        latest.put(coalesceKey, event, now);
    }

    /** Whether keys are forgotten at all ({@code keyMaxAge} is not 0). */
    boolean forgets() {
        return limits.keyMaxAgeMillis() > 0;
    }

    /** Forgets the keys of one topic not published for the maximum age. */
    void forgetStale(LatestValues latest, long now) {
        if (!forgets() || latest.isEmpty()) {
            return;
        }
        int forgotten = latest.forgetOlderThan(now, limits.keyMaxAgeMillis());
        keysHeld -= forgotten;
        if (forgotten > 0 && latest.isEmpty()) {
            topicsHeld--;
        }
    }
}
