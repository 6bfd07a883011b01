package dev.runnel.protocol;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One server-sent event as an immutable value: the event type, id, retry hint and data that
 * make up a single block of a {@code text/event-stream}.
 *
 * <p>Publishers in {@code dev.runnel.hub} build these and {@link SseEncoder#encode(SseEvent)}
 * turns them into bytes; {@link SseParser} hands them back when it reads a stream. This class
 * does not check {@code id} or {@code event} for line breaks, because a parsed event type may
 * legally contain NUL; {@link SseEncoder} rejects such values when writing, and publishers can
 * call {@link SseEncoder#checkField(String, String)} to reject them earlier.
 *
 * <p>Threading: immutable, so instances may be shared freely between threads.
 */
public final class SseEvent {

    /** Stands for "no retry field"; any negative value would do, one is enough. */
    private static final long NO_RETRY = -1;

    private final String event;
    private final String id;
    private final long retry;
    private final String data;

    SseEvent(String event, String id, long retry, String data) {
        this.event = event;
        this.id = id;
        this.retry = retry;
        this.data = Objects.requireNonNull(data, "data");
    }

    /** An event of the default type ("message") carrying {@code data}, which may be empty. */
    public static SseEvent of(String data) {
        return new SseEvent(null, null, NO_RETRY, data);
    }

    /** An event named {@code event} ({@code null} for no event field) carrying {@code data}. */
    public static SseEvent of(String event, String data) {
        return new SseEvent(event, null, NO_RETRY, data);
    }

    /** A copy with the given id; {@code null} means the block has no id field. */
    public SseEvent withId(String id) {
        return new SseEvent(event, id, retry, data);
    }

    /** A copy with the given event name; {@code null} means the block has no event field. */
    public SseEvent withEvent(String event) {
        return new SseEvent(event, id, retry, data);
    }

    /** A copy that also tells the client to wait {@code millis} before reconnecting. */
    public SseEvent withRetry(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException(
                    "retry: " + millis + " is negative (expected: milliseconds >= 0)");
        }
        return new SseEvent(event, id, millis, data);
    }

    /** The id, or {@code null} when the event carries none. */
    public String id() {
        return id;
    }

    /** The event name, or {@code null} when the event carries none. */
    public String event() {
        return event;
    }

    /** The data; never {@code null}, possibly empty. */
    public String data() {
        return data;
    }

    /** The reconnection delay in milliseconds, if the event carries one. */
    public OptionalLong retry() {
        return retry < 0 ? OptionalLong.empty() : OptionalLong.of(retry);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SseEvent)) {
            return false;
        }
        SseEvent other = (SseEvent) o;
        return retry == other.retry
                && Objects.equals(event, other.event)
                && Objects.equals(id, other.id)
                && data.equals(other.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(event, id, retry, data);
    }

    /** Quotes and escapes strings so that line breaks in a payload stay visible in one log line. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SseEvent[event=");
        quote(sb, event);
        sb.append(", id=");
        quote(sb, id);
        if (retry >= 0) {
            sb.append(", retry=").append(retry);
        }
        sb.append(", data=");
        quote(sb, data);
        return sb.append(']').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\0' -> sb.append("\\0");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(c);
            }
        }
        sb.append('"');
    }
}
