package dev.runnel.web.api;

import dev.runnel.hub.Receipt;
import dev.runnel.web.http.HttpError;

/**
 * How HTTP tells a publisher that the hub did not log its event: one answer per {@link Receipt.Status},
 * for {@code POST /publish} and every demo endpoint that publishes.
 *
 * <pre>
 * ENDED        409 topic-ended        the finite topic has ended; a retry can never succeed
 * STATE_LIMIT  409 state-limit        the topic's state is in the way, not the client's pace
 * BACKLOGGED   503 backlogged         the fan-out is behind its bound; Retry-After: 1
 * UNAVAILABLE  503 log-unavailable    the shared log's Redis cannot be reached; Retry-After: 2
 * CLOSED       503 shutting-down      Retry-After: 5
 * </pre>
 *
 * <p>Threading: stateless.
 */
public final class Refusals {
    private Refusals() {}

    /** The error for a receipt that is not an acceptance. */
    public static HttpError of(Receipt receipt) {
        return switch (receipt.status()) {
            case ENDED -> new HttpError(409, "topic-ended", receipt.detail());
            // 409, not 429: a retry cannot succeed until keys age out; the publisher resolves it by
            // reusing its keys.
            case STATE_LIMIT -> new HttpError(409, "state-limit", receipt.detail() + " (runnel.state.maxTopics,"
                    + " runnel.state.maxKeysPerTopic; keys not published for runnel.state.keyMaxAge are forgotten)");
            case BACKLOGGED -> new HttpError(503, "backlogged", receipt.detail()).withHeader("Retry-After", "1");
            case UNAVAILABLE -> new HttpError(503, "log-unavailable", receipt.detail()).withHeader("Retry-After", "2");
            case CLOSED -> shuttingDown(receipt.detail());
            case ACCEPTED, SUPERSEDED -> throw new IllegalArgumentException("receipt: " + receipt.status()
                    + " (expected: a refusal an HTTP publisher can get)");
        };
    }

    /** 503 while the server shuts down. */
    public static HttpError shuttingDown(String detail) {
        return new HttpError(503, "shutting-down", detail).withHeader("Retry-After", "5");
    }

    /** 503 while the log cannot be reached (the shared log's Redis): publish and subscribe alike. */
    public static HttpError logUnavailable(String detail) {
        return new HttpError(503, "log-unavailable", detail).withHeader("Retry-After", "2");
    }
}
