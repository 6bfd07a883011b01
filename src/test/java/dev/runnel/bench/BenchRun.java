package dev.runnel.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * One pass of a scenario against a running {@link ServerProcess}: the client JVMs that load it, from
 * start to the merged results. Each client process holds at most {@code perProcess} connections (well
 * under the 20,000 open files a process may have) and binds its sockets to a loopback address of its
 * own ({@code 127.0.0.2}, {@code 127.0.0.3}, …), so the ephemeral port range is never what limits a ramp.
 * Closing it stops the clients; the server outlives it (a warm-up pass and the measured pass share one).
 *
 * <p>Threading: driven by one coordinator thread, plus at most one sampler calling {@link #interval}
 * and {@link #serverStats}; progress arrives on the processes' reader threads.
 */
final class BenchRun implements AutoCloseable {
    final String kind;
    private final ServerProcess server;
    private final Bench.Options options;
    private final File logDir;
    private final String name;
    private final List<ChildProcess> clients = new ArrayList<>();
    private final List<Integer> shares = new ArrayList<>();
    private AtomicLongArray delivered;
    private AtomicLongArray open;
    int subscribers;

    /** {@code name} tells this pass's client logs apart from another's on the same server ({@code warm-up}). */
    BenchRun(String kind, ServerProcess server, Bench.Options options, File logDir, String name) {
        this.kind = kind;
        this.server = server;
        this.options = options;
        this.logDir = logDir;
        this.name = name;
    }

    ServerProcess server() {
        return server;
    }

    int port() {
        return server.port();
    }

    /**
     * Starts enough client JVMs for {@code total} connections; the last {@code slow} of them never
     * read. Connections are not opened until {@link #connect}.
     */
    void startClients(int total, int topics, int topicsPerConnection, int slow) throws IOException {
        subscribers = total;
        // At least two processes: one selector thread parses about a million events a second, and
        // a throughput run at 1,000 streams would otherwise measure one client thread, not the server.
        int processes = Math.max(Math.min(2, total), (total + slow + options.perProcess - 1) / options.perProcess);
        delivered = new AtomicLongArray(processes);
        open = new AtomicLongArray(processes);
        int first = 0;
        for (int i = 0; i < processes; i++) {
            int share = total / processes + (i < total % processes ? 1 : 0);
            boolean last = i == processes - 1;
            int slowHere = last ? slow : 0;
            shares.add(share + slowHere);
            int index = i;
            ServerProcess.Endpoints endpoints = server.endpoints();
            List<String> args = List.of("--server", "127.0.0.1:" + server.subscribePort(i), "--path", subscribePath(endpoints),
                    "--transport", options.transport, "--poll-timeout", options.pollTimeout,
                    "--comma-topics", Boolean.toString(endpoints.commaTopics()),
                    "--bind", "127.0.0." + (2 + i), "--topics", Integer.toString(topics),
                    "--topics-per-connection", Integer.toString(topicsPerConnection),
                    "--first-index", Integer.toString(first), "--slow", Integer.toString(slowHere));
            clients.add(ChildProcess.start(kind + "-" + name + "-client-" + i, options.clientJvm, LoadClient.class.getName(), args,
                    logDir, line -> progress(index, line)));
            first += share + slowHere;
        }
    }

    /** Where the subscribers go: the server's event stream, or Runnel's {@code /ws} or {@code /poll} beside it. */
    private String subscribePath(ServerProcess.Endpoints endpoints) {
        String events = endpoints.subscribe();
        if (options.transport.equals("sse")) {
            return events;
        }
        return events.substring(0, events.lastIndexOf('/') + 1) + options.transport;
    }

    private void progress(int process, String line) {
        String[] w = line.split(" ");
        delivered.set(process, Long.parseLong(w[1]));
        open.set(process, Long.parseLong(w[2]));
    }

    /** Events delivered so far across every client (progress lines, at most 50 ms old). */
    long deliveredSoFar() {
        long sum = 0;
        for (int i = 0; i < delivered.length(); i++) {
            sum += delivered.get(i);
        }
        return sum;
    }

    long openSoFar() {
        long sum = 0;
        for (int i = 0; i < open.length(); i++) {
            sum += open.get(i);
        }
        return sum;
    }

    /**
     * Opens connections until {@code fraction} of every client's share is open; returns
     * {open, failed} once every client answered.
     */
    long[] connect(double fraction, long timeoutMillis) throws InterruptedException {
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).send("CONNECT " + Math.round(shares.get(i) * fraction));
        }
        long openCount = 0;
        long failed = 0;
        for (ChildProcess c : clients) {
            String[] w = c.await("READY", timeoutMillis).split(" ");
            openCount += Long.parseLong(w[0]);
            failed += Long.parseLong(w[1]);
        }
        return new long[] {openCount, failed};
    }

    /** The server's counters; after a full GC when {@code gc} (see {@link ServerProcess#stats}). */
    JsonObject serverStats(boolean gc) throws InterruptedException {
        try {
            return server.stats(gc);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(kind + ": server counters unavailable: " + e, e);
        }
    }

    /** Deliveries so far and the latencies recorded since the previous call, across every client. */
    Interval interval() throws InterruptedException {
        for (ChildProcess c : clients) {
            c.send("INTERVAL");
        }
        Interval merged = new Interval();
        for (ChildProcess c : clients) {
            String[] w = c.await("I ", 30_000).split(" ");
            merged.delivered += Long.parseLong(w[0]);
            merged.latency.add(Histograms.decode(w[1]));
        }
        return merged;
    }

    /** What {@link #interval} answers. */
    static final class Interval {
        long delivered;
        final Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
    }

    /** Tells every client what was published, waits for their results and merges them. */
    Results end(Map<Integer, Long> published, long drainMillis) throws InterruptedException {
        StringBuilder totals = new StringBuilder();
        published.forEach((k, n) -> totals.append(totals.length() == 0 ? "" : ",").append(k).append('=').append(n));
        for (ChildProcess c : clients) {
            c.send("END " + drainMillis + " " + totals);
        }
        Results merged = new Results();
        for (ChildProcess c : clients) {
            merged.add(JsonParser.parseString(c.await("RESULT", drainMillis + 60_000)).getAsJsonObject());
        }
        merged.published = published;
        return merged;
    }

    @Override
    public void close() {
        for (ChildProcess c : clients) {
            c.close();
        }
    }

    /** Client results merged: counters summed, histograms added, per-event maxima taken across processes. */
    static final class Results {
        long connections;
        long open;
        long failed;
        long expected;
        long delivered;
        long missing;
        long duplicated;
        long outOfOrder;
        long reconnects;
        long closedByServer;
        long comments;
        long answers; // poll answers
        long protocolErrors;
        long slowOpen;
        String firstError;
        final Histogram all = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
        final Map<Integer, long[]> lastByStream = new HashMap<>();
        Map<Integer, Long> published = Map.of();

        void add(JsonObject r) {
            connections += r.get("connections").getAsLong();
            open += r.get("open").getAsLong();
            failed += r.get("failed").getAsLong();
            expected += r.get("expected").getAsLong();
            delivered += r.get("delivered").getAsLong();
            missing += r.get("missing").getAsLong();
            duplicated += r.get("duplicated").getAsLong();
            outOfOrder += r.get("outOfOrder").getAsLong();
            reconnects += r.get("reconnects").getAsLong();
            closedByServer += r.get("closedByServer").getAsLong();
            comments += r.get("comments").getAsLong();
            answers += r.get("answers").getAsLong();
            protocolErrors += r.get("protocolErrors").getAsLong();
            slowOpen += r.get("slowOpen").getAsLong();
            if (firstError == null && r.has("firstError")) {
                firstError = r.get("firstError").getAsString();
            }
            all.add(Histograms.decode(r.get("latency").getAsString()));
            for (var e : r.getAsJsonObject("lastByStream").entrySet()) {
                long[] values = Histograms.decodeLongs(e.getValue().getAsString());
                lastByStream.merge(Integer.parseInt(e.getKey()), values, Results::maxOf);
            }
        }

        private static long[] maxOf(long[] a, long[] b) {
            long[] m = a.length >= b.length ? a.clone() : b.clone();
            long[] other = a.length >= b.length ? b : a;
            for (int i = 0; i < other.length; i++) {
                m[i] = Math.max(m[i], other[i]);
            }
            return m;
        }

        /** Latency of the last subscriber to receive each event (events nobody received are left out). */
        Histogram lastSubscriber() {
            Histogram h = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
            lastByStream.forEach((stream, values) -> {
                long n = published.getOrDefault(stream, (long) values.length - 1);
                for (int seq = 1; seq < values.length && seq <= n; seq++) {
                    if (values[seq] > 0) {
                        h.recordValue(values[seq]);
                    }
                }
            });
            return h;
        }

        /** Lost or duplicated anything, or saw events out of order: the run fails whatever its speed. */
        boolean correct() {
            return missing == 0 && duplicated == 0 && outOfOrder == 0 && protocolErrors == 0 && failed == 0;
        }
    }
}
