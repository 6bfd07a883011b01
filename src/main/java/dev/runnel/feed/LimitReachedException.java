package dev.runnel.feed;

/**
 * Starting one more task, answer or poem run would exceed its configured limit. The HTTP layer
 * answers {@code 429 Too Many Requests} with {@code Retry-After: retryAfterSeconds}.
 */
public final class LimitReachedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    LimitReachedException(String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** When trying again has a chance, in whole seconds (at least 1). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
