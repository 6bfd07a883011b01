package dev.runnel.chat;

import com.google.gson.JsonObject;

/**
 * Why an answer could not be completed, as its {@code failed} event says:
 * <pre>
 * event: failed
 * data: {"reason":"rate-limited","status":429,"retryAfter":20,"detail":"…","tokens":0}
 * </pre>
 *
 * @param reason     one of {@link #RATE_LIMITED}, {@link #OVERLOADED}, {@link #UPSTREAM_ERROR},
 *                   {@link #TIMEOUT}, {@link #BAD_RESPONSE}, {@link #UNAUTHORIZED}
 * @param status     the upstream's HTTP status, or 0 when there was none (a timeout, a dropped connection)
 * @param retryAfter seconds the upstream asked to wait, or -1
 * @param detail     a sentence for people; never the upstream's credentials
 *
 * <p>Threading: immutable.
 */
public record Failure(String reason, int status, long retryAfter, String detail) {
    public static final String RATE_LIMITED = "rate-limited";
    public static final String OVERLOADED = "overloaded";
    public static final String UPSTREAM_ERROR = "upstream-error";
    public static final String TIMEOUT = "timeout";
    public static final String BAD_RESPONSE = "bad-response";
    public static final String UNAUTHORIZED = "unauthorized";

    public static Failure of(String reason, String detail) {
        return new Failure(reason, 0, -1, detail);
    }

    /** What an upstream HTTP status means for the answer. */
    static Failure ofStatus(int status, long retryAfter, String detail) {
        String reason = switch (status) {
            case 401, 403 -> UNAUTHORIZED;
            case 429 -> RATE_LIMITED;
            case 503, 529 -> OVERLOADED;
            default -> UPSTREAM_ERROR;
        };
        return new Failure(reason, status, retryAfter, detail);
    }

    /** Worth another try before the first token: rate limits, overload, server errors and timeouts. */
    boolean retryable() {
        return reason.equals(RATE_LIMITED) || reason.equals(OVERLOADED) || reason.equals(TIMEOUT)
                || (reason.equals(UPSTREAM_ERROR) && (status == 0 || status >= 500));
    }

    JsonObject toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("reason", reason);
        if (status > 0) {
            json.addProperty("status", status);
        }
        if (retryAfter >= 0) {
            json.addProperty("retryAfter", retryAfter);
        }
        json.addProperty("detail", detail);
        return json;
    }
}
