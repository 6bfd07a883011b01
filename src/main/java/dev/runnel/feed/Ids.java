package dev.runnel.feed;

import java.security.SecureRandom;

/**
 * Identifiers for tasks, answers, conversations and poem runs: 12 characters of {@code [a-z0-9]},
 * unguessable, and valid as a topic segment.
 *
 * <p>Threading: thread-safe.
 */
final class Ids {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    static String random() {
        char[] id = new char[12];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}
