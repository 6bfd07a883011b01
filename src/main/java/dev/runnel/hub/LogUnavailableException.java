package dev.runnel.hub;

/**
 * The log's store cannot be reached now (the shared log's Redis is down, or was never reached since
 * start): a subscription cannot be judged or replayed. Retrying later may succeed; the web layer
 * answers {@code 503} with {@code Retry-After}.
 */
public final class LogUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LogUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
