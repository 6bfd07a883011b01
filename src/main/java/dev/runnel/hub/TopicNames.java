package dev.runnel.hub;

/**
 * The rule for topic names: segments of {@code [A-Za-z0-9._~-]} joined by {@code /}, 1 to 200
 * characters in all. The characters are the URI "unreserved" set, so a topic name can sit in a
 * query string or a path without escaping.
 *
 * <p>Threading: stateless.
 */
public final class TopicNames {
    public static final int MAX_LENGTH = 200;

    private TopicNames() {}

    /** Returns the name unchanged, or throws {@link IllegalArgumentException} saying what is wrong. */
    public static String check(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic: empty (expected: 1 to " + MAX_LENGTH + " characters)");
        }
        if (topic.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "topic: " + topic.length() + " characters (expected: at most " + MAX_LENGTH + ")");
        }
        int segmentStart = 0;
        for (int i = 0; i <= topic.length(); i++) {
            if (i == topic.length() || topic.charAt(i) == '/') {
                checkSegment(topic, segmentStart, i);
                segmentStart = i + 1;
                continue;
            }
            char c = topic.charAt(i);
            if (!isNameChar(c)) {
                throw new IllegalArgumentException("topic: character " + describe(c) + " at index " + i
                        + " (expected: segments of A-Z a-z 0-9 . _ ~ - joined by /)");
            }
        }
        return topic;
    }

    /** True when {@code topic} passes {@link #check}. */
    public static boolean isValid(String topic) {
        try {
            check(topic);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The prefix rule of every topic setting ({@code runnel.topics.*}, {@code runnel.private}): a prefix
     * ending in {@code /} covers the topics below it ({@code tasks/} covers {@code tasks/42}); any other
     * covers that topic and the topics below it ({@code stocks} covers {@code stocks} and {@code stocks/eu}).
     */
    public static boolean covers(String prefix, String topic) {
        if (prefix.endsWith("/")) {
            return topic.startsWith(prefix) && topic.length() > prefix.length();
        }
        return topic.equals(prefix) || (topic.startsWith(prefix) && topic.charAt(prefix.length()) == '/');
    }

    private static void checkSegment(String topic, int start, int end) {
        if (start == end) {
            throw new IllegalArgumentException("topic: empty segment at index " + start
                    + " (expected: no leading, trailing or doubled /)");
        }
        // "." and ".." would read as path traversal wherever a topic name ends up in a path or a key.
        int length = end - start;
        if ((length == 1 && topic.charAt(start) == '.')
                || (length == 2 && topic.charAt(start) == '.' && topic.charAt(start + 1) == '.')) {
            throw new IllegalArgumentException("topic: segment \"" + topic.substring(start, end)
                    + "\" at index " + start + " (expected: not . or ..)");
        }
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '~' || c == '-';
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
