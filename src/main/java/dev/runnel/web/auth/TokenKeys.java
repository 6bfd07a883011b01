package dev.runnel.web.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys tokens are verified with, each pinned to one algorithm: HS256 to {@code runnel.jwt.secret},
 * RS256 to an RSA key of at least 2048 bits and ES256 to an EC key on P-256, whether the key is the one
 * of {@code runnel.jwt.publicKey} or one of a JWK Set ({@code runnel.jwt.jwks}). A token whose
 * algorithm has no key of its type finds none and is refused, so {@code none}, or HS256 "signed" with a
 * public key's bytes, never verifies.
 *
 * <p>The JWK Set (a file, or an http/https URL) is nimbus-jose-jwt's own {@link JWKSourceBuilder}
 * source: keys are matched by the token's {@code kid}, algorithm and curve, the set is cached for
 * {@code runnel.jwt.jwksRefresh}, fetched again when a token names a {@code kid} the cached set lacks,
 * and fetched at most twice per {@code runnel.jwt.jwksMinInterval}, so a flood of unknown {@code kid}s
 * costs one fetch, not one per token. A file is read and checked at start; a URL is fetched when the
 * first token needs it (an issuer that is down must not keep Runnel from starting). No thread is
 * started for it.
 *
 * <p>Threading: thread-safe.
 */
final class TokenKeys implements JWSKeySelector<SecurityContext>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TokenKeys.class.getName());
    private static final Set<JWSAlgorithm> JWKS_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    private static final int JWKS_TIMEOUT_MILLIS = 2_000;
    private static final int JWKS_MAX_BYTES = 256 * 1024;

    private final Map<JWSAlgorithm, Key> fixed;
    private final JWKSource<SecurityContext> jwks;
    private final JWSVerificationKeySelector<SecurityContext> jwksSelector;
    private final Set<JWSAlgorithm> algorithms;

    /**
     * @param hmacSecret the HS256 key, or null
     * @param publicKey  a PEM {@code PUBLIC KEY}, a JWK, or a path to a file holding either; or null
     * @param jwks       a JWK Set, or null
     * @throws IllegalArgumentException a key or the JWK Set cannot be used (the message names the setting)
     */
    TokenKeys(byte[] hmacSecret, String publicKey, TokenVerifier.Jwks jwks) {
        Map<JWSAlgorithm, Key> k = new LinkedHashMap<>();
        if (hmacSecret != null) {
            k.put(JWSAlgorithm.HS256, new SecretKeySpec(hmacSecret, "HmacSHA256"));
        }
        if (publicKey != null) {
            PublicKey key = publicKey(publicKey);
            k.put(algorithmOf(key, "runnel.jwt.publicKey"), key);
        }
        this.fixed = Map.copyOf(k);
        this.jwks = jwks == null ? null : source(jwks);
        this.jwksSelector = jwks == null ? null : new JWSVerificationKeySelector<>(JWKS_ALGORITHMS, this.jwks);
        Set<JWSAlgorithm> all = new LinkedHashSet<>(fixed.keySet());
        if (jwks != null) {
            all.addAll(JWKS_ALGORITHMS);
        }
        this.algorithms = Set.copyOf(all);
    }

    boolean isEmpty() {
        return algorithms.isEmpty();
    }

    /** Whether some key could verify a token of {@code alg}. */
    boolean accepts(JWSAlgorithm alg) {
        return algorithms.contains(alg);
    }

    @Override
    public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        List<Key> keys = new ArrayList<>();
        Key key = fixed.get(header.getAlgorithm());
        if (key != null) {
            keys.add(key);
        }
        if (jwksSelector != null && JWKS_ALGORITHMS.contains(header.getAlgorithm())) {
            try {
                for (Key candidate : jwksSelector.selectJWSKeys(header, context)) {
                    if (candidate instanceof PublicKey p && usable(p)) {
                        keys.add(candidate);
                    }
                }
            } catch (RateLimitReachedException e) {
                // An unknown kid while the set was just fetched: no fetch now, and no key for it.
                LOG.log(Level.DEBUG, "JWK Set: not fetched again yet (runnel.jwt.jwksMinInterval)");
            } catch (KeySourceException e) {
                if (keys.isEmpty()) {
                    throw e;
                }
                LOG.log(Level.WARNING, "JWK Set unavailable (" + e.getMessage() + "); using runnel.jwt.publicKey");
            }
        }
        return keys;
    }

    @Override
    public void close() {
        if (jwks instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, () -> "closing the JWK Set source: " + e);
            }
        }
    }

    private static JWKSource<SecurityContext> source(TokenVerifier.Jwks jwks) {
        String location = jwks.location().strip();
        URL url;
        if (location.startsWith("https://") || location.startsWith("http://")) {
            try {
                URI uri = new URI(location);
                if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    throw new URISyntaxException(location, "no host");
                }
                url = uri.toURL();
            } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("runnel.jwt.jwks: \"" + location + "\" is not a usable URL ("
                        + e.getMessage() + ")");
            }
        } else {
            Path file = Path.of(location);
            JWKSet set;
            try {
                set = JWKSet.load(file.toFile());
                url = file.toUri().toURL();
            } catch (IOException | ParseException | RuntimeException e) {
                throw new IllegalArgumentException("runnel.jwt.jwks: \"" + location + "\" is neither an http(s) URL "
                        + "nor a readable JWK Set file (" + e.getMessage() + ")");
            }
            if (set.getKeys().stream().noneMatch(TokenKeys::usable)) {
                throw new IllegalArgumentException("runnel.jwt.jwks: " + file + " holds no usable key (expected: "
                        + "RSA keys of at least 2048 bits, or EC keys on P-256)");
            }
        }
        long refresh = jwks.refresh().toMillis();
        return JWKSourceBuilder.<SecurityContext>create(url,
                        new DefaultResourceRetriever(JWKS_TIMEOUT_MILLIS, JWKS_TIMEOUT_MILLIS, JWKS_MAX_BYTES))
                .cache(refresh, Math.min(refresh, JWKS_TIMEOUT_MILLIS * 2L))
                .rateLimited(jwks.minInterval().toMillis())
                .refreshAheadCache(false)
                .retrying(false)
                .outageTolerant(false)
                .build();
    }

    private static boolean usable(JWK jwk) {
        try {
            if (jwk instanceof RSAKey rsa) {
                return usable(rsa.toRSAPublicKey());
            }
            return jwk instanceof ECKey ec && usable(ec.toECPublicKey());
        } catch (JOSEException e) {
            return false;
        }
    }

    private static boolean usable(PublicKey key) {
        try {
            algorithmOf(key, "runnel.jwt.jwks");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A public key from a PEM, a JWK, or a file holding either. */
    static PublicKey publicKey(String configured) {
        String text = configured.strip();
        if (!text.startsWith("-----BEGIN") && !text.startsWith("{")) {
            try {
                text = Files.readString(Path.of(text)).strip();
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("runnel.jwt.publicKey: neither a PEM key, a JWK nor a readable file ("
                        + e.getMessage() + ")");
            }
        }
        try {
            if (text.startsWith("{")) {
                JWK jwk = JWK.parse(text);
                if (jwk instanceof RSAKey rsa) {
                    return rsa.toRSAPublicKey();
                }
                if (jwk instanceof ECKey ec) {
                    return ec.toECPublicKey();
                }
                throw new IllegalArgumentException("runnel.jwt.publicKey: a " + jwk.getKeyType() + " JWK (expected: RSA or EC)");
            }
            String begin = "-----BEGIN PUBLIC KEY-----";
            String end = "-----END PUBLIC KEY-----";
            int from = text.indexOf(begin);
            int to = text.indexOf(end);
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("runnel.jwt.publicKey: no " + begin + " block (expected: an X.509 "
                        + "SubjectPublicKeyInfo PEM, as openssl pkey -pubout writes)");
            }
            byte[] der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
            X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
            try {
                return KeyFactory.getInstance("RSA").generatePublic(spec);
            } catch (InvalidKeySpecException notRsa) {
                return KeyFactory.getInstance("EC").generatePublic(spec);
            }
        } catch (ParseException | JOSEException | GeneralSecurityException e) {
            throw new IllegalArgumentException("runnel.jwt.publicKey: not a usable key (" + e.getMessage() + ")", e);
        }
    }

    /** The one algorithm {@code key} verifies: RS256 for RSA of 2048 bits or more, ES256 for EC on P-256. */
    static JWSAlgorithm algorithmOf(PublicKey key, String setting) {
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException(setting + ": RSA " + rsa.getModulus().bitLength()
                        + " bits (expected: at least 2048)");
            }
            return JWSAlgorithm.RS256;
        }
        if (key instanceof ECPublicKey ec) {
            // ES256 is ECDSA on P-256 (RFC 7518, 3.4): another 256-bit curve is not ES256.
            if (Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                return JWSAlgorithm.ES256;
            }
            throw new IllegalArgumentException(setting + ": an EC key on another curve than P-256 (expected: P-256 for ES256)");
        }
        throw new IllegalArgumentException(setting + ": " + key.getAlgorithm()
                + " key (expected: RSA for RS256, or EC P-256 for ES256)");
    }
}
