package dev.runnel.protocol;

import java.util.Arrays;

/**
 * Cuts an event stream's bytes into decoded lines, whatever the chunking: strips one leading
 * byte order mark, ends lines at CRLF, CR or LF, and decodes each line as UTF-8.
 *
 * <p>{@link SseParser} owns one per stream and interprets the lines it produces. Splitting
 * happens on bytes before decoding: CR and LF are ASCII, and no byte of a multi-byte UTF-8
 * sequence is below 0x80, so a line break is never inside a character and each line can be
 * decoded on its own. Bytes of an unfinished line are buffered until its end arrives.
 *
 * <p>Threading: not thread-safe; confined to the thread feeding its {@link SseParser}.
 */
final class LineSplitter {

    /** Receives each complete line, without its line ending. */
    interface Sink {
        void line(String line);
    }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final Sink sink;
    private byte[] pending = new byte[256];
    private int pendingLength;
    /** How many bytes of a leading BOM have matched so far, while still undecided. */
    private int bomMatched;
    private boolean bomDecided;
    /** The previous chunk ended in CR, so an LF starting this one belongs to that line end. */
    private boolean afterCr;

    LineSplitter(Sink sink) {
        this.sink = sink;
    }

    void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        if (!bomDecided) {
            i = skipBom(bytes, i, end);
        }
        if (afterCr && i < end) {
            afterCr = false;
            if (bytes[i] == LF) {
                i++;
            }
        }
        int start = i;
        while (i < end) {
            byte b = bytes[i];
            if (b != CR && b != LF) {
                i++;
                continue;
            }
            emit(bytes, start, i);
            i++;
            // WHATWG: CRLF, lone CR and lone LF each end a line; CRLF counts once.
            if (b == CR) {
                if (i == end) {
                    afterCr = true;
                } else if (bytes[i] == LF) {
                    i++;
                }
            }
            start = i;
        }
        append(bytes, start, end);
    }

    /** Drops an unfinished line at the end of the stream; WHATWG discards it unprocessed. */
    void discard() {
        pendingLength = 0;
        afterCr = false;
    }

    /** Consumes a leading BOM, even one split across chunks; returns where the text starts. */
    private int skipBom(byte[] bytes, int i, int end) {
        while (i < end && bomMatched < BOM.length) {
            if (bytes[i] != BOM[bomMatched]) {
                // Not a BOM after all: the bytes held back are the start of the first line.
                bomDecided = true;
                append(BOM, 0, bomMatched);
                return i;
            }
            bomMatched++;
            i++;
        }
        // WHATWG UTF-8 decode: strips one leading BOM; a second one is text.
        bomDecided = bomMatched == BOM.length;
        return i;
    }

    private void emit(byte[] bytes, int from, int to) {
        if (pendingLength == 0) {
            sink.line(Utf8.decode(bytes, from, to - from));
            return;
        }
        append(bytes, from, to);
        int length = pendingLength;
        // Cleared before the sink runs, so a sink that throws leaves no half line behind.
        pendingLength = 0;
        sink.line(Utf8.decode(pending, 0, length));
    }

    private void append(byte[] bytes, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return;
        }
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
        }
        System.arraycopy(bytes, from, pending, pendingLength, n);
        pendingLength += n;
    }
}
