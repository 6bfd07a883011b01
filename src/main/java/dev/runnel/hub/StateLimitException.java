package dev.runnel.hub;

/**
 * Thrown when a publication would give a state topic one key too many, or add one state topic too
 * many ({@link StateLimits}). Nothing was appended; publishing to a key the topic already holds still
 * works, and keys that are not published again are forgotten after their maximum age.
 */
public final class StateLimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which bound was reached. */
    public enum Limit {
        /** {@link StateLimits#maxTopics()}: state topics holding values. */
        TOPICS,
        /** {@link StateLimits#maxKeysPerTopic()}: keys of one state topic. */
        KEYS_PER_TOPIC
    }

    private final Limit limit;

    StateLimitException(Limit limit, String message) {
        super(message);
        this.limit = limit;
    }

    public Limit limit() {
        return limit;
    }
}
