package dev.runnel.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes the {@code text/event-stream} wire format: events, comments, retry hints and id-only
 * blocks, as UTF-8 bytes ready to go to a response body.
 *
 * <p>Streams in {@code dev.runnel.stream} call it for every block they send, and publishers in
 * {@code dev.runnel.hub} call {@link #checkField(String, String)} to refuse a bad id or event
 * name before it is queued. Output uses LF line endings only and never starts with a byte order
 * mark, so the bytes are the same whichever client reads them. An event looks like this:
 *
 * <pre>
 * event: price\n
 * id: 42\n
 * retry: 3000\n
 * data: first line\n
 * data: second line\n
 * \n
 * </pre>
 *
 * <p>Each colon is followed by exactly one space. Readers strip one space after the colon, so
 * data whose lines start with spaces keeps them. Data is split at CRLF, CR and LF; readers join
 * data lines with LF, so a payload's line breaks come back as LF whatever they were. Unpaired
 * surrogates in a string are written as {@code ?}, as {@link String#getBytes} does.
 *
 * <p>Threading: stateless; every method may be called from any thread.
 */
public final class SseEncoder {

    private static final String EXPECTED = " (expected: no CR, LF or NUL)";

    private SseEncoder() {
    }

    /**
     * Encodes one event block.
     *
     * <pre>
     * event: name\n      omitted when event is null or empty
     * id: x\n            omitted when id is null; "id: \n" resets the client's last event id
     * retry: 1000\n      omitted when retry &lt; 0
     * data: line 1\n     one line per line of data, "data: \n" for empty data
     * data: line 2\n
     * \n
     * </pre>
     *
     * <p>A trailing line break in {@code data} produces a final {@code "data: \n"}, which is
     * what makes the reader's result end with LF again.
     *
     * @throws IllegalArgumentException if {@code event} or {@code id} contains CR, LF or NUL
     * @throws NullPointerException if {@code data} is null
     */
    public static byte[] encode(String event, String id, long retry, String data) {
        Objects.requireNonNull(data, "data");
        checkField("event", event);
        checkField("id", id);
        StringBuilder sb = new StringBuilder(data.length() + 32);
        if (event != null && !event.isEmpty()) {
            sb.append("event: ").append(event).append('\n');
        }
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        if (retry >= 0) {
            sb.append("retry: ").append(retry).append('\n');
        }
        appendLines(sb, "data: ", data);
        sb.append('\n');
        return utf8(sb);
    }

    /** Encodes {@code event} as {@link #encode(String, String, long, String)} does. */
    public static byte[] encode(SseEvent event) {
        return encode(event.event(), event.id(), event.retry().orElse(-1), event.data());
    }

    /**
     * Encodes a comment, one comment line per line of {@code text}. No blank line follows:
     * readers drop comments, so nothing needs to be dispatched, and a comment may even sit
     * between the lines of an event.
     *
     * <pre>
     * : keep-alive\n
     * </pre>
     *
     * <p>{@code comment("keep-alive")} is the heartbeat that keeps idle connections open.
     */
    public static byte[] comment(String text) {
        Objects.requireNonNull(text, "text");
        StringBuilder sb = new StringBuilder(text.length() + 4);
        appendLines(sb, ": ", text);
        return utf8(sb);
    }

    /**
     * Encodes a block that only changes the client's reconnection delay.
     *
     * <pre>
     * retry: 3000\n
     * \n
     * </pre>
     *
     * @throws IllegalArgumentException if {@code millis} is negative
     */
    public static byte[] retry(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException(
                    "retry: " + millis + " is negative (expected: milliseconds >= 0)");
        }
        return utf8(new StringBuilder("retry: ").append(millis).append("\n\n"));
    }

    /**
     * Encodes a block with an id and no data. The blank line makes the client take the id as
     * its last event id without firing an event, so a reconnect resumes after it.
     *
     * <pre>
     * id: 42\n
     * \n
     * </pre>
     *
     * @throws IllegalArgumentException if {@code id} contains CR, LF or NUL
     */
    public static byte[] idOnly(String id) {
        Objects.requireNonNull(id, "id");
        checkField("id", id);
        return utf8(new StringBuilder(id.length() + 6).append("id: ").append(id).append("\n\n"));
    }

    /**
     * Rejects a field value that cannot be written on one line. A null value passes: it means
     * the field is absent.
     *
     * @param field the field name, used in the message, such as {@code "id"}
     * @throws IllegalArgumentException if {@code value} contains CR, LF or NUL
     */
    public static void checkField(String field, String value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // A line break would end the field early and let the rest pose as another field;
            // readers ignore an id containing NUL, which would silently keep the previous id.
            if (c == '\r') {
                throw new IllegalArgumentException(field + ": contains CR" + EXPECTED);
            }
            if (c == '\n') {
                throw new IllegalArgumentException(field + ": contains LF" + EXPECTED);
            }
            if (c == '\0') {
                throw new IllegalArgumentException(field + ": contains NUL" + EXPECTED);
            }
        }
    }

    /** Writes {@code prefix + line + "\n"} for each line of {@code text}, at CRLF, CR or LF. */
    private static void appendLines(StringBuilder sb, String prefix, String text) {
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                sb.append(prefix).append(text, start, i).append('\n');
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        sb.append(prefix).append(text, start, n).append('\n');
    }

    private static byte[] utf8(StringBuilder sb) {
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
