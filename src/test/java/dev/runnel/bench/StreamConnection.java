package dev.runnel.bench;

import dev.runnel.protocol.SseEvent;
import dev.runnel.protocol.SseParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One subscriber of the {@link LoadClient}: the HTTP/1.1 response ({@link HttpResponseReader}), the
 * {@link SseParser} reading its body, and the few numbers the correctness counters need per
 * connection. {@link WebSocketConnection} and
 * {@link PollConnection} speak the other transports over the same decoder and the same checks
 * ({@link #received}).
 *
 * <p>Events carry {@code <stream>:<sequence>:<nanoTime>[:padding]} in their data (see
 * {@link Payload}): every stream is one publisher's ordered sequence on topic {@code stream % topics}.
 * Per stream the connection remembers the highest sequence seen; a jump forward is a gap (provisionally
 * missing), a step back fills a gap (out of order) or, with no gap open, is a duplicate.
 *
 * <p>Threading: confined to the client's selector thread.
 */
class StreamConnection implements SseParser.Listener {
    final int index;
    final int[] topics;
    final boolean slow;
    final LoadClient client;

    SocketChannel channel;
    SelectionKey key;
    SseParser parser;
    boolean open;          // 200 and headers received
    boolean everOpened;
    long reconnectAtNanos; // > 0 while a reconnect is scheduled

    private final HttpResponseReader response = new HttpResponseReader(this);
    private String lastEventId = "";
    private long receiveNanos;

    // Correctness, per stream key (a handful per connection).
    private int[] keys = new int[2];
    private long[] highest = new long[2];
    private int keyCount;
    long distinct;
    long gaps;

    StreamConnection(LoadClient client, int index, int[] topics, boolean slow) {
        this.client = client;
        this.index = index;
        this.topics = topics;
        this.slow = slow;
    }

    /** Starts a fresh response (first connect or reconnect), keeping the cursor of the last one. */
    void reset() {
        lastEventId = lastEventId();
        expectResponse();
        open = false;
        parser = new SseParser(this);
    }

    /** The next bytes are a response's status line (a fresh connection, or the next answer on a kept-alive one). */
    final void expectResponse() {
        response.expectResponse();
    }

    /** The request that opens this connection: {@code GET <path>?topic=…} for an event stream. */
    byte[] request() {
        StringBuilder request = new StringBuilder(128).append("GET ").append(client.path);
        char sep = client.path.indexOf('?') < 0 ? '?' : '&';
        for (int t : topics) {
            request.append(sep).append(sep == ',' ? "t" : "topic=t").append(t);
            sep = client.commaTopics ? ',' : '&';
        }
        request.append(" HTTP/1.1\r\nHost: ").append(client.host).append("\r\nAccept: text/event-stream\r\n");
        String cursor = lastEventId();
        if (!cursor.isEmpty()) {
            request.append("Last-Event-ID: ").append(cursor).append("\r\n");
        }
        return request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes a request or frame whole: a few hundred bytes always fit the socket's buffer, or something is wrong. */
    final void write(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                throw new IOException("request did not fit the socket buffer");
            }
        }
    }

    /**
     * The response's status and headers arrived; false ends the connection. An event stream opens on
     * a 200.
     */
    boolean responseHead(int status, String head) {
        if (status != 200) {
            client.refused(this, status);
            return false;
        }
        startBody(head);
        open = true;
        client.opened(this);
        return true;
    }

    /** Reads the body as the head says: chunked, {@code Content-Length} bytes, or up to the close. */
    final void startBody(String head) {
        response.startBody(head);
    }

    /** Bytes of the body (of an upgraded connection: everything after its head); false ends the connection. */
    boolean body(byte[] bytes, int offset, int length) {
        parser.feed(bytes, offset, length);
        return true;
    }

    /** The body ended (its last chunk, or its length); false closes the connection, as an event stream's end does. */
    boolean bodyEnded() {
        return false;
    }

    /** {@code buffer} (holding {@code length} bytes) with {@code bytes[offset, offset + n)} copied after them; grown when needed. */
    static byte[] append(byte[] buffer, int length, byte[] bytes, int offset, int n) {
        byte[] to = length + n <= buffer.length ? buffer : Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + n));
        System.arraycopy(bytes, offset, to, length, n);
        return to;
    }


    String lastEventId() {
        return parser == null ? lastEventId : parser.lastEventId().isEmpty() ? lastEventId : parser.lastEventId();
    }

    boolean subscribedTo(int topic) {
        for (int t : topics) {
            if (t == topic) {
                return true;
            }
        }
        return false;
    }

    /**
     * Feeds bytes read from the socket at {@code nowNanos}. Returns false when the response ended
     * (a zero chunk) or was refused, so the caller closes the connection.
     */
    boolean feed(byte[] bytes, int offset, int length, long nowNanos) {
        receiveNanos = nowNanos;
        return response.feed(bytes, offset, length);
    }

    @Override
    public void onEvent(SseEvent event) {
        if (!event.event().equals("message")) {
            return; // connected, reset: Runnel's own frames
        }
        received(event.data(), event.id());
    }

    /**
     * An event of the benchmark's ({@code <stream>:<sequence>:<nanoTime>[:padding]}) with its id (empty
     * for none): counted as delivered, duplicated or out of order, and its latency recorded.
     */
    final void received(String data, String id) {
        int c1 = data.indexOf(':');
        int c2 = c1 < 0 ? -1 : data.indexOf(':', c1 + 1);
        if (c2 < 0) {
            client.protocolError(this, "event data without a stamp: " + data);
            return;
        }
        int c3 = data.indexOf(':', c2 + 1);
        int stream = (int) Payload.parseLong(data, 0, c1);
        long sequence = Payload.parseLong(data, c1 + 1, c2);
        long stamp = Payload.parseLong(data, c2 + 1, c3 < 0 ? data.length() : c3);
        if (!id.isEmpty()) {
            lastEventId = id;
        }
        int k = slot(stream);
        long top = highest[k];
        if (sequence == top + 1) {
            highest[k] = sequence;
            distinct++;
            client.delivered(stream, sequence, receiveNanos - stamp, false);
        } else if (sequence > top + 1) {
            gaps += sequence - top - 1;
            highest[k] = sequence;
            distinct++;
            client.delivered(stream, sequence, receiveNanos - stamp, false);
        } else if (gaps > 0) {
            gaps--;
            distinct++;
            client.delivered(stream, sequence, receiveNanos - stamp, true);
        } else {
            client.duplicate();
        }
    }

    /** A position without an event (a poll's cursor, a WebSocket {@code cursor} message): where to resume. */
    final void cursor(String id) {
        if (id != null && !id.isEmpty()) {
            lastEventId = id;
        }
    }

    @Override
    public void onComment(String text) {
        client.comment();
    }

    private int slot(int stream) {
        for (int i = 0; i < keyCount; i++) {
            if (keys[i] == stream) {
                return i;
            }
        }
        if (keyCount == keys.length) {
            keys = Arrays.copyOf(keys, keyCount * 2);
            highest = Arrays.copyOf(highest, keyCount * 2);
        }
        keys[keyCount] = stream;
        highest[keyCount] = 0;
        return keyCount++;
    }
}
