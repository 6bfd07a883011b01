package dev.runnel.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runnel or the baseline on embedded Jetty: a {@link BenchServer} JVM spoken to over its stdin and
 * stdout, which reports its own counters.
 *
 * <p>Threading: {@link #stats} is serialised (one command at a time on the child's stdin).
 */
final class EmbeddedServer implements ServerProcess {
    private final ChildProcess child;
    private final int port;

    private EmbeddedServer(ChildProcess child, int port) {
        this.child = child;
        this.port = port;
    }

    /** {@code kind} is {@code runnel} or {@code baseline}. */
    static EmbeddedServer start(String kind, Bench.Options options, File logDir) throws IOException, InterruptedException {
        return start(kind, kind + "-server", options, List.of(), logDir);
    }

    /**
     * A Runnel or baseline JVM under its own {@code name} (its log file's), Runnel with {@code settings}
     * ({@code runnel.key=value}) after the options' own.
     */
    static EmbeddedServer start(String kind, String name, Bench.Options options, List<String> settings, File logDir)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--kind", kind, "--heartbeat-seconds",
                Long.toString(options.heartbeatSeconds), "--send-buffer", Integer.toString(options.sendBuffer)));
        if (kind.equals("runnel")) {
            args.add("--set");
            List<String> all = new ArrayList<>(options.runnelSettings());
            all.addAll(settings);
            args.add(String.join(",", all));
        }
        ChildProcess child = ChildProcess.start(name, options.serverJvm, BenchServer.class.getName(), args,
                logDir, line -> { });
        try {
            return new EmbeddedServer(child, Integer.parseInt(child.await("PORT", 30_000)));
        } catch (RuntimeException | InterruptedException e) {
            child.close();
            throw e;
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Endpoints endpoints() {
        return new Endpoints("/events", "/publish", false, false);
    }

    @Override
    public List<Long> pids() {
        return List.of(child.pid());
    }

    @Override
    public synchronized JsonObject stats(boolean gc) throws InterruptedException {
        child.send(gc ? "GC" : "STATS");
        return JsonParser.parseString(child.await("STATS", 120_000)).getAsJsonObject();
    }

    @Override
    public void close() {
        child.close();
    }
}
