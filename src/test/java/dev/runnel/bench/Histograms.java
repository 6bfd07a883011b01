package dev.runnel.bench;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Moves latency data between processes as text: HdrHistograms in their compressed encoding, and the
 * per-event maxima ("last subscriber of each broadcast") as arrays of longs, both in Base64.
 *
 * <p>Threading: stateless.
 */
final class Histograms {
    private Histograms() {}

    static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    static Histogram decode(String text) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(text)), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("histogram: not a compressed HdrHistogram", e);
        }
    }

    static String encode(long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8);
        buffer.asLongBuffer().put(values);
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    static long[] decodeLongs(String text) {
        ByteBuffer buffer = ByteBuffer.wrap(Base64.getDecoder().decode(text));
        long[] values = new long[buffer.remaining() / 8];
        buffer.asLongBuffer().get(values);
        return values;
    }
}
