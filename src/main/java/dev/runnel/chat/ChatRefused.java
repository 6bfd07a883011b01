package dev.runnel.chat;

/**
 * An answer cannot be started (or found, or stopped) as asked. The HTTP layer answers with the
 * status of its {@link Kind}, the {@code error} code and the message as {@code detail}, plus
 * {@code Retry-After} when {@link #retryAfterSeconds} is positive.
 *
 * <p>Threading: immutable.
 */
public final class ChatRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, with the HTTP status that says it. */
    public enum Kind {
        BAD_REQUEST(400, "bad-request"),
        UNAUTHORIZED(401, "unauthorized"),
        NOT_FOUND(404, "not-found"),
        CONFLICT(409, "conflict"),
        TOO_LARGE(413, "too-large"),
        TOO_MANY(429, "too-many-requests"),
        UNAVAILABLE(503, "shutting-down");

        public final int status;
        public final String error;

        Kind(int status, String error) {
            this.status = status;
            this.error = error;
        }
    }

    private final Kind kind;
    private final long retryAfterSeconds;

    ChatRefused(Kind kind, String detail) {
        this(kind, detail, 0);
    }

    ChatRefused(Kind kind, String detail, long retryAfterSeconds) {
        super(detail, null, false, false);
        this.kind = kind;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Kind kind() {
        return kind;
    }

    /** When trying again has a chance, in whole seconds; 0 when it has none or the kind says nothing of time. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
