package dev.runnel.redis;

/**
 * Redis could not be reached, or did not answer within the socket timeout. For a write the outcome
 * is unknown: it may have been applied. Repeating it with the same idempotency key is safe.
 */
public final class RedisUnavailableException extends RuntimeException {
    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
