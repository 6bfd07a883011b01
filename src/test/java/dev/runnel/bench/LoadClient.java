package dev.runnel.bench;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A load-generating client process: thousands of subscribers on one selector thread, each a
 * {@link StreamConnection} of a few hundred bytes; with {@code --transport ws} a
 * {@link WebSocketConnection} and with {@code --transport poll} a {@link PollConnection} (Runnel's
 * {@code /ws} and {@code /poll}, {@code --path} then naming those) instead of an event stream. Works against any server that speaks HTTP/1.1 and
 * {@code text/event-stream}; the request is {@code GET <path>?topic=t<i>&topic=t<j>…} (or, with
 * {@code --comma-topics}, {@code ?topic=t<i>,t<j>}, as nchan splits a channel list) with
 * {@code Accept: text/event-stream}, and a {@code Last-Event-ID} header when it reconnects, as
 * {@code EventSource} does. Ids are opaque: whatever the server sent goes back.
 *
 * <p>Driven by the {@link Bench} coordinator over stdin/stdout, one line per message:
 * <pre>
 * in:  CONNECT n                   open streams until n are open (or failed); answers READY open failed
 * in:  END deadlineMs k=n,k=n,…    publishing is over, stream k had n events; wait for them, answer RESULT {json}
 * in:  INTERVAL                    answer I delivered histogram: latencies since the last INTERVAL (then reset)
 * in:  QUIT                        close everything and exit
 * out: P delivered open            progress, every 50 ms
 * </pre>
 *
 * <p>Threading: one selector thread does all socket work; a second thread only reads stdin and hands
 * commands over through a queue.
 */
public final class LoadClient {
    private static final int MAX_PENDING_CONNECTS = 256;
    private static final long RECONNECT_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long HIGHEST_LATENCY = TimeUnit.MINUTES.toNanos(10);

    private final InetSocketAddress server;
    final String host;
    final String path;
    final boolean commaTopics;
    private final String transport;
    final String pollTimeout;
    private final List<InetSocketAddress> bindAddresses = new ArrayList<>();
    private final int topicCount;
    private final int topicsPerConnection;
    private final int firstIndex;
    private final int slowCount;
    private final PrintStream out;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    private final ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
    private final List<StreamConnection> connections = new ArrayList<>();
    private final ArrayDeque<StreamConnection> reconnects = new ArrayDeque<>();

    private final Histogram all = new Histogram(HIGHEST_LATENCY, 3);
    private final Histogram interval = new Histogram(HIGHEST_LATENCY, 3);
    private long[][] lastByStream = new long[8][]; // per stream, per sequence: the slowest delivery here

    private int target;
    private int pendingConnects;
    private int openCount;
    private int failed;
    private boolean readyReported = true;
    private long delivered;
    private long duplicates;
    private long outOfOrder;
    private long reconnectCount;
    private long comments;
    private long answers;
    private long closedByServer;
    private long protocolErrors;
    private String firstError;
    private boolean quitting;
    private long endDeadlineNanos;
    private Map<Integer, Long> expectedPerStream;
    private long[] expectedByConnection;

    private LoadClient(Map<String, String> flags, PrintStream out) throws IOException {
        String[] hostPort = flags.get("server").split(":");
        this.host = hostPort[0];
        this.server = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        this.path = flags.getOrDefault("path", "/events");
        for (String bind : flags.getOrDefault("bind", "127.0.0.2").split(",")) {
            bindAddresses.add(new InetSocketAddress(bind, 0));
        }
        this.topicCount = Integer.parseInt(flags.getOrDefault("topics", "1"));
        this.topicsPerConnection = Integer.parseInt(flags.getOrDefault("topics-per-connection", "1"));
        this.commaTopics = Boolean.parseBoolean(flags.getOrDefault("comma-topics", "false"));
        this.transport = flags.getOrDefault("transport", "sse");
        this.pollTimeout = flags.getOrDefault("poll-timeout", "10s");
        this.firstIndex = Integer.parseInt(flags.getOrDefault("first-index", "0"));
        this.slowCount = Integer.parseInt(flags.getOrDefault("slow", "0"));
        this.out = out;
        this.selector = Selector.open();
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        LoadClient client = new LoadClient(Flags.parse(args), out);
        Thread stdin = new Thread(client::readCommands, "bench-client-stdin");
        stdin.setDaemon(true);
        stdin.start();
        client.run();
        System.exit(0);
    }

    private void readCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line.strip());
                selector.wakeup();
            }
        } catch (IOException e) {
            commands.add("QUIT");
        }
        commands.add("QUIT"); // the coordinator went away
        selector.wakeup();
    }

    private void run() throws IOException {
        long nextProgress = System.nanoTime();
        while (!quitting) {
            selector.select(20);
            long now = System.nanoTime();
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                StreamConnection c = (StreamConnection) key.attachment();
                if (!key.isValid()) {
                    continue;
                }
                if (key.isConnectable()) {
                    finishConnect(c);
                } else if (key.isReadable()) {
                    read(c, now);
                }
            }
            String command;
            while ((command = commands.poll()) != null) {
                handle(command);
            }
            openMore();
            reconnectDue(now);
            if (!readyReported && pendingConnects == 0 && connections.size() >= target) {
                readyReported = true;
                out.println("READY " + openCount + " " + failed);
            }
            if (now - nextProgress >= 0) {
                nextProgress = now + TimeUnit.MILLISECONDS.toNanos(50);
                out.println("P " + delivered + " " + openCount);
            }
            if (expectedPerStream != null && (now - endDeadlineNanos >= 0 || allExpectedArrived())) {
                report();
                expectedPerStream = null;
            }
        }
        for (StreamConnection c : connections) {
            closeQuietly(c);
        }
    }

    private void handle(String command) {
        String[] words = command.split(" ");
        switch (words[0]) {
            case "CONNECT" -> {
                target = Integer.parseInt(words[1]);
                readyReported = false;
            }
            case "END" -> {
                endDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(words[1]));
                Map<Integer, Long> expected = new HashMap<>();
                if (words.length > 2 && !words[2].isEmpty()) {
                    for (String pair : words[2].split(",")) {
                        int eq = pair.indexOf('=');
                        expected.put(Integer.parseInt(pair.substring(0, eq)), Long.parseLong(pair.substring(eq + 1)));
                    }
                }
                expectedPerStream = expected;
                expectedByConnection = new long[connections.size()];
                for (int i = 0; i < connections.size(); i++) {
                    expectedByConnection[i] = expectedFor(connections.get(i));
                }
            }
            case "INTERVAL" -> {
                out.println("I " + delivered + " " + Histograms.encode(interval));
                interval.reset();
            }
            case "QUIT" -> quitting = true;
            default -> protocolErrors++;
        }
    }

    private void openMore() {
        while (connections.size() < target && pendingConnects < MAX_PENDING_CONNECTS) {
            int index = firstIndex + connections.size();
            boolean slow = connections.size() >= target - slowCount && slowCount > 0 && target > 0;
            StreamConnection c = newConnection(index, topicsOf(index), slow);
            connections.add(c);
            connect(c);
        }
    }

    private StreamConnection newConnection(int index, int[] topics, boolean slow) {
        return switch (transport) {
            case "sse" -> new StreamConnection(this, index, topics, slow);
            case "ws" -> new WebSocketConnection(this, index, topics, slow);
            case "poll" -> new PollConnection(this, index, topics, slow);
            default -> throw new IllegalArgumentException("transport: \"" + transport + "\" (expected: sse, ws or poll)");
        };
    }

    /** Deterministic topics for a connection: {@code topicsPerConnection} distinct ones of {@code topicCount}. */
    int[] topicsOf(int index) {
        int[] topics = new int[topicsPerConnection];
        if (topicsPerConnection == 1 && topicCount == 1) {
            return topics;
        }
        long seed = index * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (int i = 0; i < topics.length; i++) {
            int t;
            boolean again;
            do {
                seed ^= seed << 13;
                seed ^= seed >>> 7;
                seed ^= seed << 17;
                t = (int) Math.floorMod(seed, (long) topicCount);
                again = false;
                for (int j = 0; j < i; j++) {
                    again |= topics[j] == t;
                }
            } while (again);
            topics[i] = t;
        }
        return topics;
    }

    private void connect(StreamConnection c) {
        pendingConnects++;
        try {
            SocketChannel ch = SocketChannel.open();
            c.channel = ch;
            ch.configureBlocking(false);
            if (c.slow) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            }
            ch.bind(bindAddresses.get(c.index % bindAddresses.size()));
            c.reset();
            c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
            if (ch.connect(server)) {
                finishConnect(c);
            }
        } catch (IOException e) {
            connectFailed(c, e);
        }
    }

    private void finishConnect(StreamConnection c) {
        try {
            c.channel.finishConnect();
            c.write(c.request());
            if (c.slow) {
                c.key.interestOps(0); // never reads: the server's queue and socket buffers fill up
                pendingConnects--;
                openCount++;
                c.open = true;
            } else {
                c.key.interestOps(SelectionKey.OP_READ);
            }
        } catch (IOException e) {
            connectFailed(c, e);
        }
    }

    private void connectFailed(StreamConnection c, IOException e) {
        pendingConnects--;
        if (c.everOpened) {
            closeQuietly(c);
            scheduleReconnect(c);
            return;
        }
        failed++;
        noteError("connect " + c.index + ": " + e);
        closeQuietly(c);
    }

    private void read(StreamConnection c, long now) {
        readBuffer.clear();
        int n;
        try {
            n = c.channel.read(readBuffer);
        } catch (IOException e) {
            n = -1;
        }
        if (n > 0 && c.feed(readBuffer.array(), 0, n, now)) {
            return;
        }
        if (n == 0) {
            return;
        }
        // End of stream, a refused request or a protocol error.
        boolean wasOpen = c.open;
        if (!wasOpen && !c.everOpened) {
            if (c.channel.isOpen()) {
                pendingConnects--;
                failed++;
                noteError("stream " + c.index + " ended before its headers");
            }
            closeQuietly(c);
            return;
        }
        if (wasOpen) {
            openCount--;
            closedByServer++;
        } else {
            pendingConnects--;
        }
        closeQuietly(c);
        if (!quitting) {
            scheduleReconnect(c);
        }
    }

    private void scheduleReconnect(StreamConnection c) {
        c.reconnectAtNanos = System.nanoTime() + RECONNECT_DELAY_NANOS;
        reconnects.add(c);
    }

    private void reconnectDue(long now) {
        while (!reconnects.isEmpty() && now - reconnects.peek().reconnectAtNanos >= 0
                && pendingConnects < MAX_PENDING_CONNECTS) {
            StreamConnection c = reconnects.poll();
            reconnectCount++;
            connect(c);
        }
    }

    // Called by StreamConnection.

    void opened(StreamConnection c) {
        pendingConnects--;
        openCount++;
        c.everOpened = true;
    }

    void refused(StreamConnection c, int status) {
        noteError("stream " + c.index + ": status " + status);
        if (c.everOpened) {
            return; // read() closes it and schedules another reconnect
        }
        pendingConnects--;
        failed++;
        closeQuietly(c);
    }

    void protocolError(StreamConnection c, String what) {
        protocolErrors++;
        noteError("stream " + c.index + ": " + what);
    }

    void delivered(int stream, long sequence, long latencyNanos, boolean late) {
        delivered++;
        if (late) {
            outOfOrder++;
        }
        long latency = Math.max(0, Math.min(latencyNanos, HIGHEST_LATENCY));
        all.recordValue(latency);
        interval.recordValue(latency);
        if (stream >= lastByStream.length) {
            lastByStream = java.util.Arrays.copyOf(lastByStream, Math.max(stream + 1, lastByStream.length * 2));
        }
        long[] last = lastByStream[stream];
        if (last == null || sequence >= last.length) {
            long[] grown = new long[(int) Math.max(64, Math.max(sequence + 1, last == null ? 0 : last.length * 2L))];
            if (last != null) {
                System.arraycopy(last, 0, grown, 0, last.length);
            }
            last = grown;
            lastByStream[stream] = last;
        }
        if (latency > last[(int) sequence]) {
            last[(int) sequence] = latency;
        }
    }

    void duplicate() {
        duplicates++;
    }

    void comment() {
        comments++;
    }

    /** A poll was answered (with events or not). */
    void answered() {
        answers++;
    }

    private void noteError(String error) {
        if (firstError == null) {
            firstError = error;
        }
    }

    private boolean allExpectedArrived() {
        for (int i = 0; i < connections.size(); i++) {
            StreamConnection c = connections.get(i);
            if (!c.slow && c.distinct < expectedByConnection[i]) {
                return false;
            }
        }
        return true;
    }

    private long expectedFor(StreamConnection c) {
        long expected = 0;
        for (Map.Entry<Integer, Long> e : expectedPerStream.entrySet()) {
            if (c.subscribedTo(e.getKey() % topicCount)) {
                expected += e.getValue();
            }
        }
        return expected;
    }

    private void report() {
        long missing = 0;
        long expected = 0;
        int slowOpen = 0;
        for (int i = 0; i < connections.size(); i++) {
            StreamConnection c = connections.get(i);
            if (c.slow) {
                slowOpen += c.channel != null && c.channel.isOpen() ? 1 : 0;
                continue;
            }
            long e = expectedByConnection[i];
            expected += e;
            missing += Math.max(0, e - c.distinct);
        }
        JsonObject r = new JsonObject();
        r.addProperty("connections", connections.size());
        r.addProperty("open", openCount);
        r.addProperty("failed", failed);
        r.addProperty("expected", expected);
        r.addProperty("delivered", delivered);
        r.addProperty("missing", missing);
        r.addProperty("duplicated", duplicates);
        r.addProperty("outOfOrder", outOfOrder);
        r.addProperty("reconnects", reconnectCount);
        r.addProperty("closedByServer", closedByServer);
        r.addProperty("comments", comments);
        r.addProperty("answers", answers);
        r.addProperty("protocolErrors", protocolErrors);
        r.addProperty("slowOpen", slowOpen);
        if (firstError != null) {
            r.addProperty("firstError", firstError);
        }
        r.addProperty("latency", Histograms.encode(all));
        JsonObject last = new JsonObject();
        for (int stream = 0; stream < lastByStream.length; stream++) {
            if (lastByStream[stream] != null) {
                last.addProperty(Integer.toString(stream), Histograms.encode(lastByStream[stream]));
            }
        }
        r.add("lastByStream", last);
        out.println("RESULT " + r);
    }

    private static void closeQuietly(StreamConnection c) {
        if (c.channel == null) {
            return;
        }
        try {
            c.channel.close();
        } catch (IOException e) {
            // closing a socket we are done with: nothing left to do
        }
        c.open = false;
    }
}
