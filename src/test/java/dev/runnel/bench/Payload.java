package dev.runnel.bench;

import java.util.Arrays;

/**
 * The data of a benchmark event: {@code <stream>:<sequence>:<nanoTime>} and optional padding,
 * {@code :xxxx…}, to reach a given size. The stamp is the intended send time on the publisher's
 * fixed schedule ({@link System#nanoTime()}, one clock for every process on the host), so a publisher
 * that falls behind shows up as latency instead of hiding it.
 *
 * <p>Threading: stateless.
 */
final class Payload {
    private Payload() {}

    static String of(int stream, long sequence, long stampNanos, int size) {
        StringBuilder sb = new StringBuilder(Math.max(size, 40));
        sb.append(stream).append(':').append(sequence).append(':').append(stampNanos);
        if (sb.length() + 1 < size) {
            char[] pad = new char[size - sb.length() - 1];
            Arrays.fill(pad, 'x');
            sb.append(':').append(pad);
        }
        return sb.toString();
    }

    /** A non-negative decimal between {@code from} and {@code to}; -1 when it is not one. */
    static long parseLong(String s, int from, int to) {
        if (from >= to) {
            return -1;
        }
        long value = 0;
        boolean negative = s.charAt(from) == '-';
        for (int i = negative ? from + 1 : from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return negative ? -value : value;
    }
}
