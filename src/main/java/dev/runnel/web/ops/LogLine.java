package dev.runnel.web.ops;

import java.util.Collection;

/**
 * One log line of a stable shape: a fixed message, then {@code key=value} pairs in a fixed order, so
 * that a log search or a parser ({@code logfmt}) finds the same keys every time:
 * <pre>
 * stream closed id=k3f9-1a address=203.0.113.7 transport=sse topics=news,stocks reason=client duration=12.402s events=40 detail="write failed: …"
 * </pre>
 * A value with a space, a quote, an {@code =} or nothing at all is quoted; quotes, backslashes and
 * control characters inside it are escaped, so that nothing a client sent can start a line of its own.
 *
 * <p>Threading: confined to the thread that builds it.
 */
public final class LogLine {
    private final StringBuilder line;

    private LogLine(String message) {
        this.line = new StringBuilder(message);
    }

    public static LogLine of(String message) {
        return new LogLine(message);
    }

    /** Adds {@code key=value}; a null value is left out. */
    public LogLine with(String key, Object value) {
        if (value == null) {
            return this;
        }
        String text = value instanceof Collection<?> c ? String.join(",", c.stream().map(String::valueOf).toList())
                : String.valueOf(value);
        line.append(' ').append(key).append('=');
        if (needsQuotes(text)) {
            quote(text);
        } else {
            line.append(text);
        }
        return this;
    }

    /** A duration in seconds with millisecond precision: {@code 12.402s}. */
    public LogLine withSeconds(String key, long nanos) {
        return with(key, String.format(java.util.Locale.ROOT, "%.3fs", nanos / 1e9));
    }

    private static boolean needsQuotes(String text) {
        if (text.isEmpty()) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private void quote(String text) {
        line.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < ' ' || c == 0x7f) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }

    @Override
    public String toString() {
        return line.toString();
    }
}
