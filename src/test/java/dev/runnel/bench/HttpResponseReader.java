package dev.runnel.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The HTTP/1.1 response side of a {@link StreamConnection}: status line and headers, then a chunked,
 * length-delimited or close-delimited body, handed to the connection's hooks
 * ({@link StreamConnection#responseHead}, {@link StreamConnection#body},
 * {@link StreamConnection#bodyEnded}). After a body that ends (a last chunk and its trailer, or its
 * length), the connection may expect the next response on the same socket (a long-poll's next answer).
 *
 * <p>Threading: confined to the client's selector thread.
 */
final class HttpResponseReader {
    private static final int HEADERS = 0;
    private static final int CHUNK_SIZE = 1;
    private static final int CHUNK_EXTENSION = 2;
    private static final int CHUNK_DATA = 3;
    private static final int CHUNK_CR = 4;
    private static final int CHUNK_LF = 5;
    private static final int RAW = 6;
    private static final int ENDED = 7;
    private static final int LENGTH = 8;
    private static final int TRAILER = 9;

    private final StreamConnection connection;
    private int state;
    private byte[] headerBytes;
    private int headerLength;
    private long chunkLeft;
    private int trailerLine;

    HttpResponseReader(StreamConnection connection) {
        this.connection = connection;
    }

    /** The next bytes are a response's status line. */
    void expectResponse() {
        state = HEADERS;
        headerBytes = new byte[512];
        headerLength = 0;
        chunkLeft = 0;
    }

    /** Reads the body as the head says: chunked, {@code Content-Length} bytes, or up to the close. */
    void startBody(String head) {
        String length = header(head, "content-length");
        if ("chunked".equalsIgnoreCase(header(head, "transfer-encoding"))) {
            state = CHUNK_SIZE;
        } else if (length != null) {
            chunkLeft = Long.parseLong(length.strip());
            state = LENGTH;
        } else {
            state = RAW;
        }
    }

    /** Bytes from the socket; false when the connection is to be closed. */
    boolean feed(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            switch (state) {
                case HEADERS -> {
                    i = headers(bytes, i, end);
                    if (state == ENDED) {
                        return false;
                    }
                }
                case CHUNK_SIZE -> {
                    byte b = bytes[i++];
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        chunkLeft = chunkLeft * 16 + digit;
                    } else if (b == ';') {
                        state = CHUNK_EXTENSION;
                    } else if (b == '\n') {
                        state = chunkLeft == 0 ? TRAILER : CHUNK_DATA;
                        trailerLine = 0;
                    } else if (b != '\r') {
                        connection.client.protocolError(connection, "bad chunk size byte " + b);
                        return false;
                    }
                }
                case CHUNK_EXTENSION -> {
                    if (bytes[i++] == '\n') {
                        state = chunkLeft == 0 ? TRAILER : CHUNK_DATA;
                        trailerLine = 0;
                    }
                }
                case TRAILER -> { // trailer lines up to an empty one: then the next response may follow
                    byte b = bytes[i++];
                    if (b == '\n') {
                        if (trailerLine == 0 && !connection.bodyEnded()) {
                            return false;
                        }
                        trailerLine = 0;
                    } else if (b != '\r') {
                        trailerLine++;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(chunkLeft, end - i);
                    if (!connection.body(bytes, i, n)) {
                        return false;
                    }
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        state = CHUNK_CR;
                    }
                }
                case CHUNK_CR -> {
                    state = bytes[i++] == '\r' ? CHUNK_LF : CHUNK_SIZE;
                }
                case CHUNK_LF -> {
                    i++;
                    state = CHUNK_SIZE;
                }
                case LENGTH -> {
                    int n = (int) Math.min(chunkLeft, end - i);
                    if (!connection.body(bytes, i, n)) {
                        return false;
                    }
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0 && !connection.bodyEnded()) {
                        return false;
                    }
                }
                case RAW -> {
                    if (!connection.body(bytes, i, end - i)) {
                        return false;
                    }
                    i = end;
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    private int headers(byte[] bytes, int i, int end) {
        while (i < end) {
            if (headerLength == headerBytes.length) {
                if (headerLength >= 16 * 1024) {
                    connection.client.protocolError(connection, "response headers over 16 KiB");
                    state = ENDED;
                    return end;
                }
                headerBytes = Arrays.copyOf(headerBytes, headerLength * 2);
            }
            headerBytes[headerLength++] = bytes[i++];
            if (headerLength >= 4 && headerBytes[headerLength - 1] == '\n' && headerBytes[headerLength - 2] == '\r'
                    && headerBytes[headerLength - 3] == '\n' && headerBytes[headerLength - 4] == '\r') {
                String head = new String(headerBytes, 0, headerLength, StandardCharsets.ISO_8859_1);
                headerBytes = null;
                int status = head.length() >= 12 ? parseStatus(head) : -1;
                if (!connection.responseHead(status, head)) {
                    state = ENDED;
                    return end;
                }
                if (state == LENGTH && chunkLeft == 0 && !connection.bodyEnded()) {
                    state = ENDED;
                    return end;
                }
                return i;
            }
        }
        return i;
    }

    private static int parseStatus(String head) {
        try {
            return Integer.parseInt(head.substring(9, 12));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A header's value in {@code head}, or null; names are matched ignoring case. */
    static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }
}
