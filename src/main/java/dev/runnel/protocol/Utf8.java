package dev.runnel.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The WHATWG Encoding Standard's UTF-8 decoder, used by {@link LineSplitter} to turn each line
 * of an event stream into text.
 *
 * <p>The JDK's decoders replace malformed input slightly differently: an encoded surrogate such
 * as {@code ED A0 80} becomes one U+FFFD there but three in the standard, which browsers follow.
 * Runnel's reader should see exactly what a browser's {@code EventSource} sees, hence this class.
 * It does not strip a byte order mark; that happens once per stream, in {@link LineSplitter}.
 *
 * <p>Threading: stateless; safe from any thread.
 */
final class Utf8 {

    private static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    /**
     * Decodes {@code length} bytes from {@code offset} as a complete input: a sequence cut
     * short by the end becomes one U+FFFD, as at the end of a stream.
     */
    static String decode(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && bytes[i] >= 0) {
            i++;
        }
        if (i == end) {
            // Pure ASCII, by far the common case; Latin-1 copies it without a decoding loop.
            return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        }
        // Every byte yields at most one UTF-16 unit, except four-byte sequences: two for four.
        char[] out = new char[length];
        int o = 0;
        for (int k = offset; k < i; k++) {
            out[o++] = (char) bytes[k];
        }
        int needed = 0;
        int seen = 0;
        int codePoint = 0;
        int lower = 0x80;
        int upper = 0xBF;
        while (i < end) {
            int b = bytes[i] & 0xFF;
            if (needed == 0) {
                i++;
                if (b <= 0x7F) {
                    out[o++] = (char) b;
                } else if (b >= 0xC2 && b <= 0xDF) {
                    needed = 1;
                    codePoint = b & 0x1F;
                } else if (b >= 0xE0 && b <= 0xEF) {
                    // WHATWG: E0 must not start an overlong form, ED must not encode a surrogate.
                    if (b == 0xE0) {
                        lower = 0xA0;
                    } else if (b == 0xED) {
                        upper = 0x9F;
                    }
                    needed = 2;
                    codePoint = b & 0x0F;
                } else if (b >= 0xF0 && b <= 0xF4) {
                    // WHATWG: F0 must not start an overlong form, F4 must stay below U+110000.
                    if (b == 0xF0) {
                        lower = 0x90;
                    } else if (b == 0xF4) {
                        upper = 0x8F;
                    }
                    needed = 3;
                    codePoint = b & 0x07;
                } else {
                    out[o++] = REPLACEMENT;
                }
                continue;
            }
            if (b < lower || b > upper) {
                // WHATWG: the sequence so far becomes one U+FFFD and this byte is read again.
                needed = 0;
                seen = 0;
                codePoint = 0;
                lower = 0x80;
                upper = 0xBF;
                out[o++] = REPLACEMENT;
                continue;
            }
            i++;
            lower = 0x80;
            upper = 0xBF;
            codePoint = (codePoint << 6) | (b & 0x3F);
            if (++seen == needed) {
                o += Character.toChars(codePoint, out, o);
                needed = 0;
                seen = 0;
                codePoint = 0;
            }
        }
        if (needed != 0) {
            // WHATWG: end of input inside a sequence yields one U+FFFD.
            out[o++] = REPLACEMENT;
        }
        return new String(out, 0, o);
    }
}
