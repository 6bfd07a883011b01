package dev.runnel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} of the test's own: a process on a free loopback port with its data in a
 * temporary folder, never the machine's service. It can stop (a clean shutdown that saves), be killed
 * with {@code kill -9}, restart on the same port with its data or wiped, and be flushed; with
 * {@link Persistence#AOF} every write is fsynced ({@code appendfsync always}), so a killed server
 * comes back with everything it acknowledged.
 *
 * <p>Without {@code redis-server} on the machine {@link #start} skips the calling test with a message
 * saying what to install — or fails it, when the environment variable {@code RUNNEL_REQUIRE_ALL} is
 * {@code true} (as in {@code .ci/run}).
 *
 * <p>Threading: one test thread drives it.
 */
public final class RedisServer implements AutoCloseable {
    /** The server binary; the system property {@code runnel.redisServer} names another. */
    public static final Path BINARY = Path.of(System.getProperty("runnel.redisServer", "/usr/bin/redis-server"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    /** How the server keeps its data across a restart. */
    public enum Persistence {
        /** Nothing: a restart (or a kill) comes back empty. */
        NONE,
        /** An append-only file fsynced at every write; {@link #save} also writes a snapshot. */
        AOF,
        /** Only the snapshots {@link #save} writes: a restart comes back as of the last save. */
        SNAPSHOT
    }

    private final Path dir;
    private final Persistence persistence;
    private final int port;
    private final int tlsPort; // 0: no TLS
    private Process process;

    private RedisServer(Persistence persistence, boolean tls) throws IOException {
        this.persistence = persistence;
        this.dir = Files.createTempDirectory("runnel-redis-");
        this.port = freePort();
        this.tlsPort = tls ? freePort() : 0;
    }

    /** Why Redis tests cannot run on this machine, or null when they can. */
    public static String unavailableReason() {
        if (Files.isExecutable(BINARY)) {
            return null;
        }
        return "Redis tests need redis-server at " + BINARY + " (Debian: apt-get install redis-server)";
    }

    /**
     * Skips the calling test when {@code redis-server} is missing — or fails it, when the environment
     * variable {@code RUNNEL_REQUIRE_ALL} is {@code true}.
     */
    public static void assumeAvailable() {
        Prerequisites.require(unavailableReason());
    }

    private static RedisServer shared;

    /**
     * One server for every test of this JVM that only needs a Redis to talk to (each under a prefix of
     * its own, so that they never see each other's keys): started on first use, killed when the JVM
     * exits. Tests that stop, kill or flush Redis start their own.
     */
    public static synchronized RedisServer shared() throws IOException {
        assumeAvailable();
        if (shared == null || !shared.isRunning()) {
            RedisServer server = start(Persistence.NONE);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException | InterruptedException e) {
                    // the JVM is exiting; the temporary folder is the machine's to clean
                }
            }, "stop-shared-redis"));
            shared = server;
        }
        return shared;
    }

    private static final java.util.concurrent.atomic.AtomicInteger PREFIXES = new java.util.concurrent.atomic.AtomicInteger();

    /** A key prefix no other user of {@link #shared} has: {@code t<pid>-<n>}. */
    public static String freshPrefix() {
        return "t" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();
    }

    /** Starts a server; see {@link #assumeAvailable} for a machine without one. */
    public static RedisServer start(Persistence persistence) throws IOException {
        assumeAvailable();
        RedisServer server = new RedisServer(persistence, false);
        server.launch();
        return server;
    }

    /**
     * Starts a server that also listens for TLS on {@link #tlsPort}, with a certificate for
     * {@code 127.0.0.1} and {@code localhost} made here by {@code openssl} ({@link #certificate}).
     */
    public static RedisServer startWithTls() throws IOException, InterruptedException {
        assumeAvailable();
        RedisServer server = new RedisServer(Persistence.NONE, true);
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", server.dir.resolve("key.pem").toString(), "-out", server.certificate().toString(),
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
                .redirectErrorStream(true).redirectOutput(server.dir.resolve("openssl.out").toFile()).start();
        if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            throw new AssertionError("openssl could not make a certificate: "
                    + Files.readString(server.dir.resolve("openssl.out")));
        }
        server.launch();
        return server;
    }

    /** The TLS port of {@link #startWithTls}. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The PEM certificate the TLS port presents (self-signed: trust it, and only it). */
    public Path certificate() {
        return dir.resolve("cert.pem");
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}, optionally with a database index. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Sends one command over a raw connection and returns the reply's first line (tests' own admin path). */
    public String command(String... words) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("*").append(words.length).append("\r\n");
            for (String word : words) {
                byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(word).append("\r\n");
            }
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = socket.getInputStream().read()) != -1 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("redis " + String.join(" ", words), e);
        }
    }

    /** Deletes every key (the scripts stay cached). */
    public void flush() {
        expectOk(command("FLUSHALL"));
    }

    /** Writes a snapshot of the data now; with {@link Persistence#SNAPSHOT} a restart comes back as of here. */
    public void save() {
        expectOk(command("SAVE"));
    }

    /** A clean shutdown: the process saves what its persistence keeps and exits. */
    public void stop() throws InterruptedException {
        if (!isRunning()) {
            return;
        }
        process.destroy(); // SIGTERM: Redis saves as configured, then exits
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("redis-server did not stop within 30 s");
        }
    }

    /** {@code kill -9}: the process ends at once, without saving anything more. */
    public void kill() throws InterruptedException {
        if (!isRunning()) {
            return;
        }
        process.destroyForcibly(); // SIGKILL on Linux
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("redis-server survived SIGKILL for 10 s");
        }
    }

    /** Starts again on the same port with the data its persistence kept (stopping it first if needed). */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    /** Starts again on the same port with an empty data folder: a server that lost everything. */
    public void restartWiped() throws IOException, InterruptedException {
        stop();
        wipe(false);
        launch();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            kill();
        } finally {
            wipe(true);
        }
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--daemonize", "no", "--protected-mode", "no", "--logfile", dir.resolve("redis.log").toString(),
                "--save", "", "--dbfilename", "dump.rdb"));
        if (tlsPort != 0) {
            command.addAll(List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", certificate().toString(),
                    "--tls-key-file", dir.resolve("key.pem").toString(), "--tls-auth-clients", "no"));
        }
        if (persistence == Persistence.AOF) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.out").toFile()).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("redis-server exited with " + process.exitValue() + ": " + log());
            }
            try {
                if ("+PONG".equals(command("PING"))) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // still starting (or still loading its data: -LOADING)
            }
            if (System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new AssertionError("redis-server not answering within " + START_TIMEOUT + ": " + log());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private String log() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log) : Files.readString(dir.resolve("redis.out"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void wipe(boolean includingFolder) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir) || includingFolder) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void expectOk(String reply) {
        if (!"+OK".equals(reply)) {
            throw new AssertionError("redis answered " + reply);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return "RedisServer[" + port + ", " + persistence + ", " + dir + "]";
    }
}
