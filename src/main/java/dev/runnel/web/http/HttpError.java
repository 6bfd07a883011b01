package dev.runnel.web.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer that is an error: its status, a stable error code, a detail for people, optionally a
 * stable reason code that narrows the error down (a refused token's {@code expired}, {@code bad-issuer}…),
 * and the headers the answer carries ({@code Retry-After}, {@code WWW-Authenticate}, {@code Allow}).
 * Thrown from any endpoint, or from what an endpoint calls in {@code web}, and answered by
 * {@link ApiServlet} as {@code {"error": "<code>", "detail": "<detail>"}} (and {@code "reason"} when set).
 *
 * <p>Threading: built by one thread, then only read.
 */
public final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String reason;

    public HttpError(int status, String error, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.error = error;
    }

    /** 400 {@code bad-request}: input that cannot be accepted, with the reason. */
    public static HttpError badRequest(String detail) {
        return new HttpError(400, "bad-request", detail);
    }

    /** Adds a header to the error's answer. */
    public HttpError withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** Adds a stable reason code to the error's answer. */
    public HttpError withReason(String reason) {
        this.reason = reason;
        return this;
    }

    /** The reason code, or null. */
    public String reason() {
        return reason;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, String> headers() {
        return Collections.unmodifiableMap(headers);
    }
}
