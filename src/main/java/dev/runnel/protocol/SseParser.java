package dev.runnel.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Reads a {@code text/event-stream} incrementally, exactly as the WHATWG HTML standard's
 * "event stream interpretation" describes, and reports what a browser's {@code EventSource}
 * would: events, reconnection times and (beyond the standard) comments.
 *
 * <p>Runnel's tests, its benchmark and any Java client use it to check what the server really
 * put on the wire. Bytes may arrive in chunks split anywhere, including inside a UTF-8 sequence
 * or between the CR and LF of one line ending. Given the bytes
 *
 * <pre>
 * : hello\n
 * retry: 3000\n
 * id: 7\n
 * event: price\n
 * data: a\n
 * data: b\n
 * \n
 * </pre>
 *
 * <p>the listener hears {@code onComment("hello")}, {@code onRetry(3000)} and then one event
 * with type {@code "price"}, id {@code "7"} and data {@code "a\nb"}.
 *
 * <p>One parser reads one stream: after {@link #end()} it accepts no more bytes. A client that
 * reconnects starts a new parser and sends the old one's {@link #lastEventId()} along.
 *
 * <p>Threading: not thread-safe; confine each parser to the one thread reading its stream.
 * Listener methods run on that thread, inside {@code feed}; if one throws, the exception
 * reaches the caller of {@code feed} and the rest of that chunk is not read.
 */
public final class SseParser {

    /** Receives what the parser finds, in stream order. */
    public interface Listener {

        /**
         * An event was dispatched. {@code event()} is its type, {@code "message"} when no
         * event field named one; {@code id()} is the last event ID at dispatch, possibly empty,
         * never null; {@code data()} is as dispatched; {@code retry()} is always absent.
         */
        void onEvent(SseEvent event);

        /** A valid retry field set the reconnection time to {@code millis}. */
        default void onRetry(long millis) {
        }

        /** A comment line, without its colon and without one following space if present. */
        default void onComment(String text) {
        }
    }

    private static final int COPY_CHUNK = 8192;

    private final Listener listener;
    private final LineSplitter lines;
    private final StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String lastEventIdBuffer = "";
    private String lastEventId = "";
    private long reconnectionTime = -1;
    private boolean ended;
    private byte[] copyBuffer;

    public SseParser(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.lines = new LineSplitter(this::line);
    }

    /** Reads {@code length} bytes of the stream starting at {@code offset}. */
    public void feed(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        checkNotEnded();
        lines.feed(bytes, offset, length);
    }

    /** Reads the buffer's remaining bytes, leaving its position at its limit. */
    public void feed(ByteBuffer bytes) {
        checkNotEnded();
        if (bytes.hasArray()) {
            int start = bytes.arrayOffset() + bytes.position();
            int length = bytes.remaining();
            bytes.position(bytes.limit());
            lines.feed(bytes.array(), start, length);
            return;
        }
        if (copyBuffer == null) {
            copyBuffer = new byte[COPY_CHUNK];
        }
        while (bytes.hasRemaining()) {
            int n = Math.min(copyBuffer.length, bytes.remaining());
            bytes.get(copyBuffer, 0, n);
            lines.feed(copyBuffer, 0, n);
        }
    }

    /** Reads all of {@code bytes}. */
    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /**
     * Marks the end of the stream. An event not yet ended by a blank line is discarded, as the
     * standard says, and so is an unfinished last line. Calling it again does nothing.
     */
    public void end() {
        ended = true;
        lines.discard();
        data.setLength(0);
        eventType = "";
    }

    /** The last event ID string: the id in force at the latest dispatch, {@code ""} at first. */
    public String lastEventId() {
        return lastEventId;
    }

    /** The latest valid retry value in milliseconds, or -1 if the stream has sent none. */
    public long reconnectionTime() {
        return reconnectionTime;
    }

    private void checkNotEnded() {
        if (ended) {
            throw new IllegalStateException("stream already ended (expected: a new SseParser)");
        }
    }

    private void line(String line) {
        if (line.isEmpty()) {
            // WHATWG: an empty line dispatches the event.
            dispatch();
        } else if (line.charAt(0) == ':') {
            // WHATWG: a line starting with a colon is ignored; Runnel reports it for tests.
            listener.onComment(valueAfter(line, 0));
        } else {
            int colon = line.indexOf(':');
            if (colon < 0) {
                // WHATWG: no colon means the whole line is the field name, the value empty.
                field(line, "");
            } else {
                field(line.substring(0, colon), valueAfter(line, colon));
            }
        }
    }

    /** The text after the colon at {@code colon}, less one leading space (WHATWG). */
    private static String valueAfter(String line, int colon) {
        int start = colon + 1;
        if (start < line.length() && line.charAt(start) == ' ') {
            start++;
        }
        return line.substring(start);
    }

    private void field(String name, String value) {
        // WHATWG: names compare case-sensitively, so "Data" is just an unknown field.
        switch (name) {
            case "event" -> eventType = value;
            case "data" -> data.append(value).append('\n');
            case "id" -> {
                // WHATWG: an id containing NUL is ignored; an empty one resets the buffer.
                if (value.indexOf('\0') < 0) {
                    lastEventIdBuffer = value;
                }
            }
            case "retry" -> {
                long millis = parseDigits(value);
                // WHATWG: anything but ASCII digits is ignored.
                if (millis >= 0) {
                    reconnectionTime = millis;
                    listener.onRetry(millis);
                }
            }
            default -> {
                // WHATWG: other field names are ignored.
            }
        }
    }

    /**
     * The value of a non-empty run of ASCII digits, or -1. A number too large for a long is
     * also -1: no reconnection delay that long can be honoured, so treating it as invalid is
     * the only safe reading.
     */
    private static long parseDigits(String value) {
        if (value.isEmpty()) {
            return -1;
        }
        long result = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (result > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            result = result * 10 + (c - '0');
        }
        return result;
    }

    private void dispatch() {
        // WHATWG step 1 comes before the empty-data check, so "id: 7\n\n" still moves the id.
        lastEventId = lastEventIdBuffer;
        if (data.length() == 0) {
            // WHATWG: no data, no event; the event type is reset all the same.
            eventType = "";
            return;
        }
        // WHATWG: the data buffer always ends in the LF its last line added; drop it.
        String payload = data.substring(0, data.length() - 1);
        // WHATWG: an empty event type buffer means the default type, "message".
        String type = eventType.isEmpty() ? "message" : eventType;
        data.setLength(0);
        eventType = "";
        listener.onEvent(new SseEvent(type, lastEventId, -1, payload));
    }
}
