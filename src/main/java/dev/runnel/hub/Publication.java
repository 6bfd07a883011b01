package dev.runnel.hub;

import dev.runnel.protocol.SseEncoder;

/**
 * What a publisher asks the hub to send: a topic, an optional event name, the data, an optional key
 * (state topics keep the latest event per key; it defaults to the event name) and whether this is
 * the final event of a finite topic.
 *
 * <p>Threading: immutable.
 */
public record Publication(String topic, String event, String data, String key, boolean last) {
    /** Event names the server itself sends; a publisher may not forge them. */
    public static final java.util.Set<String> RESERVED_EVENTS = java.util.Set.of("connected", "reset");

    public static final int MAX_EVENT_LENGTH = 100;
    public static final int MAX_KEY_LENGTH = 200;

    public Publication {
        TopicNames.check(topic);
        if (data == null) {
            throw new IllegalArgumentException("data: missing (expected: a string, may be empty)");
        }
        checkSurrogates("data", data);
        if (event != null) {
            checkToken("event", event, MAX_EVENT_LENGTH);
            if (RESERVED_EVENTS.contains(event)) {
                throw new IllegalArgumentException("event: \"" + event + "\" is reserved (expected: not one of "
                        + RESERVED_EVENTS + ")");
            }
        }
        if (key != null) {
            checkToken("key", key, MAX_KEY_LENGTH);
        }
    }

    public static Publication of(String topic, String event, String data) {
        return new Publication(topic, event, data, null, false);
    }

    /** The same publication marked as the final event of its (finite) topic. */
    public Publication asLast() {
        return new Publication(topic, event, data, key, true);
    }

    public Publication withKey(String newKey) {
        return new Publication(topic, event, data, newKey, last);
    }

    /** An unpaired surrogate cannot be written as UTF-8: the client would get a '?' instead of it. */
    private static void checkSurrogates(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(field + ": unpaired surrogate " + String.format("U+%04X", (int) c)
                        + " at index " + i + " (expected: text that UTF-8 can carry)");
            }
        }
    }

    private static void checkToken(String field, String value, int maxLength) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + ": empty (expected: 1 to " + maxLength
                    + " characters, or leave it out)");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + ": " + value.length() + " characters (expected: at most "
                    + maxLength + ")");
        }
        SseEncoder.checkField(field, value);
        checkSurrogates(field, value);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(field + ": control character " + String.format("U+%04X", (int) c)
                        + " at index " + i + " (expected: printable characters)");
            }
        }
    }
}
