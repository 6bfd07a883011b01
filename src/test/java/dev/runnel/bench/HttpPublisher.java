package dev.runnel.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /publish} over one kept-alive HTTP/1.1 connection, as small and cheap as a client can
 * be so that the publisher's own cost stays out of the measurement. The body is
 * {@code {"topic":"t<i>","data":"…"}}, which Runnel and the baseline both accept, or for nchan the data
 * itself, posted to {@code /publish?topic=t<i>} ({@link ServerProcess.Endpoints#rawPublish}).
 *
 * <p>Threading: confined to one publishing thread.
 */
final class HttpPublisher implements AutoCloseable {
    private final String host;
    private final int port;
    private final String path;
    private final boolean raw;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private final byte[] buffer = new byte[8192];

    HttpPublisher(String host, int port, String path, boolean raw) {
        this.host = host;
        this.port = port;
        this.path = path;
        this.raw = raw;
    }

    /** Publishes; returns the HTTP status (opening the connection again if the server had closed it). */
    int publish(String topic, String data) throws IOException {
        byte[] body = (raw ? data : "{\"topic\":\"" + topic + "\",\"data\":\"" + data + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        String target = raw ? path + "?topic=" + topic : path;
        byte[] head = ("POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: "
                + (raw ? "text/plain" : "application/json") + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        if (socket == null) {
            connect();
        }
        out.write(head);
        out.write(body);
        out.flush();
        return readResponse();
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(120_000);
        socket.connect(new InetSocketAddress(host, port), 10_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    private int readResponse() throws IOException {
        int length = 0;
        int headerEnd = -1;
        while (headerEnd < 0) {
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                throw new IOException("publish: connection closed before the response");
            }
            length += n;
            for (int i = 3; i < length; i++) {
                if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r') {
                    headerEnd = i + 1;
                    break;
                }
            }
        }
        String head = new String(buffer, 0, headerEnd, StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(head.substring(9, 12));
        int contentLength = 0;
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                contentLength = Integer.parseInt(line.substring(15).strip());
            }
        }
        int bodyRead = length - headerEnd;
        while (bodyRead < contentLength) {
            int n = in.read(buffer, 0, Math.min(buffer.length, contentLength - bodyRead));
            if (n < 0) {
                throw new IOException("publish: connection closed inside the response body");
            }
            bodyRead += n;
        }
        if (head.toLowerCase(java.util.Locale.ROOT).contains("connection: close")) {
            close();
        }
        return status;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a connection we are done with
            }
            socket = null;
        }
    }
}
