package dev.runnel.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The benchmark harness: runs one scenario against Runnel and against the naive baseline
 * ({@link BaselineServlets}) on the same embedded Jetty, each in a fresh server JVM, with load from
 * separate {@link LoadClient} JVMs, {@code --runs} times, and reports medians, spread and
 * Runnel/baseline ratios.
 *
 * <pre>
 * mvn -Pbench verify -Dbench.scenario=idle|fanout|throughput|slow|topics [-Dbench.args="--runs 3 …"]
 * </pre>
 *
 * Scenarios (sizes are the defaults; every one has a flag to shrink it):
 * <ol>
 *   <li>{@code idle}: ramp to {@code --connections 19000} in {@code --steps 4}, heap after a full GC at
 *       each step (the slope is the heap per stream), hold {@code --hold 60s} with heartbeats.
 *   <li>{@code fanout}: {@code --subscribers 10000} on one topic, {@code --rate 1} event/s for
 *       {@code --duration 60s}, {@code --payload 1024} bytes.
 *   <li>{@code throughput}: {@code --subscribers 1000,10000}, {@code --publishers 4} publishing as fast
 *       as the server takes (at most {@code --window 300} events ahead of the average subscriber) for
 *       {@code --warmup 5s} + {@code --duration 15s}, {@code --payload 64}.
 *   <li>{@code slow}: {@code fanout} plus {@code --slow 100} connections that never read.
 *   <li>{@code topics}: {@code --subscribers 10000} each on {@code --per-connection 5} of
 *       {@code --topics 1000}; 1% of the topics at 50/s, 9% at 5/s, 90% at 0.5/s, for {@code --duration 30s}.
 * </ol>
 * Common flags: {@code --runs 1}, {@code --servers runnel,baseline}, {@code --per-process 5000},
 * {@code --server-jvm "…"}, {@code --client-jvm "…"}, {@code --set runnel.key=value,…}, {@code --out target/bench},
 * {@code --send-buffer bytes} (the server sockets' SO_SNDBUF; by default the kernel autotunes it up to
 * megabytes, which absorbs a minute of a stalled client's events in {@code slow}).
 *
 * <p>A run that loses, duplicates or reorders an event is marked FAILED in the report, and the harness
 * exits non-zero, however fast it was.
 */
public final class Bench {
    static final String DEFAULT_SERVER_JVM = "-Xms1g -Xmx1g -XX:+UseParallelGC -XX:ParallelGCThreads=2";
    static final String DEFAULT_CLIENT_JVM = "-Xms256m -Xmx768m -XX:+UseSerialGC";

    /** What every scenario shares. */
    static final class Options {
        int runs = 1;
        List<String> servers = List.of("runnel", "baseline");
        int perProcess = 5000;
        List<String> serverJvm = split(DEFAULT_SERVER_JVM);
        List<String> clientJvm = split(DEFAULT_CLIENT_JVM);
        long heartbeatSeconds = 10;
        int sendBuffer;
        List<String> extraSettings = List.of();
        File out = new File("target/bench");

        List<String> runnelSettings() {
            // The load comes from a few loopback addresses and publishers as fast as the server
            // takes: the per-address stream limit and the publish rate limit would measure
            // themselves, and 19,000 streams are more than the default total.
            List<String> s = new ArrayList<>(List.of("runnel.heartbeat=" + heartbeatSeconds + "s",
                    "runnel.retry.min=200ms", "runnel.retry.max=500ms", "runnel.log.size=100000",
                    "runnel.streams.perAddress=0", "runnel.publish.rate=0", "runnel.streams.max=100000",
                    "runnel.publish.allowLoopback=true"));
            s.addAll(extraSettings);
            return s;
        }
    }

    private final String scenario;
    private final Map<String, String> flags;
    private final Options options = new Options();
    private final List<Map<String, Object>> records = new ArrayList<>();
    private boolean anyFailed;

    Bench(String scenario, Map<String, String> flags) {
        this.scenario = scenario;
        this.flags = flags;
        options.runs = integer("runs", 1);
        options.servers = List.of(flag("servers", "runnel,baseline").split(","));
        options.perProcess = integer("per-process", 5000);
        options.serverJvm = split(flag("server-jvm", DEFAULT_SERVER_JVM));
        options.clientJvm = split(flag("client-jvm", DEFAULT_CLIENT_JVM));
        options.heartbeatSeconds = integer("heartbeat-seconds", 10);
        options.sendBuffer = integer("send-buffer", 0);
        options.extraSettings = flags.containsKey("set") ? List.of(flags.get("set").split(",")) : List.of();
        options.out = new File(flag("out", "target/bench"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = Flags.parse(args);
        String scenario = flags.getOrDefault("", "fanout");
        Bench bench = new Bench(scenario, flags);
        String report = bench.run();
        System.out.println(report);
        System.exit(bench.anyFailed ? 1 : 0);
    }

    /** Runs the scenario {@code --runs} times against each server; returns the report (Markdown). */
    String run() throws Exception {
        options.out.mkdirs();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        File logDir = new File(options.out, "logs-" + scenario + "-" + stamp);
        for (int run = 1; run <= options.runs; run++) {
            for (String kind : options.servers) {
                log("%s run %d/%d against %s (load average %s)", scenario, run, options.runs, kind, loadAverage());
                switch (scenario) {
                    case "idle" -> idle(kind, run, logDir);
                    case "fanout" -> fanout(kind, run, logDir, 0);
                    case "slow" -> fanout(kind, run, logDir, integer("slow", 100));
                    case "throughput" -> {
                        for (String n : flag("subscribers", "1000,10000").split(",")) {
                            throughput(kind, run, logDir, Integer.parseInt(n.strip()));
                        }
                    }
                    case "topics" -> topics(kind, run, logDir);
                    default -> throw new IllegalArgumentException("scenario: \"" + scenario
                            + "\" (expected: idle, fanout, throughput, slow or topics)");
                }
            }
        }
        String report = Report.markdown(scenario, flags, options, records);
        Files.writeString(new File(options.out, "report-" + scenario + "-" + stamp + ".md").toPath(), report,
                StandardCharsets.UTF_8);
        Files.writeString(new File(options.out, "runs-" + scenario + "-" + stamp + ".json").toPath(),
                new GsonBuilder().setPrettyPrinting().create().toJson(records), StandardCharsets.UTF_8);
        return report;
    }

    /** Results of the last runs, for tests: one map per (run, server). */
    List<Map<String, Object>> records() {
        return records;
    }

    boolean anyFailed() {
        return anyFailed;
    }

    // Scenario 1.
    private void idle(String kind, int run, File logDir) throws Exception {
        int connections = integer("connections", 19_000);
        int steps = integer("steps", 4);
        long holdNanos = duration("hold", "60s");
        Map<String, Object> m = record(kind, run, "idle " + connections);
        try (BenchRun r = new BenchRun(kind, options, logDir)) {
            r.startServer();
            r.startClients(connections, 1, 1, 0);
            double[] xs = new double[steps + 1];
            double[] heaps = new double[steps + 1];
            JsonObject base = r.serverStats(true);
            heaps[0] = base.get("heapUsed").getAsDouble();
            long failed = 0;
            long rampStart = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                long[] opened = r.connect((double) step / steps, 300_000);
                failed = opened[1];
                JsonObject s = r.serverStats(true);
                xs[step] = s.get("connections").getAsDouble();
                heaps[step] = s.get("heapUsed").getAsDouble();
                log("  %s: %d open, %d failed; server sees %d; heap after GC %.1f MiB, RSS %.1f MiB", kind,
                        opened[0], opened[1], s.get("connections").getAsLong(), heaps[step] / MiB, s.get("rss").getAsDouble() / MiB);
            }
            double rampSeconds = (System.nanoTime() - rampStart) / 1e9;
            JsonObject before = r.serverStats(false);
            long minOpen = Long.MAX_VALUE;
            long holdEnd = System.nanoTime() + holdNanos;
            while (System.nanoTime() < holdEnd) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                minOpen = Math.min(minOpen, r.openSoFar());
            }
            JsonObject after = r.serverStats(true);
            BenchRun.Results res = r.end(Map.of(), 1_000);
            long errors = failed + res.closedByServer + res.reconnects + res.protocolErrors;
            m.put("streams open at the end", (double) res.open);
            m.put("errors (failed + dropped + reconnects)", (double) errors);
            m.put("heartbeats received per stream", res.comments / (double) Math.max(1, connections));
            m.put("heap per stream, KiB (slope)", slope(xs, heaps) / 1024);
            m.put("heap after GC at full size, MiB", after.get("heapUsed").getAsDouble() / MiB);
            m.put("RSS at full size, MiB", after.get("rss").getAsDouble() / MiB);
            m.put("server threads", after.get("threads").getAsDouble());
            m.put("server CPU during the hold, % of a core",
                    100.0 * (after.get("cpuNanos").getAsLong() - before.get("cpuNanos").getAsLong()) / holdNanos);
            m.put("ramp time, s", rampSeconds);
            boolean ok = errors == 0 && res.open == connections && minOpen == connections;
            finish(m, ok, res.firstError);
        }
    }

    // Scenarios 2 and 4.
    private void fanout(String kind, int run, File logDir, int slow) throws Exception {
        int subscribers = integer("subscribers", 10_000);
        double rate = Double.parseDouble(flag("rate", "1"));
        long durationNanos = duration("duration", "60s");
        int payload = integer("payload", 1024);
        Map<String, Object> m = record(kind, run, (slow > 0 ? "slow " : "fanout ") + subscribers);
        try (BenchRun r = new BenchRun(kind, options, logDir)) {
            r.startServer();
            r.startClients(subscribers, 1, 1, slow);
            long[] opened = r.connect(1.0, 300_000);
            log("  %s: %d open, %d failed", kind, opened[0], opened[1]);
            JsonObject before = r.serverStats(true);
            Publishing p = new Publishing(r.port(), 1, 1, payload);
            Map<Integer, Long> published = p.onSchedule(new double[] {rate}, 1, durationNanos);
            BenchRun.Results res = r.end(published, 20_000);
            JsonObject after = r.serverStats(false);
            JsonObject afterGc = r.serverStats(true);
            correctness(m, res, p);
            latency(m, res);
            serverCost(m, before, after, res);
            m.put("heap after GC at the end, MiB", afterGc.get("heapUsed").getAsDouble() / MiB);
            m.put("RSS at the end, MiB", afterGc.get("rss").getAsDouble() / MiB);
            if (slow > 0) {
                m.put("slow connections still open", (double) res.slowOpen);
            }
            finish(m, res.correct() && p.errors() == 0, firstOf(res.firstError, p.firstError()));
        }
    }

    // Scenario 3.
    private void throughput(String kind, int run, File logDir, int subscribers) throws Exception {
        int publishers = integer("publishers", 4);
        long window = integer("window", 300);
        long warmupNanos = duration("warmup", "5s");
        long durationNanos = duration("duration", "15s");
        int payload = integer("payload", 64);
        Map<String, Object> m = record(kind, run, "throughput " + subscribers);
        try (BenchRun r = new BenchRun(kind, options, logDir)) {
            r.startServer();
            r.startClients(subscribers, 1, 1, 0);
            long[] opened = r.connect(1.0, 300_000);
            log("  %s: %d open, %d failed", kind, opened[0], opened[1]);
            Publishing p = new Publishing(r.port(), publishers, 1, payload);
            long[] window0 = new long[3];
            long[] window1 = new long[3];
            JsonObject[] stats = new JsonObject[2];
            Thread sampler = new Thread(() -> {
                try {
                    LockSupport.parkNanos(warmupNanos);
                    stats[0] = r.serverStats(false);
                    window0[0] = System.nanoTime();
                    window0[1] = r.deliveredSoFar();
                    LockSupport.parkNanos(durationNanos);
                    stats[1] = r.serverStats(false);
                    window1[0] = System.nanoTime();
                    window1[1] = r.deliveredSoFar();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-sampler");
            sampler.start();
            Map<Integer, Long> published = p.asFastAsTaken(publishers, subscribers, window, r::deliveredSoFar,
                    warmupNanos + durationNanos + TimeUnit.MILLISECONDS.toNanos(200));
            sampler.join();
            BenchRun.Results res = r.end(published, 60_000);
            double seconds = (window1[0] - window0[0]) / 1e9;
            double deliveredInWindow = window1[1] - window0[1];
            m.put("delivered events/s", deliveredInWindow / seconds);
            m.put("published events/s", published.values().stream().mapToLong(Long::longValue).sum()
                    / ((warmupNanos + durationNanos) / 1e9));
            correctness(m, res, p);
            serverCost(m, stats[0], stats[1], deliveredInWindow);
            if (stats[1].has("writes")) {
                double frames = stats[1].get("framesDelivered").getAsDouble() - stats[0].get("framesDelivered").getAsDouble();
                double writes = stats[1].get("writes").getAsDouble() - stats[0].get("writes").getAsDouble();
                m.put("events per socket write", frames / Math.max(1, writes));
            }
            latency(m, res);
            finish(m, res.correct() && p.errors() == 0, firstOf(res.firstError, p.firstError()));
        }
    }

    // Scenario 5.
    private void topics(String kind, int run, File logDir) throws Exception {
        int subscribers = integer("subscribers", 10_000);
        int topics = integer("topics", 1000);
        int perConnection = integer("per-connection", 5);
        long durationNanos = duration("duration", "30s");
        int payload = integer("payload", 128);
        int publishers = integer("publishers", 4);
        Map<String, Object> m = record(kind, run, "topics " + subscribers + "x" + perConnection + "/" + topics);
        double[] rates = new double[topics];
        for (int t = 0; t < topics; t++) {
            // Mixed rates: 1% hot, 9% warm, 90% cold (in a scattered order).
            int rank = (int) ((t * 7919L) % topics);
            rates[t] = rank < topics / 100 ? 50 : rank < topics / 10 ? 5 : 0.5;
        }
        try (BenchRun r = new BenchRun(kind, options, logDir)) {
            r.startServer();
            r.startClients(subscribers, topics, perConnection, 0);
            long[] opened = r.connect(1.0, 300_000);
            log("  %s: %d open, %d failed", kind, opened[0], opened[1]);
            JsonObject before = r.serverStats(true);
            Publishing p = new Publishing(r.port(), topics, topics, payload);
            Map<Integer, Long> published = p.onSchedule(rates, publishers, durationNanos);
            BenchRun.Results res = r.end(published, 20_000);
            JsonObject after = r.serverStats(false);
            m.put("published events/s", published.values().stream().mapToLong(Long::longValue).sum()
                    / (durationNanos / 1e9));
            correctness(m, res, p);
            latency(m, res);
            serverCost(m, before, after, res);
            finish(m, res.correct() && p.errors() == 0, firstOf(res.firstError, p.firstError()));
        }
    }

    private static void correctness(Map<String, Object> m, BenchRun.Results res, Publishing p) {
        m.put("delivered", (double) res.delivered);
        m.put("expected", (double) res.expected);
        m.put("missing", (double) res.missing);
        m.put("duplicated", (double) res.duplicated);
        m.put("out of order", (double) res.outOfOrder);
        m.put("reconnects", (double) res.reconnects);
        m.put("failed connects", (double) res.failed);
        m.put("publish errors", (double) p.errors());
    }

    private static void latency(Map<String, Object> m, BenchRun.Results res) {
        percentiles(m, "", res.all);
        percentiles(m, "last subscriber ", res.lastSubscriber());
    }

    private static void percentiles(Map<String, Object> m, String prefix, Histogram h) {
        if (h.getTotalCount() == 0) {
            return;
        }
        for (double p : new double[] {50, 90, 99, 99.9}) {
            m.put(prefix + "p" + (p == Math.rint(p) ? Integer.toString((int) p) : Double.toString(p)) + " ms",
                    h.getValueAtPercentile(p) / 1e6);
        }
        m.put(prefix + "max ms", h.getMaxValue() / 1e6);
    }

    private static void serverCost(Map<String, Object> m, JsonObject before, JsonObject after, BenchRun.Results res) {
        serverCost(m, before, after, res.delivered);
    }

    private static void serverCost(Map<String, Object> m, JsonObject before, JsonObject after, double delivered) {
        double cpu = after.get("cpuNanos").getAsDouble() - before.get("cpuNanos").getAsDouble();
        m.put("server CPU per delivered event, µs", delivered == 0 ? Double.NaN : cpu / delivered / 1e3);
        double system = after.get("systemNanos").getAsDouble() - before.get("systemNanos").getAsDouble();
        double user = after.get("userNanos").getAsDouble() - before.get("userNanos").getAsDouble();
        m.put("server CPU in the kernel, %", user + system == 0 ? Double.NaN : 100 * system / (user + system));
        m.put("server GC time, ms", after.get("gcMillis").getAsDouble() - before.get("gcMillis").getAsDouble());
    }

    private Map<String, Object> record(String kind, int run, String what) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server", kind);
        m.put("run", run);
        m.put("case", what);
        m.put("load average", loadAverage());
        records.add(m);
        return m;
    }

    private void finish(Map<String, Object> m, boolean ok, String firstError) {
        m.put("correct", ok);
        if (firstError != null) {
            m.put("first error", firstError);
        }
        if (!ok) {
            anyFailed = true;
        }
        log("  %s", m);
    }

    static String loadAverage() {
        try {
            String[] w = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return w[0] + " " + w[1] + " " + w[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** Least-squares slope of y over x. */
    static double slope(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }
        return den == 0 ? Double.NaN : num / den;
    }

    private static String firstOf(String a, String b) {
        return a != null ? a : b;
    }

    private String flag(String name, String fallback) {
        return flags.getOrDefault(name, fallback);
    }

    private int integer(String name, int fallback) {
        return Integer.parseInt(flag(name, Integer.toString(fallback)).replace("_", ""));
    }

    private long duration(String name, String fallback) {
        String v = flag(name, fallback).strip().toLowerCase(Locale.ROOT);
        if (v.endsWith("ms")) {
            return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
            return (long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1e9);
        }
        if (v.endsWith("m")) {
            return (long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 60e9);
        }
        return (long) (Double.parseDouble(v) * 1e9);
    }

    static List<String> split(String jvm) {
        return Arrays.stream(jvm.strip().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
        System.out.flush();
    }

    private static final double MiB = 1024.0 * 1024.0;
}
