package dev.runnel.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.Eventually;
import dev.runnel.testing.RunnelClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A standalone servlet container running the WAR in a process of its own, bound to 127.0.0.1 on a
 * free port. Subclasses prepare the container's directories and command line and know how to ask it
 * to stop in an orderly way; this class starts the process, waits until Runnel answers, stops it, and
 * reads its log. {@link #close()} destroys whatever is left of the process tree, so a failed test
 * leaves no process behind.
 */
abstract class Container implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /** The publish secret of every container: by default nothing publishes without a credential. */
    static final String PUBLISH_SECRET = "it-publish-secret";

    /** The admin secret of every container: {@code /stats} and {@code /metrics} need it. */
    static final String ADMIN_SECRET = "it-admin-secret-of-the-containers";

    /**
     * Runnel settings for every container: a short heartbeat finds a vanished client within a second or
     * two; the tests publish with the secret and read {@code /stats} with the admin secret.
     */
    static final Map<String, String> RUNNEL_ENV = Map.of("RUNNEL_HEARTBEAT", "500ms",
            "RUNNEL_PUBLISH_SECRET", PUBLISH_SECRET, "RUNNEL_ADMIN_SECRET", ADMIN_SECRET);

    /** What must never appear in a container's log, with what it would mean. */
    private static final List<Forbidden> FORBIDDEN = List.of(
            new Forbidden("a stack trace", Pattern.compile("^\\s+at [\\w$.<>/]+\\(.*\\)\\s*$|^Caused by: ")),
            new Forbidden("an IllegalStateException (AsyncContext used after complete?)",
                    Pattern.compile("IllegalStateException")),
            new Forbidden("an exception", Pattern.compile("\\b[\\w.$]*(Exception|Error)\\b")),
            new Forbidden("a thread left running by the webapp", Pattern.compile("appears to have started a thread")),
            new Forbidden("a memory leak warning", Pattern.compile("(?i)memory leak")),
            new Forbidden("an error-level entry", Pattern.compile("\\bSEVERE\\b|:ERROR\\s*:|^ERROR\\b")));

    private record Forbidden(String meaning, Pattern pattern) {}

    final String name;
    final Path dir;
    final Path console;
    private Process process;
    private Thread reaper;

    Container(String name) {
        this.name = name;
        this.dir = Artifacts.freshWorkDir(name);
        this.console = dir.resolve("console.log");
    }

    /** The command that runs the container in the foreground, with its environment and directory set. */
    abstract ProcessBuilder command() throws IOException;

    /** Where the WAR answers, ending in {@code /}. */
    abstract URI baseUri();

    /** Asks the running container to shut down the way its operators do. */
    abstract void requestStop() throws Exception;

    /** Log files the container writes besides its console. */
    List<Path> logFiles() {
        return List.of();
    }

    /** Starts the process and waits until Runnel answers {@code GET stats}. */
    final void start(RunnelClient client) throws IOException {
        launch(Map.of());
        Eventually.await(name + " answers GET stats", () -> {
            assertAlive();
            return client.statsAsync();
        }, stats -> true, START_TIMEOUT);
    }

    /** Starts the process with {@link #RUNNEL_ENV} and then {@code runnelEnv}, without waiting for anything. */
    final void launch(Map<String, String> runnelEnv) throws IOException {
        ProcessBuilder builder = command().redirectErrorStream(true).redirectOutput(console.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("RUNNEL_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("JAVA_OPTS") || k.startsWith("CATALINA_")
                || k.startsWith("JETTY_"));
        builder.environment().putAll(RUNNEL_ENV);
        builder.environment().putAll(runnelEnv);
        environment(builder.environment());
        process = builder.start();
        // Should the test JVM itself be stopped, take the container down with it.
        reaper = new Thread(this::destroy, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Container-specific environment (JAVA_HOME, CATALINA_BASE, …). */
    void environment(Map<String, String> env) {
    }

    void assertAlive() {
        if (process != null && !process.isAlive()) {
            throw new AssertionError(name + " exited with " + process.exitValue() + " before it was asked to;\n"
                    + tail(40));
        }
    }

    /** The orderly stop: asks, then waits for the process to end; returns its exit code. */
    final int stop() throws Exception {
        requestStop();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not stop within " + STOP_TIMEOUT + ";\n" + tail(40));
        }
        return process.exitValue();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** The console and every log file, in that order. */
    final String log() {
        StringBuilder all = new StringBuilder();
        List<Path> files = new ArrayList<>();
        files.add(console);
        files.addAll(logFiles());
        for (Path file : files) {
            if (Files.exists(file)) {
                all.append("==> ").append(dir.relativize(file)).append(" <==\n");
                all.append(read(file));
            }
        }
        return all.toString();
    }

    /** Asserts that the log holds nothing in {@link #FORBIDDEN} and shows Runnel starting and stopping. */
    final void assertCleanLog() {
        String log = log();
        List<String> findings = new ArrayList<>();
        String[] lines = log.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            for (Forbidden f : FORBIDDEN) {
                if (f.pattern().matcher(lines[i]).find()) {
                    findings.add(f.meaning() + " at line " + (i + 1) + ": " + lines[i]);
                    break;
                }
            }
        }
        assertTrue(findings.isEmpty(), name + "'s log (" + dir + ") shows:\n  " + String.join("\n  ", findings));
        assertTrue(log.contains("Runnel started"), name + "'s log does not show Runnel starting:\n" + log);
        assertTrue(log.contains("Runnel stopped"), name + "'s log does not show Runnel stopping:\n" + log);
    }

    String tail(int n) {
        String[] lines = read(console).split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - n), lines.length));
    }

    private void destroy() {
        if (process == null) {
            return;
        }
        ProcessHandle root = process.toHandle();
        try (Stream<ProcessHandle> children = root.descendants()) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
        root.destroyForcibly();
    }

    @Override
    public void close() throws Exception {
        if (process == null) {
            return;
        }
        destroy();
        CompletableFuture<Process> exit = process.onExit();
        exit.get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting and runs the hook itself.
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a short helper command (keytool, Jetty's --stop) to its end and asserts it succeeded. */
    static void run(ProcessBuilder command, Duration timeout) throws Exception {
        Path out = Files.createTempFile("runnel-it", ".out");
        try {
            Process p = command.redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command.command() + " did not end within " + timeout + ":\n" + read(out));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(command.command() + " exited with " + p.exitValue() + ":\n" + read(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    static String java() {
        return javaHome().resolve("bin/java").toString();
    }
}
