package dev.runnel.web.http;

/**
 * The characters no header value, query parameter or cursor may carry: the C0 controls and DEL
 * (a CR or LF there could split a header or an event frame downstream), and how a refusal names one.
 *
 * <p>Threading: stateless.
 */
public final class ControlCharacters {
    private ControlCharacters() {}

    /** True for a C0 control character (U+0000 to U+001F) or DEL (U+007F). */
    public static boolean is(char c) {
        return c < 0x20 || c == 0x7f;
    }

    /** Index of the first control character in {@code s}, or -1; a tab passes when {@code tabAllowed}. */
    public static int indexIn(String s, boolean tabAllowed) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (is(c) && !(tabAllowed && c == '\t')) {
                return i;
            }
        }
        return -1;
    }

    /** {@code U+000D}: a character as an error detail names it. */
    public static String name(char c) {
        return String.format("U+%04X", (int) c);
    }
}
