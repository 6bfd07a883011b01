package dev.runnel.web.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of a credential's UTF-8 bytes: what tickets are stored under, and what names a token
 * without a subject for rate limiting, so that neither keeps the credential itself.
 *
 * <p>Threading: stateless.
 */
final class Sha256 {
    private Sha256() {}

    static byte[] of(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
