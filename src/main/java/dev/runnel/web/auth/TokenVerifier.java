package dev.runnel.web.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.lang.System.Logger.Level;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies signed JWTs (RFC 7519) with nimbus-jose-jwt and turns their claims into {@link Grants}. The
 * keys, each pinned to its algorithm, are {@link TokenKeys}'. {@code typ} may be absent, {@code JWT}
 * or {@code at+jwt} (RFC 9068 access tokens). {@code exp} is required; {@code exp} and {@code nbf} are
 * checked with the configured clock skew, {@code iss} and {@code aud} when configured.
 *
 * <p>A refusal ({@link Rejected}) carries a stable reason code ({@code expired}, {@code bad-issuer}, …)
 * and a detail that says what is wrong with the token in general terms, never what the server expects
 * (nimbus' own messages name the configured issuer). Each rule is judged by a nimbus verifier that sees
 * only the claim it judges, so the reason follows from which verifier refused, not from its message.
 * What happened goes to the log at DEBUG, without the token.
 *
 * <p>Threading: thread-safe (the nimbus processor is stateless once configured).
 */
public final class TokenVerifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TokenVerifier.class.getName());
    private static final Set<String> TYPES = Set.of("jwt", "at+jwt", "application/at+jwt");

    private final TokenKeys keys;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final DefaultJWTClaimsVerifier<SecurityContext> lifetime;
    private final DefaultJWTClaimsVerifier<SecurityContext> issuer;
    private final DefaultJWTClaimsVerifier<SecurityContext> audience;
    private final long skewMillis;

    /**
     * A JWK Set to take keys from: a file or an http(s) URL ({@code runnel.jwt.jwks}), cached for
     * {@code refresh}, fetched again at most twice per {@code minInterval}.
     */
    public record Jwks(String location, Duration refresh, Duration minInterval) {}

    /** A token that is not accepted: why, as a stable code, and a generic detail for the 401. */
    static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String reason;

        Rejected(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /** The keys' source could not be reached (a JWK Set URL down): not the token's fault, a 503. */
    static final class KeysUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KeysUnavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** A refusal from inside nimbus' processing, with its reason. */
    private static final class Refusal extends BadJWTException {
        private static final long serialVersionUID = 1L;
        final Rejected rejected;

        Refusal(String reason, String detail) {
            super(detail);
            this.rejected = new Rejected(reason, detail);
        }
    }

    /**
     * @param hmacSecret the HS256 key, or null
     * @param publicKey  a PEM {@code PUBLIC KEY}, a JWK, or a path to a file holding either; or null
     * @param jwks       a JWK Set, or null
     */
    public TokenVerifier(byte[] hmacSecret, String publicKey, Jwks jwks, String issuer, String audience,
            Duration skew) {
        this.keys = new TokenKeys(hmacSecret, publicKey, jwks);
        this.skewMillis = skew.toMillis();
        int skewSeconds = (int) Math.min(Integer.MAX_VALUE, skew.toSeconds());
        this.lifetime = new DefaultJWTClaimsVerifier<>(null, new JWTClaimsSet.Builder().build(), null, null);
        lifetime.setMaxClockSkew(skewSeconds);
        this.issuer = issuer == null ? null : new DefaultJWTClaimsVerifier<>(null,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("iss"), null);
        this.audience = audience == null ? null : new DefaultJWTClaimsVerifier<>(Set.of(audience),
                new JWTClaimsSet.Builder().build(), Set.of("aud"), null);
        processor.setJWSTypeVerifier((type, context) -> {
            if (type != null && !TYPES.contains(type.getType().toLowerCase(Locale.ROOT))) {
                throw new Refusal("bad-type", "the token's type (typ) is not accepted (expected: JWT or at+jwt)");
            }
        });
        processor.setJWSKeySelector(keys);
        processor.setJWTClaimsSetVerifier(this::checkClaims);
    }

    /** With the given keys and no JWK Set: for tests and the single-key configurations. */
    public TokenVerifier(byte[] hmacSecret, String publicKey, String issuer, String audience, Duration skew) {
        this(hmacSecret, publicKey, null, issuer, audience, skew);
    }

    boolean isConfigured() {
        return !keys.isEmpty();
    }

    /** Verifies {@code token} and returns what it grants; throws {@link Rejected} or {@link KeysUnavailable}. */
    Grants verify(String token) {
        if (keys.isEmpty()) {
            throw reject("no-key", "tokens are not accepted here: no token key is configured", "no key configured");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw reject("malformed", "the token is not a well-formed signed JWT (header.payload.signature)", e.toString());
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw reject("unsupported-algorithm", "the token is not signed with an accepted algorithm",
                    jwt instanceof PlainJWT ? "alg none" : "an encrypted token");
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (!keys.accepts(alg)) {
            throw reject("unsupported-algorithm", "the token's algorithm (alg " + alg + ") is not accepted", "alg " + alg);
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (Refusal r) {
            LOG.log(Level.DEBUG, () -> "token refused: " + r.rejected.reason);
            throw r.rejected;
        } catch (BadJWSException e) {
            throw reject("bad-signature", "the token's signature does not verify", e.getMessage());
        } catch (BadJOSEException e) {
            throw reject("unknown-key", "no key of this server matches the token (alg, kid)", e.getMessage());
        } catch (KeySourceException e) {
            LOG.log(Level.WARNING, "token keys unavailable: " + e.getMessage());
            throw new KeysUnavailable("the token keys cannot be fetched right now; retry shortly");
        } catch (JOSEException | RuntimeException e) {
            throw reject("bad-signature", "the token's signature does not verify", e.toString());
        }
        return grants(claims);
    }

    private void checkClaims(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        if (claims.getExpirationTime() == null) {
            throw new Refusal("missing-claim", "the token has no expiry (claim exp is required)");
        }
        judge(lifetime, new JWTClaimsSet.Builder().expirationTime(claims.getExpirationTime()).build(),
                "expired", "the token has expired (exp)");
        judge(lifetime, new JWTClaimsSet.Builder().notBeforeTime(claims.getNotBeforeTime()).build(),
                "not-yet-valid", "the token is not valid yet (nbf)");
        if (issuer != null) {
            judge(issuer, new JWTClaimsSet.Builder().issuer(claims.getIssuer()).build(),
                    "bad-issuer", "the token's issuer (iss) is not accepted");
        }
        if (audience != null) {
            judge(audience, new JWTClaimsSet.Builder().audience(claims.getAudience()).build(),
                    "bad-audience", "the token's audience (aud) is not accepted");
        }
    }

    /** Runs {@code verifier} on {@code only} (the one claim it judges); its refusal is {@code reason}. */
    private static void judge(DefaultJWTClaimsVerifier<SecurityContext> verifier, JWTClaimsSet only, String reason,
            String detail) throws Refusal {
        try {
            verifier.verify(only, null);
        } catch (BadJWTException e) {
            LOG.log(Level.DEBUG, () -> "token refused: " + reason + " (" + e.getMessage() + ")");
            throw new Refusal(reason, detail);
        }
    }

    private static Rejected reject(String reason, String detail, String what) {
        LOG.log(Level.DEBUG, () -> "token refused: " + reason + " (" + what + ")");
        return new Rejected(reason, detail);
    }

    private Grants grants(JWTClaimsSet claims) {
        List<String> publish = entries(claims, "pub");
        List<String> subscribe = entries(claims, "topics");
        long exp = claims.getExpirationTime().getTime();
        long expires = exp > Long.MAX_VALUE - skewMillis ? Long.MAX_VALUE : exp + skewMillis;
        return new Grants(claims.getSubject(), publish, subscribe, expires, flag(claims, "chat"), flag(claims, "admin"));
    }

    /**
     * A claim that is true, false or absent (false): {@code chat} (the bearer may start answers on the
     * upstream model), {@code admin} (the bearer is an operator).
     */
    private static boolean flag(JWTClaimsSet claims, String name) {
        try {
            Boolean value = claims.getBooleanClaim(name);
            return value != null && value;
        } catch (ParseException e) {
            throw reject("bad-claim", "claim " + name + ": expected true or false", "claim " + name);
        }
    }

    private static List<String> entries(JWTClaimsSet claims, String name) {
        List<String> list;
        try {
            list = claims.getStringListClaim(name);
        } catch (ParseException e) {
            throw reject("bad-claim", "claim " + name + ": expected an array of strings", "claim " + name);
        }
        if (list == null) {
            return null;
        }
        for (String entry : list) {
            if (entry == null || !Grants.isEntry(entry)) {
                throw reject("bad-claim", "claim " + name + ": an entry is neither a topic name nor a prefix ending in /",
                        "claim " + name);
            }
        }
        return list;
    }

    @Override
    public void close() {
        keys.close();
    }
}
