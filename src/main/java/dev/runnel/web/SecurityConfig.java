package dev.runnel.web;

import dev.runnel.web.http.ClientAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The keys for authentication, CORS, client addresses and limits, with their defaults. The README's
 * "Configuration" and "Security" sections list the same keys; keep them together. Token keys (PEM,
 * JWK, a JWK Set file) are parsed by {@code TokenVerifier}, before any thread starts as well.
 *
 * <p>Threading: immutable.
 */
record SecurityConfig(
        String jwtSecret,
        String jwtPublicKey,
        String jwtIssuer,
        String jwtAudience,
        Duration jwtClockSkew,
        String jwtJwks,
        Duration jwtJwksRefresh,
        Duration jwtJwksMinInterval,
        List<String> privateTopics,
        String authCookie,
        Duration ticketTtl,
        int ticketsMax,
        int ticketsPerSubject,
        List<String> corsOrigins,
        int streamsMax,
        int streamsPerAddress,
        int publishRate,
        int publishBurst,
        boolean publishAllowLoopback,
        ClientAddress clients,
        long maxHeaderBytes,
        int maxLastEventIdLength,
        boolean demoTokens) {

    /** HS256 needs a key of at least 256 bits (RFC 7518, section 3.2). */
    static final int MIN_SECRET_BYTES = 32;

    static SecurityConfig from(Settings s) {
        SecurityConfig c = new SecurityConfig(
                s.string("runnel.jwt.secret", null),
                s.string("runnel.jwt.publicKey", null),
                s.string("runnel.jwt.issuer", null),
                s.string("runnel.jwt.audience", null),
                s.duration("runnel.jwt.clockSkew", Duration.ofSeconds(30)),
                s.string("runnel.jwt.jwks", null),
                s.duration("runnel.jwt.jwksRefresh", Duration.ofMinutes(5)),
                s.duration("runnel.jwt.jwksMinInterval", Duration.ofSeconds(30)),
                s.list("runnel.private", ""),
                s.string("runnel.auth.cookie", "runnel_token"),
                s.duration("runnel.tickets.ttl", Duration.ofSeconds(30)),
                s.integer("runnel.tickets.max", 10_000, 1, 10_000_000),
                s.integer("runnel.tickets.perSubject", 32, 1, 10_000_000),
                s.list("runnel.cors.origins", "").stream().map(SecurityConfig::origin).toList(),
                s.integer("runnel.streams.max", 10_000, 1, 10_000_000),
                s.integer("runnel.streams.perAddress", 100, 0, 10_000_000),
                s.integer("runnel.publish.rate", 1000, 0, 10_000_000),
                s.integer("runnel.publish.burst", 2000, 1, 10_000_000),
                s.bool("runnel.publish.allowLoopback", false),
                ClientAddress.trusting(s.list("runnel.proxies.trusted", "")),
                s.bytes("runnel.request.maxHeaderBytes", 8 * 1024),
                s.integer("runnel.subscribe.maxLastEventIdLength", 256, 16, 4096),
                s.bool("runnel.demo.tokens", false));
        c.check();
        return c;
    }

    private void check() {
        if (jwtSecret != null && jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("runnel.jwt.secret: " + jwtSecret.length() + " characters (expected: at least "
                    + MIN_SECRET_BYTES + " bytes, as HS256 requires)");
        }
        if (jwtJwksMinInterval.isZero() || jwtJwksMinInterval.compareTo(jwtJwksRefresh) >= 0) {
            throw new IllegalArgumentException("runnel.jwt.jwksMinInterval: " + jwtJwksMinInterval.toMillis()
                    + "ms (expected: > 0 and shorter than runnel.jwt.jwksRefresh, " + jwtJwksRefresh.toMillis() + "ms)");
        }
        if (ticketTtl.isZero() || ticketTtl.isNegative()) {
            throw new IllegalArgumentException("runnel.tickets.ttl: " + ticketTtl.toMillis() + "ms (expected: > 0)");
        }
        if (maxHeaderBytes <= 0) {
            throw new IllegalArgumentException("runnel.request.maxHeaderBytes: " + maxHeaderBytes + " (expected: > 0)");
        }
        if (!authCookie.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
            throw new IllegalArgumentException("runnel.auth.cookie: \"" + authCookie + "\" (expected: a cookie name token)");
        }
    }

    /** An allowed origin as browsers send it: scheme://host[:port], lower case, no path. */
    private static String origin(String configured) {
        String o = configured.toLowerCase(Locale.ROOT);
        if (o.endsWith("/")) {
            o = o.substring(0, o.length() - 1);
        }
        // Credentials are always allowed, and the CORS rules forbid them together with a wildcard.
        if (!o.matches("https?://[a-z0-9.\\-\\[\\]:]+")) {
            throw new IllegalArgumentException("runnel.cors.origins: \"" + configured
                    + "\" (expected: origins such as https://app.example.com; no * and no path)");
        }
        return o;
    }

    boolean jwtConfigured() {
        return jwtSecret != null || jwtPublicKey != null || jwtJwks != null;
    }
}
