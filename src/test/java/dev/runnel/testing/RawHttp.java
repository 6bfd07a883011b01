package dev.runnel.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One request as raw bytes over a fresh socket — for what jetty-client refuses to send (bad UTF-8,
 * control characters, malformed framing) — and its response, read until the server closes.
 */
public final class RawHttp {
    private RawHttp() {}

    /** A parsed response; {@code status} is 0 when the server closed without answering. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public boolean isJson() {
            String type = header("content-type");
            return type != null && type.startsWith("application/json");
        }
    }

    /**
     * Sends {@code request} exactly, half-closes, and reads the response until the server closes or
     * {@code timeout} passes without a byte.
     */
    public static Response exchange(int port, byte[] request, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    raw.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // A server that keeps the connection open or resets it: judge what arrived.
            }
            return parse(raw.toByteArray());
        }
    }

    /** Parses one HTTP/1.x response: status line, headers, and a chunked or plain body. */
    public static Response parse(byte[] raw) {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (raw.length == 0 || end < 0) {
            return new Response(0, Map.of(), raw);
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.merge(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip(), (a, b) -> a + ", " + b);
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = Chunked.decode(body).body();
        }
        return new Response(Integer.parseInt(status[1]), headers, body);
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A chunked body decoded as far as it goes. */
    public record Chunked(byte[] body, boolean complete, int consumed) {
        /** Decodes chunks; stops at the terminal chunk ({@code complete}) or where the bytes run out. */
        public static Chunked decode(byte[] raw) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int at = 0;
            for (;;) {
                int lineEnd = indexOf(raw, new byte[] {'\r', '\n'}, at);
                if (lineEnd < 0) {
                    return new Chunked(out.toByteArray(), false, at);
                }
                String sizeText = new String(raw, at, lineEnd - at, StandardCharsets.US_ASCII);
                int semicolon = sizeText.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeText : sizeText.substring(0, semicolon)).strip(), 16);
                int dataStart = lineEnd + 2;
                if (size == 0) {
                    int trailerEnd = indexOf(raw, new byte[] {'\r', '\n'}, dataStart);
                    return new Chunked(out.toByteArray(), trailerEnd >= 0, trailerEnd < 0 ? at : trailerEnd + 2);
                }
                if (dataStart + size > raw.length) {
                    out.write(raw, dataStart, raw.length - dataStart); // a chunk cut short by the end
                    return new Chunked(out.toByteArray(), false, raw.length);
                }
                out.write(raw, dataStart, size);
                at = dataStart + size + 2;
                if (at > raw.length) {
                    return new Chunked(out.toByteArray(), false, raw.length);
                }
            }
        }
    }
}
