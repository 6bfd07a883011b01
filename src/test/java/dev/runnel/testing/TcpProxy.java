package dev.runnel.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a server, for faults the network makes: it can swallow what the
 * server answers while still passing what the client sends ({@link #dropReplies}: a request that
 * is executed but whose answer never arrives, as when a link fails at the wrong moment), and cut
 * every open connection ({@link #cutAll}), buffer event streams as a misconfigured reverse proxy
 * does ({@link #bufferEventStreams}), or cut each one as it begins ({@link #cutEventStreams}).
 *
 * <p>Threading: two daemon threads per connection pump the bytes; the switches may be flipped from
 * any thread. Which request a connection carries is noted by the client-side pump and read by the
 * server-side one.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger heldStreams = new AtomicInteger();
    private volatile boolean dropReplies;
    private volatile boolean bufferEventStreams;
    private volatile boolean cutEventStreams;
    private volatile boolean closed;

    public TcpProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "tcp-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** While true, bytes from the server are read and thrown away. */
    public void dropReplies(boolean drop) {
        dropReplies = drop;
    }

    /**
     * While true, the answer to an HTTP/1.1 request whose path ends in {@code /events} passes its
     * status line and headers at once (so {@code EventSource} fires {@code open}) and then none of its
     * body, for as long as the response lasts, which for a stream is for ever. Other answers
     * ({@code /poll}, pages, scripts) pass unchanged.
     */
    public void bufferEventStreams(boolean buffer) {
        bufferEventStreams = buffer;
    }

    /** While true, a connection whose request asks for {@code /events} is closed when the answer begins. */
    public void cutEventStreams(boolean cut) {
        cutEventStreams = cut;
    }

    /** How many event-stream answers {@link #bufferEventStreams} has held back so far. */
    public int heldStreams() {
        return heldStreams.get();
    }

    /** Closes every connection open through the proxy now; new ones are accepted as before. */
    public void cutAll() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        cutAll();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket server = new Socket();
            try {
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5_000);
            } catch (IOException e) {
                closeQuietly(client); // an upstream that refuses: the client sees its connection end
                closeQuietly(server);
                continue;
            }
            sockets.add(client);
            sockets.add(server);
            Exchange exchange = new Exchange();
            pump(client, server, exchange, false);
            pump(server, client, exchange, true);
        }
    }

    /** What the connection's current request asked for, and how much of a held answer has come. */
    private static final class Exchange {
        volatile boolean eventStream;
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        boolean holding;
    }

    private void pump(Socket from, Socket to, Exchange exchange, boolean replies) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    if (!replies) {
                        noteRequest(exchange, buffer, n);
                    } else if (exchange.eventStream && cutEventStreams) {
                        break; // the connection ends before a byte of the answer
                    } else if (dropReplies || (bufferEventStreams && exchange.eventStream && hold(exchange, buffer, n, out))) {
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away: end both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** A request line ({@code GET /runnel/events?topic=a HTTP/1.1}) starts a new exchange. */
    private static void noteRequest(Exchange exchange, byte[] buffer, int n) {
        String start = new String(buffer, 0, Math.min(n, 512), StandardCharsets.ISO_8859_1);
        int space = start.indexOf(' ');
        if (space > 0 && start.substring(0, space).matches("[A-Z]+")) {
            int end = start.indexOf(' ', space + 1);
            String target = start.substring(space + 1, end < 0 ? start.length() : end);
            int query = target.indexOf('?');
            exchange.eventStream = (query < 0 ? target : target.substring(0, query)).endsWith("/events");
        }
    }

    /** Passes an event stream's headers on, and keeps everything after them; true: nothing more to write. */
    private boolean hold(Exchange exchange, byte[] buffer, int n, OutputStream out) throws IOException {
        if (exchange.holding) {
            return true;
        }
        exchange.head.write(buffer, 0, n);
        byte[] bytes = exchange.head.toByteArray();
        int end = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (end >= 0) {
            out.write(bytes, 0, end + 4);
            out.flush();
            exchange.holding = true;
            heldStreams.incrementAndGet();
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }
}
