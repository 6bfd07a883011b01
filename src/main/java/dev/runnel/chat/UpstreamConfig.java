package dev.runnel.chat;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach an OpenAI-compatible upstream ({@code runnel.chat.upstream.*}).
 *
 * @param url               the base URL up to and including {@code /v1}; requests go to {@code <url>/chat/completions}
 * @param model             the model name sent upstream (and listed by {@code GET /v1/models})
 * @param apiKey            sent as {@code Authorization: Bearer}; null for servers that need none. Never logged
 * @param connectTimeout    to open a connection
 * @param firstTokenTimeout from the request to the first piece of the answer
 * @param idleTimeout       between two reads of the response
 * @param totalTimeout      one request, start to end
 * @param maxConcurrent     requests in flight at once; more wait for a connection
 * @param retries           further attempts before the first token, on 429, 5xx, 529 and timeouts
 * @param maxRetryAfter     the longest {@code retry-after} honoured; a longer one fails the answer at once
 *
 * <p>Threading: immutable.
 */
public record UpstreamConfig(URI url, String model, String apiKey, Duration connectTimeout, Duration firstTokenTimeout,
        Duration idleTimeout, Duration totalTimeout, int maxConcurrent, int retries, Duration maxRetryAfter) {

    public UpstreamConfig {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null
                || url.getQuery() != null || url.getFragment() != null) {
            throw new IllegalArgumentException("runnel.chat.upstream.url: \"" + url + "\" (expected: http(s)://host[:port]"
                    + "/…/v1, no query)");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("runnel.chat.upstream.model: missing (expected: the model's name, "
                    + "e.g. gpt-4o-mini or llama3.2)");
        }
        positive("runnel.chat.upstream.connectTimeout", connectTimeout);
        positive("runnel.chat.upstream.firstTokenTimeout", firstTokenTimeout);
        positive("runnel.chat.upstream.idleTimeout", idleTimeout);
        positive("runnel.chat.upstream.totalTimeout", totalTimeout);
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("runnel.chat.upstream.maxConcurrent: " + maxConcurrent
                    + " (expected: >= 1)");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("runnel.chat.upstream.retries: " + retries + " (expected: >= 0)");
        }
    }

    /** {@code <url>/chat/completions}. */
    URI completions() {
        String base = url.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions");
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "UpstreamConfig[" + url + ", model " + model + (apiKey == null ? ", no key" : ", key set") + "]";
    }

    private static void positive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(key + ": " + d.toMillis() + "ms (expected: > 0)");
        }
    }
}
