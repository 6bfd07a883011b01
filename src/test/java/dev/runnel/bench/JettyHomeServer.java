package dev.runnel.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.deploy.Artifacts;
import dev.runnel.deploy.FreePort;
import dev.runnel.deploy.JettyContainer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runnel's WAR on a standalone Jetty 12 ({@code jetty-home}, as the integration tests unpack it) with
 * a copy of the repository's {@code jetty-base/}: the way the README deploys it. Runnel's settings go
 * in as system properties ({@code -Drunnel.key=value}), Jetty's as start properties
 * ({@code jetty.http.acceptQueueSize=4096} and whatever {@code --jetty} adds).
 *
 * <p>The JVM is measured from outside: {@code /proc} for memory and CPU, a {@code jstat -gc} process
 * sampling the heap and GC time every 500 ms, {@code jcmd GC.run} for a full collection, and
 * Runnel's own {@code GET /runnel/stats} for connections and events.
 *
 * <p>Threading: {@link #stats} from any thread; the jstat sampler has a thread of its own.
 */
final class JettyHomeServer implements ServerProcess {
    private static final String CONTEXT = "/runnel";

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Process jstat;
    private volatile String[] jstatHeader;
    private volatile String[] jstatLine;

    private final Thread reaper;

    private JettyHomeServer(Process process, int port, Process jstat) {
        this.process = process;
        this.port = port;
        this.jstat = jstat;
        // Should the harness itself be stopped, take the server down with it.
        this.reaper = new Thread(() -> {
            jstat.destroyForcibly();
            process.destroyForcibly();
        }, "bench-stop-jetty");
        Runtime.getRuntime().addShutdownHook(reaper);
        Thread reader = new Thread(this::readJstat, "bench-jstat");
        reader.setDaemon(true);
        reader.start();
    }

    /** Why Runnel cannot run on jetty-home here, or null when it can. */
    static String unavailableReason() {
        try {
            Artifacts.war();
            Artifacts.jettyHome();
            Artifacts.jettyBase();
            return null;
        } catch (AssertionError e) {
            return e.getMessage() + " (run the harness through mvn -Pbench verify, or use --runnel-container embedded)";
        }
    }

    /**
     * Starts Runnel on Jetty; {@code variant}, when not null, changes the WAR, adds Runnel settings or
     * Jetty start properties for an experiment measured beside the plain one.
     */
    static JettyHomeServer start(Bench.Options options, Bench.Variant variant, File logDir) throws IOException,
            InterruptedException {
        Path dir = logDir.toPath().resolve("runnel-jetty-" + System.nanoTime()).toAbsolutePath();
        Path base = dir.resolve("jetty-base");
        JettyContainer.copyBase(Artifacts.jettyBase(), base);
        Path war = variant != null && variant.war() != null ? Path.of(variant.war()) : Artifacts.war();
        JettyContainer.copy(war, base.resolve("webapps/runnel.war"));
        File tmp = dir.resolve("tmp").toFile();
        tmp.mkdirs();
        int port = FreePort.pick();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(options.serverJvm);
        List<String> settings = new ArrayList<>(options.runnelSettings());
        if (variant != null) {
            settings.addAll(variant.settings());
        }
        for (String setting : settings) {
            command.add("-D" + setting);
        }
        command.add("-Djava.io.tmpdir=" + tmp);
        command.addAll(List.of("-jar", Artifacts.jettyHome().resolve("start.jar").toString(),
                "jetty.home=" + Artifacts.jettyHome(), "jetty.base=" + base,
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + port, "jetty.http.acceptQueueSize=4096"));
        if (options.sendBuffer > 0) {
            command.add("jetty.http.acceptedSendBufferSize=" + options.sendBuffer);
        }
        command.addAll(options.jettyProperties);
        if (variant != null) {
            command.addAll(variant.jettyProperties());
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(new File(logDir, "runnel-jetty-" + port + ".log"));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("RUNNEL_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.startsWith("JETTY_"));
        Process process = pb.start();
        Process jstat = null;
        try {
            awaitStats(process, port);
            jstat = new ProcessBuilder(java.resolveSibling("jstat").toString(), "-gc", Long.toString(process.pid()), "500")
                    .redirectErrorStream(true).start();
            return new JettyHomeServer(process, port, jstat);
        } catch (IOException | InterruptedException | RuntimeException e) {
            destroy(process);
            if (jstat != null) {
                jstat.destroyForcibly();
            }
            throw e;
        }
    }

    private static void awaitStats(Process process, int port) throws InterruptedException, IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Jetty exited with " + process.exitValue() + " before Runnel answered");
            }
            try {
                HttpResponse<String> r = client.send(statsRequest(port), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200); // polling a process we started for its readiness; nothing to wait on
        }
        throw new IllegalStateException("Runnel on Jetty did not answer GET " + CONTEXT + "/stats within 120 s");
    }

    private static HttpRequest statsRequest(int port) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + CONTEXT + "/stats"))
                .timeout(Duration.ofSeconds(30)).build();
    }

    private void readJstat() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.strip().split("\\s+");
                if (words.length > 0 && words[0].equals("S0C")) {
                    jstatHeader = words;
                } else if (jstatHeader != null && words.length == jstatHeader.length) {
                    jstatLine = words;
                }
            }
        } catch (IOException e) {
            // jstat ended with the server
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Endpoints endpoints() {
        return new Endpoints(CONTEXT + "/events", CONTEXT + "/publish", false, false);
    }

    @Override
    public List<Long> pids() {
        return List.of(process.pid());
    }

    @Override
    public JsonObject stats(boolean gc) throws Exception {
        if (gc) {
            String[] before = jstatLine;
            run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(process.pid()), "GC.run");
            // The heap figure must be one sampled after the collection.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (jstatLine == before && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(600);
        }
        JsonObject s = new JsonObject();
        ProcStats.addTo(s, pids());
        String[] header = jstatHeader;
        String[] line = jstatLine;
        if (header != null && line != null) {
            double usedKiB = 0;
            for (String column : List.of("S0U", "S1U", "EU", "OU")) {
                usedKiB += column(header, line, column);
            }
            s.addProperty("heapUsed", (long) (usedKiB * 1024));
            s.addProperty("gcMillis", (long) (column(header, line, "GCT") * 1000));
        }
        HttpResponse<String> r = http.send(statsRequest(port), HttpResponse.BodyHandlers.ofString());
        JsonObject runnel = JsonParser.parseString(r.body()).getAsJsonObject();
        for (String key : List.of("connections", "eventsPublished", "framesDelivered", "writes", "evictions",
                "fanOutBacklog")) {
            JsonElement v = runnel.get(key);
            if (v != null && v.isJsonPrimitive()) {
                s.add(key, v);
            }
        }
        return s;
    }

    private static double column(String[] header, String[] line, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                try {
                    return Double.parseDouble(line[i]);
                } catch (NumberFormatException e) {
                    return 0; // "-" for a space this collector does not have
                }
            }
        }
        return 0;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not end within 60 s");
        }
    }

    @Override
    public void close() {
        jstat.destroyForcibly();
        destroy(process);
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** SIGTERM (Jetty's shutdown hook stops the server, a profiler agent writes its output), then a kill. */
    private static void destroy(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
