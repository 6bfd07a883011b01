package dev.runnel.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/** Mints test tokens the way an issuer would, with nimbus-jose-jwt; the server verifies them independently. */
public final class Tokens {
    /** A 32-byte HS256 secret, as {@code runnel.jwt.secret} takes it. */
    public static final String SECRET = "test-secret-of-at-least-32-bytes!!";

    private Tokens() {}

    /** Claims that expire in {@code expiresInSeconds} (negative: already expired). */
    public static JWTClaimsSet.Builder claims(String subject, long expiresInSeconds) {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().subject(subject).issueTime(new Date(now))
                .expirationTime(new Date(now + expiresInSeconds * 1000));
    }

    /** An HS256 publisher token granting {@code pub}, valid for ten minutes. */
    public static String publisher(String subject, String... pub) {
        return hs256(claims(subject, 600).claim("pub", List.of(pub)).build());
    }

    /** An HS256 subscriber token granting {@code topics}, valid for ten minutes. */
    public static String subscriber(String subject, String... topics) {
        return hs256(claims(subject, 600).claim("topics", List.of(topics)).build());
    }

    public static String hs256(JWTClaimsSet claims) {
        return hs256(claims, SECRET.getBytes(StandardCharsets.UTF_8));
    }

    public static String hs256(JWTClaimsSet claims, byte[] secret) {
        try {
            return sign(new MACSigner(secret), JWSAlgorithm.HS256, claims);
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    public static String rs256(JWTClaimsSet claims, KeyPair rsa) {
        return sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, claims);
    }

    public static String es256(JWTClaimsSet claims, ECKey ec) {
        try {
            return sign(new ECDSASigner(ec), JWSAlgorithm.ES256, claims);
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    /** An unsigned token ({@code alg: none}). */
    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    public static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    public static ECKey ecKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).generate();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    /** The public key as {@code openssl pkey -pubout} writes it. */
    public static String pem(KeyPair pair) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPublic().getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }

    /** An HS256 token with the given header ({@code typ}, {@code kid}…). */
    public static String hs256(JWSHeader header, JWTClaimsSet claims) {
        try {
            return sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), header, claims);
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    /** A token signed by {@code key} (RSA or EC, with its private part), its header naming the key's {@code kid}. */
    public static String signedBy(com.nimbusds.jose.jwk.JWK key, JWTClaimsSet claims) {
        try {
            if (key instanceof com.nimbusds.jose.jwk.RSAKey rsa) {
                return sign(new RSASSASigner(rsa), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                        claims);
            }
            return sign(new ECDSASigner((ECKey) key), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .build(), claims);
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) {
        return sign(signer, new JWSHeader(alg), claims);
    }

    private static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
        return jwt.serialize();
    }
}
