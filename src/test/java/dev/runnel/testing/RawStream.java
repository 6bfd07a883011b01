package dev.runnel.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.runnel.protocol.SseEvent;
import dev.runnel.protocol.SseParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber on a raw HTTP/1.1 socket: every byte the server sends is kept, so a test can check
 * the exact wire (chunk framing, what follows the end of the response). Without {@link #startReading}
 * it reads nothing at all, like a client that stalled; its receive buffer can be made tiny.
 */
public final class RawStream implements AutoCloseable {
    private final Socket socket;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Thread reader;

    private RawStream(Socket socket) {
        this.socket = socket;
    }

    /** Connects and sends {@code GET target} with {@code extraHeaders} ("Name: value" lines). */
    public static RawStream open(int port, String target, int receiveBuffer, String... extraHeaders) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Accept: text/event-stream\r\n");
        for (String h : extraHeaders) {
            request.append(h).append("\r\n");
        }
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return new RawStream(socket);
    }

    /** Reads on a thread of its own until the server closes, or {@code quietAfterEnd} of silence follows the end. */
    public RawStream startReading(Duration quietAfterEnd) {
        Thread t = new Thread(() -> readAll(quietAfterEnd), "raw-stream-reader");
        t.setDaemon(true);
        reader = t;
        t.start();
        return this;
    }

    private void readAll(Duration quietAfterEnd) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = socket.getInputStream();
            int n;
            for (;;) {
                if (bodyComplete()) {
                    socket.setSoTimeout((int) quietAfterEnd.toMillis());
                }
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException quiet) {
                    break;
                }
                if (n < 0) {
                    break;
                }
                synchronized (raw) {
                    raw.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // The connection was reset: what arrived before is what the client got.
        } finally {
            ended.countDown();
        }
    }

    /** Reads synchronously until the server closes or resets the connection (for a stalled client, later). */
    public RawStream drainToEnd(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        readAll(Duration.ofMillis(200));
        return this;
    }

    public void awaitEnd(Duration timeout) throws InterruptedException {
        if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("the raw stream did not end within " + timeout);
        }
    }

    public byte[] bytes() {
        synchronized (raw) {
            return raw.toByteArray();
        }
    }

    /** Status, headers and the de-chunked body so far. */
    public RawHttp.Response response() {
        return RawHttp.parse(bytes());
    }

    /** The body's chunk framing: whether the terminal chunk came, and anything after it. */
    public RawHttp.Chunked chunks() {
        byte[] all = bytes();
        int end = RawHttp.indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (end < 0) {
            return new RawHttp.Chunked(new byte[0], false, 0);
        }
        return RawHttp.Chunked.decode(java.util.Arrays.copyOfRange(all, end + 4, all.length));
    }

    /** Bytes after the terminal chunk: a server that writes after completing the response. */
    public int bytesAfterEnd() {
        byte[] all = bytes();
        int end = RawHttp.indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        RawHttp.Chunked c = chunks();
        return c.complete() ? all.length - (end + 4 + c.consumed()) : 0;
    }

    private boolean bodyComplete() {
        return chunks().complete();
    }

    /** The body parsed strictly: events, retries and the parser's last event id. */
    public Parsed parse() {
        Parsed p = new Parsed();
        SseParser parser = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                p.events.add(event);
            }

            @Override
            public void onRetry(long millis) {
                p.retries.add(millis);
            }

            @Override
            public void onComment(String text) {
                p.comments.add(text);
            }
        });
        byte[] body = chunks().body();
        parser.feed(body);
        parser.end();
        p.lastEventId = parser.lastEventId();
        p.body = body;
        return p;
    }

    /** What a strict parser made of the body. */
    public static final class Parsed {
        public final List<SseEvent> events = new ArrayList<>();
        public final List<Long> retries = new ArrayList<>();
        public final List<String> comments = new ArrayList<>();
        public String lastEventId;
        public byte[] body;

        /** True when the body's last block is a {@code retry:} (the final frame of a finished stream). */
        public boolean endsWithRetry() {
            String text = new String(body, StandardCharsets.UTF_8);
            int start = text.lastIndexOf("\n", text.length() - 3);
            return text.endsWith("\n\n") && text.substring(start + 1).matches("retry: \\d+\n\n");
        }

        /** Events other than the server's own {@code connected} and {@code reset}. */
        public List<SseEvent> published() {
            return events.stream().filter(e -> !e.event().equals("connected") && !e.event().equals("reset")).toList();
        }
    }

    /** Drops the connection at once, with a reset (an abort, not a polite close). */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Closes with a reset (no FIN): the server learns of it only when it next writes. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }
}
