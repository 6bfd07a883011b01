package dev.runnel.hub;

/**
 * What state topics may keep: how many of them hold values at once, how many keys one of them may
 * hold, and how long a key that is not published again is kept ({@code 0}: for ever). A publication
 * beyond a bound is refused ({@link StateLimitException}) after stale keys had their chance to go.
 *
 * <p>Threading: immutable.
 */
public record StateLimits(int maxTopics, int maxKeysPerTopic, long keyMaxAgeMillis) {
    /** No bound at all (tests and benchmarks). */
    public static final StateLimits NONE = new StateLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, 0);

    public StateLimits {
        if (maxTopics <= 0) {
            throw new IllegalArgumentException("maxTopics: " + maxTopics + " (expected: > 0)");
        }
        if (maxKeysPerTopic <= 0) {
            throw new IllegalArgumentException("maxKeysPerTopic: " + maxKeysPerTopic + " (expected: > 0)");
        }
        if (keyMaxAgeMillis < 0) {
            throw new IllegalArgumentException("keyMaxAgeMillis: " + keyMaxAgeMillis + " (expected: >= 0)");
        }
    }
}
