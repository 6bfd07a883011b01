package dev.runnel.chat;

import java.security.SecureRandom;

/**
 * Answer and conversation ids: 16 characters of {@code [a-z0-9]} (about 82 bits), unguessable —
 * knowing an answer's id is what lets a reader follow it — and valid as a topic segment.
 *
 * <p>Threading: thread-safe.
 */
final class Ids {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    static String random() {
        char[] id = new char[16];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}
