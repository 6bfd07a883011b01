package dev.runnel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;

/**
 * A Runnel node in a JVM of its own ({@link ChildNodeMain}, {@link TestServer#startNode} there), so
 * that a test can kill it as {@code kill -9} or the kernel's OOM killer would: {@link #kill} sends
 * {@code SIGKILL}, and the kernel closes the node's sockets — its clients', its Redis connections —
 * with nothing of Runnel's shutdown (no final {@code retry:}, no goodbye, no lease given back, the
 * appender's batch cut off wherever it was). The test reaches the node over HTTP ({@link #api}, with
 * an HTTP client of the node's own) and its other nodes run in the test's JVM on the same Redis.
 *
 * <p>The child never outlives the test: {@link #close} ends it (its stdin closes, which stops it; it
 * is killed if it has not exited within 15 s), a shutdown hook kills it should the test JVM exit
 * first, and the child also stops when its stdin closes because the test JVM itself was killed.
 * Its stderr (its log) is kept under {@code target/child-nodes/}.
 *
 * <p>Threading: driven by the test thread; a daemon thread reads the child's stdout.
 */
public final class ChildNode implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Starts fast and stays small: the node serves a test's few streams, not a benchmark's load. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    private final Process process;
    private final Path log;
    private final Thread killOnExit;
    private final HttpClient client = new HttpClient();
    private int port;
    private String nodeId;

    private ChildNode(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.killOnExit = new Thread(process::destroyForcibly, "kill-child-node-" + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts a node on {@code redis} under {@code prefix} with {@code settings} (key, value…) over the
     * test defaults of {@link TestServer#start}, and waits until it reached Redis.
     */
    public static ChildNode start(RedisServer redis, String prefix, String... settings) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "child-nodes"));
        Path log = Files.createTempFile(dir, "node-", ".log");
        List<String> args = new ArrayList<>(List.of(redis.url(), prefix));
        args.addAll(List.of(settings));
        Process process = new ProcessBuilder(ChildJvm.command(JVM_OPTIONS, ChildNodeMain.class.getName(), args))
                .redirectError(log.toFile()).start();
        ChildNode node = new ChildNode(process, log);
        try {
            node.awaitStarted();
            node.client.start();
            return node;
        } catch (Exception | Error e) {
            node.close();
            throw e;
        }
    }

    private void awaitStarted() throws Exception {
        CompletableFuture<String> started = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("NODE ")) {
                        started.complete(line);
                    }
                }
            } catch (IOException e) {
                started.completeExceptionally(e);
            }
            started.completeExceptionally(new IllegalStateException("the child node's stdout ended"));
        }, "child-node-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
        String line;
        try {
            line = started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the child node did not start within " + START_TIMEOUT + " (alive: "
                    + process.isAlive() + "); its log " + log + ":\n" + log(), e);
        }
        String[] words = line.split(" ");
        port = Integer.parseInt(words[1]);
        nodeId = words[2];
    }

    public int port() {
        return port;
    }

    /** The node's id, as {@code /stats} and its lease in Redis name it. */
    public String nodeId() {
        return nodeId;
    }

    public long pid() {
        return process.pid();
    }

    /** The same HTTP API as {@link TestServer#api}, against the child node, through its own client. */
    public RunnelClient api() {
        return new RunnelClient(client, URI.create("http://127.0.0.1:" + port + "/")).withAdmin(TestServer.ADMIN_SECRET);
    }

    /**
     * {@code kill -9}: sends {@code SIGKILL} ({@link Process#destroyForcibly} on Linux) and waits for
     * the process to end. Returns its exit value, {@code 137} (128 + 9) for a process that the signal
     * ended.
     */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the child node survived SIGKILL for 30 s");
        }
        return process.exitValue();
    }

    /** The exit value of the ended process (see {@link #kill}); {@code 0} when it stopped on its own. */
    public int exitValue() {
        return process.exitValue();
    }

    /** What the child wrote to stderr so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (process.isAlive()) {
                process.getOutputStream().close(); // the child's stdin: its signal to stop
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException exiting) {
                // the JVM is shutting down: the hook runs anyway
            }
            client.stop();
        }
    }

    @Override
    public String toString() {
        return "ChildNode[pid " + process.pid() + ", port " + port + ", node " + nodeId + "]";
    }
}
