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
 * The benchmark harness: runs one scenario against Runnel, the naive baseline
 * ({@link BaselineServlets}, embedded Jetty) and nchan ({@link NchanServer}), each in fresh server
 * processes, with load from separate {@link LoadClient} JVMs, {@code --runs} times, and reports
 * medians, spread and ratios against nchan (or, without it, the baseline) measured in the same run.
 * Runnel runs as its WAR on a standalone Jetty ({@link JettyHomeServer}; {@code --runnel-container
 * embedded} puts it on the embedded Jetty of {@link BenchServer} instead). Every server start is
 * first given a warm-up pass of the same scenario ({@code --warm-up-pass 10s}, capped at the
 * scenario's own duration; {@code 0} for none; never for {@code idle}), whose results are discarded.
 *
 * <pre>
 * mvn -Pbench verify -Dbench.scenario=idle|fanout|throughput|slow|topics|flatout|chat [-Dbench.args="--runs 3 …"]
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
 *   <li>{@code flatout}: {@code --subscribers 1000}, {@code --publishers 4} publishing as fast as the
 *       server answers, with no window, for {@code --duration 15s}, {@code --payload 64}; every
 *       {@code --interval 500ms} a row of accepted and delivered events, the backlog, latency and
 *       memory; then how long until everything accepted is delivered (at most {@code --drain 120s}).
 * </ol>
 * Common flags: {@code --runs 1}, {@code --servers runnel,baseline,nchan} (nchan is skipped, with a
 * message, where nginx or its module is missing; {@code runnel-redis} is three embedded nodes on one
 * Redis, publishing on one and subscribing on the other two, see {@link SharedLogNodes}),
 * {@code --runnel-container jetty-home|embedded},
 * {@code --warm-up-pass 10s}, {@code --per-process 5000}, {@code --server-jvm "…"}, {@code --client-jvm "…"},
 * {@code --set runnel.key=value,…}, {@code --jetty jetty.key=value,…} (start properties for the standalone
 * Jetty: connector, HttpConfiguration), {@code --out target/bench}, {@code --profile [cpu|itimer]} (a CPU
 * profile of each server during the measured part of each pass, see {@link Profiler}),
 * {@code --transport sse|ws|poll} (the subscribers' transport, {@code fanout} and Runnel only: its
 * {@code /ws} or {@code /poll}, see {@link WebSocketConnection} and {@link PollConnection}; the
 * baseline and nchan are then skipped), {@code --poll-timeout 10s} (a waiting poll's {@code timeout}),
 * {@code --send-buffer bytes} (the server sockets' SO_SNDBUF; by default the kernel autotunes it up to
 * megabytes, which absorbs a minute of a stalled client's events in {@code slow}).
 *
 * <p>A run that loses, duplicates or reorders an event is marked FAILED in the report, and the harness
 * exits non-zero, however fast it was.
 */
public final class Bench {
    static final String DEFAULT_SERVER_JVM = "-Xms1g -Xmx1g -XX:+UseParallelGC -XX:ParallelGCThreads=2";
    static final String DEFAULT_CLIENT_JVM = "-Xms256m -Xmx768m -XX:+UseSerialGC";
    static final String DEFAULT_SERVERS = "runnel,baseline,nchan";

    /** What every scenario shares. */
    static final class Options {
        int runs = 1;
        List<String> servers = List.of("runnel", "baseline");
        String runnelContainer = "jetty-home";
        long warmUpNanos = TimeUnit.SECONDS.toNanos(10);
        String profile;
        List<String> jettyProperties = List.of();
        Map<String, Variant> variants = Map.of();
        String reference;
        int logSize = 100_000;
        int nchanBuffer = -1;
        int perProcess = 5000;
        List<String> serverJvm = split(DEFAULT_SERVER_JVM);
        List<String> clientJvm = split(DEFAULT_CLIENT_JVM);
        long heartbeatSeconds = 10;
        int sendBuffer;
        String transport = "sse";
        String pollTimeout = "10s";
        List<String> extraSettings = List.of();
        File out = new File("target/bench");

        List<String> runnelSettings() {
            // The load comes from a few loopback addresses and publishers as fast as the server
            // takes: the per-address stream limit and the publish rate limit would measure
            // themselves, and 19,000 streams are more than the default total. The harness reads /stats
            // without a credential.
            List<String> s = new ArrayList<>(List.of("runnel.heartbeat=" + heartbeatSeconds + "s",
                    "runnel.retry.min=200ms", "runnel.retry.max=500ms", "runnel.log.size=" + logSize,
                    "runnel.streams.perAddress=0", "runnel.publish.rate=0", "runnel.streams.max=100000",
                    "runnel.publish.allowLoopback=true", "runnel.metrics.public=true"));
            s.addAll(extraSettings);
            return s;
        }

        int logSize() {
            return logSize;
        }

        /** nchan's per-channel buffer ({@code --nchan-buffer}): by default as many events as Runnel's log. */
        int nchanBuffer() {
            return nchanBuffer >= 0 ? nchanBuffer : logSize;
        }

        /** Runnel's {@code runnel.log.maxAge} default, an hour: what nchan's message timeout is set to. */
        long logMaxAgeSeconds() {
            return 3600;
        }
    }

    /**
     * An experiment: Runnel on jetty-home with another WAR, more Runnel settings or more Jetty start
     * properties, run as a server of its own name beside the others. {@code --variants} gives them as
     * {@code name=war:/path.war+set:runnel.k=v+jetty:jetty.k=v;name2=…}.
     */
    record Variant(String war, List<String> settings, List<String> jettyProperties) {
        static Map<String, Variant> parse(String spec) {
            Map<String, Variant> variants = new LinkedHashMap<>();
            for (String one : spec.split(";")) {
                int eq = one.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("variants: \"" + one + "\" (expected: name=war:…+set:…+jetty:…)");
                }
                String war = null;
                List<String> settings = new ArrayList<>();
                List<String> jetty = new ArrayList<>();
                for (String part : one.substring(eq + 1).split("\\+")) {
                    if (part.startsWith("war:")) {
                        war = part.substring(4);
                    } else if (part.startsWith("set:")) {
                        settings.add(part.substring(4));
                    } else if (part.startsWith("jetty:")) {
                        jetty.add(part.substring(6));
                    } else {
                        throw new IllegalArgumentException("variants: \"" + part + "\" (expected: war:, set: or jetty:)");
                    }
                }
                variants.put(one.substring(0, eq).strip(), new Variant(war, settings, jetty));
            }
            return variants;
        }
    }

    private final String scenario;
    private final Map<String, String> flags;
    private final Options options = new Options();
    private final List<Map<String, Object>> records = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private boolean anyFailed;
    private boolean warmingUp;

    Bench(String scenario, Map<String, String> flags) {
        this.scenario = scenario;
        this.flags = flags;
        options.runs = integer("runs", 1);
        options.servers = List.of(flag("servers", DEFAULT_SERVERS).split(","));
        options.runnelContainer = flag("runnel-container", "jetty-home");
        options.warmUpNanos = duration("warm-up-pass", "10s");
        options.profile = flags.containsKey("profile") ? (flags.get("profile").equals("true") ? "cpu" : flags.get("profile"))
                : null;
        options.jettyProperties = flags.containsKey("jetty") ? List.of(flags.get("jetty").split(",")) : List.of();
        options.variants = flags.containsKey("variants") ? Variant.parse(flags.get("variants")) : Map.of();
        options.reference = flags.get("reference");
        options.nchanBuffer = integer("nchan-buffer", -1);
        options.perProcess = integer("per-process", 5000);
        options.serverJvm = split(flag("server-jvm", DEFAULT_SERVER_JVM));
        options.clientJvm = split(flag("client-jvm", DEFAULT_CLIENT_JVM));
        options.heartbeatSeconds = integer("heartbeat-seconds", 10);
        options.sendBuffer = integer("send-buffer", 0);
        options.extraSettings = flags.containsKey("set") ? List.of(flags.get("set").split(",")) : List.of();
        options.out = new File(flag("out", "target/bench"));
        options.transport = flag("transport", "sse");
        options.pollTimeout = flag("poll-timeout", "10s");
        if (!List.of("sse", "ws", "poll").contains(options.transport)) {
            throw new IllegalArgumentException("transport: \"" + options.transport + "\" (expected: sse, ws or poll)");
        }
        if (!options.transport.equals("sse") && !scenario.equals("fanout")) {
            throw new IllegalArgumentException("transport: " + options.transport + " is measured by the fanout scenario only");
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = Flags.parse(args);
        String scenario = flags.getOrDefault("", "fanout");
        if (scenario.equals("chat")) {
            System.out.println(ChatBench.run(flags)); // the AI gateway: its own harness (ChatBench)
            System.exit(0);
        }
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
        List<String> servers = availableServers();
        List<String> cases = scenario.equals("throughput") ? List.of(flag("subscribers", "1000,10000").split(","))
                : List.of("");
        for (int run = 1; run <= options.runs; run++) {
            for (String size : cases) {
                for (String kind : servers) {
                    log("%s run %d/%d against %s (load average %s)", scenario, run, options.runs, kind, loadAverage());
                    try (ServerProcess server = startServer(kind, logDir)) {
                        if (options.warmUpNanos > 0 && !scenario.equals("idle")) {
                            warmingUp = true;
                            try {
                                log("  warm-up pass (discarded)");
                                pass(server, kind, run, logDir, size.strip());
                            } finally {
                                warmingUp = false;
                            }
                            awaitNoConnections(server, kind);
                        }
                        pass(server, kind, run, logDir, size.strip());
                    }
                }
            }
        }
        String report = Report.markdown(scenario, flags, options, records, skipped);
        Files.writeString(new File(options.out, "report-" + scenario + "-" + stamp + ".md").toPath(), report,
                StandardCharsets.UTF_8);
        Files.writeString(new File(options.out, "runs-" + scenario + "-" + stamp + ".json").toPath(),
                new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(records),
                StandardCharsets.UTF_8);
        return report;
    }

    /** The servers asked for that can run here; a missing nchan is skipped with the reason. */
    private List<String> availableServers() {
        List<String> servers = new ArrayList<>();
        for (String kind : options.servers) {
            String k = kind.strip();
            if (!options.transport.equals("sse") && (k.equals("nchan") || k.equals("baseline"))) {
                skipped.add(k + " skipped: --transport " + options.transport + " is Runnel's alone (" + k
                        + " is measured over SSE)");
                log("skipping %s: it has no %s transport", k, options.transport);
                continue;
            }
            switch (k) {
                case "nchan" -> {
                    String reason = NchanServer.unavailableReason();
                    if (reason != null) {
                        skipped.add("nchan skipped: " + reason);
                        log("skipping nchan: %s", reason);
                        continue;
                    }
                }
                case "runnel" -> {
                    if (options.runnelContainer.equals("jetty-home")) {
                        String reason = JettyHomeServer.unavailableReason();
                        if (reason != null) {
                            throw new IllegalStateException("runnel on jetty-home: " + reason);
                        }
                    } else if (!options.runnelContainer.equals("embedded")) {
                        throw new IllegalArgumentException("runnel-container: \"" + options.runnelContainer
                                + "\" (expected: jetty-home or embedded)");
                    }
                }
                case "baseline" -> { }
                case "runnel-redis" -> {
                    String reason = dev.runnel.testing.RedisServer.unavailableReason();
                    if (reason != null) {
                        throw new IllegalStateException("runnel-redis: " + reason);
                    }
                }
                default -> {
                    if (!options.variants.containsKey(k)) {
                        throw new IllegalArgumentException("servers: \"" + k
                                + "\" (expected: runnel, runnel-redis, baseline, nchan or a name from --variants)");
                    }
                    String reason = JettyHomeServer.unavailableReason();
                    if (reason != null) {
                        throw new IllegalStateException(k + " on jetty-home: " + reason);
                    }
                }
            }
            servers.add(k);
        }
        return servers;
    }

    private ServerProcess startServer(String kind, File logDir) throws IOException, InterruptedException {
        return switch (kind) {
            case "nchan" -> NchanServer.start(options, logDir);
            case "runnel" -> options.runnelContainer.equals("jetty-home") ? JettyHomeServer.start(options, null, logDir)
                    : EmbeddedServer.start(kind, options, logDir);
            case "baseline" -> EmbeddedServer.start(kind, options, logDir);
            case "runnel-redis" -> SharedLogNodes.start(options, logDir);
            default -> JettyHomeServer.start(options, options.variants.get(kind), logDir);
        };
    }

    /** One pass of the scenario on a running server: the warm-up (discarded) or a measured run. */
    private void pass(ServerProcess server, String kind, int run, File logDir, String size) throws Exception {
        switch (scenario) {
            case "idle" -> idle(server, kind, run, logDir);
            case "fanout" -> fanout(server, kind, run, logDir, 0);
            case "slow" -> fanout(server, kind, run, logDir, integer("slow", 100));
            case "throughput" -> throughput(server, kind, run, logDir, Integer.parseInt(size));
            case "topics" -> topics(server, kind, run, logDir);
            case "flatout" -> FlatOut.run(this, server, kind, run, logDir);
            default -> throw new IllegalArgumentException("scenario: \"" + scenario
                    + "\" (expected: idle, fanout, throughput, slow, topics or flatout)");
        }
    }

    /**
     * Waits until the server has let go of the warm-up's streams. Their clients are gone, but a server
     * may notice only at its next write to them (Runnel's heartbeat); until then every event would
     * still be written to them and the measured pass would pay for it.
     */
    private void awaitNoConnections(ServerProcess server, String kind) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.heartbeatSeconds * 3 + 10);
        double open;
        while ((open = number(server.stats(false), "connections")) > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
        }
        if (open > 0) {
            log("  %s still holds %.0f streams of the warm-up pass", kind, open);
        }
    }

    /** A new pass's clients, named after the pass so that a warm-up's logs stay apart. */
    BenchRun newRun(String kind, ServerProcess server, int run, File logDir) {
        return new BenchRun(kind, server, options, logDir, warmingUp ? "warm-up" + run : "run" + run);
    }

    /** Starts a profile of the measured part of a pass when {@code --profile} asks for one (never in a warm-up). */
    Profiler profile(ServerProcess server, String kind, int run, File logDir) throws IOException, InterruptedException {
        if (options.profile == null || warmingUp) {
            return null;
        }
        logDir.mkdirs();
        return Profiler.start(server, kind, options.profile, new File(logDir, kind + "-run" + run + "-profile"));
    }

    static void stopProfile(Profiler profiler) throws IOException, InterruptedException {
        if (profiler != null) {
            log("  profile: %s", profiler.stop());
        }
    }

    /** Results of the last runs, for tests: one map per (run, server). */
    List<Map<String, Object>> records() {
        return records;
    }

    boolean anyFailed() {
        return anyFailed;
    }

    // Scenario 1.
    private void idle(ServerProcess server, String kind, int run, File logDir) throws Exception {
        int connections = integer("connections", 19_000);
        int steps = integer("steps", 4);
        long holdNanos = duration("hold", "60s");
        Map<String, Object> m = record(kind, run, "idle " + connections);
        try (BenchRun r = newRun(kind, server, run, logDir)) {
            r.startClients(connections, 1, 1, 0);
            double[] xs = new double[steps + 1];
            double[] heaps = new double[steps + 1];
            JsonObject base = r.serverStats(true);
            heaps[0] = number(base, "heapUsed");
            long failed = 0;
            long rampStart = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                long[] opened = r.connect((double) step / steps, 300_000);
                failed = opened[1];
                JsonObject s = r.serverStats(true);
                xs[step] = s.get("connections").getAsDouble();
                heaps[step] = number(s, "heapUsed");
                log("  %s: %d open, %d failed; server sees %d; heap after GC %.1f MiB, RSS %.1f MiB", kind,
                        opened[0], opened[1], s.get("connections").getAsLong(), heaps[step] / MiB, number(s, "rss") / MiB);
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
            m.put("heap after GC at full size, MiB", number(after, "heapUsed") / MiB);
            m.put("RSS at full size, MiB", number(after, "rss") / MiB);
            m.put("peak RSS, MiB", number(after, "peakRss") / MiB);
            m.put("server threads", number(after, "threads"));
            m.put("server CPU during the hold, % of a core",
                    100.0 * (number(after, "cpuNanos") - number(before, "cpuNanos")) / holdNanos);
            m.put("ramp time, s", rampSeconds);
            boolean ok = errors == 0 && res.open == connections && minOpen == connections;
            finish(m, ok, res.firstError);
        }
    }

    // Scenarios 2 and 4.
    private void fanout(ServerProcess server, String kind, int run, File logDir, int slow) throws Exception {
        int subscribers = integer("subscribers", 10_000);
        double rate = Double.parseDouble(flag("rate", "1"));
        long durationNanos = duration("duration", "60s");
        int payload = integer("payload", 1024);
        String over = options.transport.equals("sse") ? "" : " over " + options.transport;
        Map<String, Object> m = record(kind, run, (slow > 0 ? "slow " : "fanout ") + subscribers + over);
        try (BenchRun r = newRun(kind, server, run, logDir)) {
            r.startClients(subscribers, 1, 1, slow);
            long[] opened = r.connect(1.0, 300_000);
            log("  %s: %d open, %d failed", kind, opened[0], opened[1]);
            JsonObject before = r.serverStats(true);
            Publishing p = new Publishing(server.publishPort(), server.endpoints(), 1, 1, payload);
            Profiler profiler = profile(server, kind, run, logDir);
            Map<Integer, Long> published = p.onSchedule(new double[] {rate}, 1, durationNanos);
            stopProfile(profiler);
            BenchRun.Results res = r.end(published, 20_000);
            JsonObject after = r.serverStats(false);
            JsonObject afterGc = r.serverStats(true);
            correctness(m, res, p);
            latency(m, res);
            serverCost(m, before, after, res);
            memory(m, afterGc);
            if (slow > 0) {
                m.put("slow connections still open", (double) res.slowOpen);
            }
            if (options.transport.equals("poll")) {
                m.put("poll answers", (double) res.answers);
                m.put("events per poll answer", res.delivered / (double) Math.max(1, res.answers));
            }
            finish(m, res.correct() && p.errors() == 0, firstOf(res.firstError, p.firstError()));
        }
    }

    // Scenario 3.
    private void throughput(ServerProcess server, String kind, int run, File logDir, int subscribers) throws Exception {
        int publishers = integer("publishers", 4);
        long window = integer("window", 300);
        long warmupNanos = duration("warmup", "5s");
        long durationNanos = duration("duration", "15s");
        int payload = integer("payload", 64);
        Map<String, Object> m = record(kind, run, "throughput " + subscribers);
        try (BenchRun r = newRun(kind, server, run, logDir)) {
            r.startClients(subscribers, 1, 1, 0);
            long[] opened = r.connect(1.0, 300_000);
            log("  %s: %d open, %d failed", kind, opened[0], opened[1]);
            Publishing p = new Publishing(r.port(), server.endpoints(), publishers, 1, payload);
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
            Profiler profiler = profile(server, kind, run, logDir);
            Map<Integer, Long> published = p.asFastAsTaken(publishers, subscribers, window, r::deliveredSoFar,
                    warmupNanos + durationNanos + TimeUnit.MILLISECONDS.toNanos(200));
            stopProfile(profiler);
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
            memory(m, r.serverStats(false));
            finish(m, res.correct() && p.errors() == 0, firstOf(res.firstError, p.firstError()));
        }
    }

    // Scenario 5.
    private void topics(ServerProcess server, String kind, int run, File logDir) throws Exception {
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
        try (BenchRun r = newRun(kind, server, run, logDir)) {
            r.startClients(subscribers, topics, perConnection, 0);
            long[] opened = r.connect(1.0, 300_000);
            log("  %s: %d open, %d failed", kind, opened[0], opened[1]);
            JsonObject before = r.serverStats(true);
            Publishing p = new Publishing(r.port(), server.endpoints(), topics, topics, payload);
            Map<Integer, Long> published = p.onSchedule(rates, publishers, durationNanos);
            BenchRun.Results res = r.end(published, 20_000);
            JsonObject after = r.serverStats(false);
            m.put("published events/s", published.values().stream().mapToLong(Long::longValue).sum()
                    / (durationNanos / 1e9));
            correctness(m, res, p);
            latency(m, res);
            serverCost(m, before, after, res);
            memory(m, after);
            finish(m, res.correct() && p.errors() == 0, firstOf(res.firstError, p.firstError()));
        }
    }

    static void correctness(Map<String, Object> m, BenchRun.Results res, Publishing p) {
        m.put("delivered", (double) res.delivered);
        m.put("expected", (double) res.expected);
        m.put("missing", (double) res.missing);
        m.put("duplicated", (double) res.duplicated);
        m.put("out of order", (double) res.outOfOrder);
        m.put("reconnects", (double) res.reconnects);
        m.put("failed connects", (double) res.failed);
        m.put("publish errors", (double) p.errors());
    }

    static void latency(Map<String, Object> m, BenchRun.Results res) {
        percentiles(m, "", res.all);
        percentiles(m, "last subscriber ", res.lastSubscriber());
    }

    static void percentiles(Map<String, Object> m, String prefix, Histogram h) {
        if (h.getTotalCount() == 0) {
            return;
        }
        for (double p : new double[] {50, 90, 99, 99.9}) {
            m.put(prefix + "p" + (p == Math.rint(p) ? Integer.toString((int) p) : Double.toString(p)) + " ms",
                    h.getValueAtPercentile(p) / 1e6);
        }
        m.put(prefix + "max ms", h.getMaxValue() / 1e6);
    }

    static void serverCost(Map<String, Object> m, JsonObject before, JsonObject after, BenchRun.Results res) {
        serverCost(m, before, after, res.delivered);
    }

    static void serverCost(Map<String, Object> m, JsonObject before, JsonObject after, double delivered) {
        double cpu = number(after, "cpuNanos") - number(before, "cpuNanos");
        m.put("server CPU per delivered event, µs", delivered == 0 ? Double.NaN : cpu / delivered / 1e3);
        double system = number(after, "systemNanos") - number(before, "systemNanos");
        double user = number(after, "userNanos") - number(before, "userNanos");
        m.put("server CPU in the kernel, %", user + system == 0 ? Double.NaN : 100 * system / (user + system));
        m.put("server GC time, ms", number(after, "gcMillis") - number(before, "gcMillis"));
    }

    /** Heap and resident memory at the end of a pass, and the process's peak RSS ({@code VmHWM}) so far. */
    static void memory(Map<String, Object> m, JsonObject s) {
        m.put("heap at the end, MiB", number(s, "heapUsed") / MiB);
        m.put("RSS at the end, MiB", number(s, "rss") / MiB);
        m.put("peak RSS, MiB", number(s, "peakRss") / MiB);
    }

    /** A counter of {@link ServerProcess#stats}; NaN (left out of the report) when this server has none. */
    static double number(JsonObject s, String key) {
        return s != null && s.has(key) ? s.get(key).getAsDouble() : Double.NaN;
    }

    /** A run's record; a warm-up pass gets one that is logged and then forgotten. */
    Map<String, Object> record(String kind, int run, String what) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server", kind);
        m.put("run", run);
        m.put("case", what);
        m.put("load average", loadAverage());
        if (!warmingUp) {
            records.add(m);
        }
        return m;
    }

    void finish(Map<String, Object> m, boolean ok, String firstError) {
        m.put("correct", ok);
        if (firstError != null) {
            m.put("first error", firstError);
        }
        if (!ok && !warmingUp) {
            anyFailed = true;
        }
        Map<String, Object> shown = new LinkedHashMap<>(m);
        shown.remove("series");
        log("  %s%s", warmingUp ? "(warm-up, discarded) " : "", shown);
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

    static String firstOf(String a, String b) {
        return a != null ? a : b;
    }

    String flag(String name, String fallback) {
        return flags.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        return Integer.parseInt(flag(name, Integer.toString(fallback)).replace("_", ""));
    }

    /** A duration flag; in a warm-up pass the scenario's own durations are capped at {@code --warm-up-pass}. */
    long duration(String name, String fallback) {
        long nanos = parseDuration(flag(name, fallback));
        if (warmingUp && SHORTENED_IN_WARM_UP.contains(name)) {
            return Math.min(nanos, options.warmUpNanos);
        }
        return nanos;
    }

    private static final java.util.Set<String> SHORTENED_IN_WARM_UP = java.util.Set.of("duration", "warmup", "hold");

    private static long parseDuration(String text) {
        String v = text.strip().toLowerCase(Locale.ROOT);
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

    static final double MiB = 1024.0 * 1024.0;
}
