package dev.runnel.web.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies signed JWTs (RFC 7519) with nimbus-jose-jwt and turns their claims into {@link Grants}.
 * Each accepted algorithm is pinned to its configured key: HS256 to {@code runnel.jwt.secret}, RS256
 * or ES256 to {@code runnel.jwt.publicKey}. A token naming any other algorithm — {@code none}
 * included, or HS256 signed with the public key's bytes (the "algorithm confusion" attack) — finds
 * no key and is refused. {@code exp} is required; {@code exp} and {@code nbf} are checked with the
 * configured clock skew, {@code iss} and {@code aud} when configured.
 *
 * <p>Threading: thread-safe (the nimbus processor is stateless once configured).
 */
public final class TokenVerifier {
    private final Map<JWSAlgorithm, Key> keys;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final long skewMillis;

    /** Thrown for any token that is not accepted; the message says why, for the 401's detail. */
    static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param hmacSecret the HS256 key, or null
     * @param publicKey  a PEM {@code PUBLIC KEY}, a JWK, or a path to a file holding either; or null
     */
    public TokenVerifier(byte[] hmacSecret, String publicKey, String issuer, String audience, java.time.Duration skew) {
        Map<JWSAlgorithm, Key> k = new LinkedHashMap<>();
        if (hmacSecret != null) {
            k.put(JWSAlgorithm.HS256, new SecretKeySpec(hmacSecret, "HmacSHA256"));
        }
        if (publicKey != null) {
            PublicKey key = publicKey(publicKey);
            k.put(algorithmOf(key), key);
        }
        this.keys = Map.copyOf(k);
        this.skewMillis = skew.toMillis();
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector((header, context) -> {
            Key key = keys.get(header.getAlgorithm());
            return key == null ? List.of() : List.of(key);
        });
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (issuer != null) {
            exact.issuer(issuer);
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                audience == null ? null : Set.of(audience), exact.build(), Set.of("exp"), null);
        claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, skew.toSeconds()));
        processor.setJWTClaimsSetVerifier(claims);
    }

    boolean isConfigured() {
        return !keys.isEmpty();
    }

    /** The algorithms accepted, for messages: {@code HS256, RS256}. */
    String algorithms() {
        return String.join(", ", keys.keySet().stream().map(JWSAlgorithm::getName).toList());
    }

    /** Verifies {@code token} and returns what it grants; throws {@link Rejected} saying why not. */
    Grants verify(String token) {
        if (keys.isEmpty()) {
            throw new Rejected("no token key is configured (runnel.jwt.secret or runnel.jwt.publicKey)");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new Rejected("malformed token (expected: a signed JWT, header.payload.signature)");
        }
        if (jwt instanceof PlainJWT) {
            throw new Rejected("algorithm none is not accepted (expected: " + algorithms() + ")");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new Rejected("encrypted tokens are not accepted (expected: a signed JWT)");
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (!keys.containsKey(alg)) {
            throw new Rejected("algorithm " + alg + " is not accepted (expected: " + algorithms() + ")");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (BadJWSException e) {
            throw new Rejected("bad signature");
        } catch (BadJWTException e) {
            throw new Rejected(describe(e.getMessage()));
        } catch (BadJOSEException | JOSEException | RuntimeException e) {
            throw new Rejected("not accepted: " + e.getMessage());
        }
        return grants(claims);
    }

    private static String describe(String nimbus) {
        if (nimbus == null) {
            return "claims not accepted";
        }
        if (nimbus.startsWith("Expired")) {
            return "expired (exp is in the past)";
        }
        if (nimbus.contains("before use time")) {
            return "not yet valid (nbf is in the future)";
        }
        return "claims not accepted: " + nimbus;
    }

    private Grants grants(JWTClaimsSet claims) {
        List<String> publish = entries(claims, "pub");
        List<String> subscribe = entries(claims, "topics");
        long exp = claims.getExpirationTime().getTime();
        long expires = exp > Long.MAX_VALUE - skewMillis ? Long.MAX_VALUE : exp + skewMillis;
        return new Grants(claims.getSubject(), publish, subscribe, expires);
    }

    private static List<String> entries(JWTClaimsSet claims, String name) {
        List<String> list;
        try {
            list = claims.getStringListClaim(name);
        } catch (ParseException e) {
            throw new Rejected("claim " + name + ": expected an array of strings");
        }
        if (list == null) {
            return null;
        }
        for (String entry : list) {
            if (entry == null || !Grants.isEntry(entry)) {
                throw new Rejected("claim " + name + ": entry " + (entry == null ? "null" : "\"" + entry + "\"")
                        + " is neither a topic name nor a prefix ending in /");
            }
        }
        return list;
    }

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
            } catch (java.security.spec.InvalidKeySpecException notRsa) {
                return KeyFactory.getInstance("EC").generatePublic(spec);
            }
        } catch (ParseException | JOSEException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("runnel.jwt.publicKey: not a usable key (" + e.getMessage() + ")", e);
        }
    }

    private static JWSAlgorithm algorithmOf(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("runnel.jwt.publicKey: RSA " + rsa.getModulus().bitLength()
                        + " bits (expected: at least 2048)");
            }
            return JWSAlgorithm.RS256;
        }
        if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
            return JWSAlgorithm.ES256;
        }
        throw new IllegalArgumentException("runnel.jwt.publicKey: " + key.getAlgorithm()
                + " key (expected: RSA for RS256, or EC P-256 for ES256)");
    }
}
