package dev.runnel.bench;

import dev.runnel.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A JVM the harness started (a {@link BenchServer} or a {@link LoadClient}), spoken to one line at
 * a time over its stdin and stdout. Lines for which {@code listener} returns nothing are queued for
 * {@link #await}; its stderr goes to a log file.
 *
 * <p>Threading: {@link #send} from any thread; one reader thread per process.
 */
final class ChildProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildProcess(String name, Process process, Consumer<String> progress) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> read(progress), "bench-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static ChildProcess start(String name, List<String> jvmOptions, String mainClass, List<String> args,
            File logDir, Consumer<String> progress) throws IOException {
        logDir.mkdirs();
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(jvmOptions, mainClass, args))
                .redirectError(new File(logDir, name + ".log"));
        return new ChildProcess(name, pb.start(), progress);
    }

    private void read(Consumer<String> progress) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("P ")) {
                    progress.accept(line);
                } else {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            lines.add("EXIT " + e);
        }
        lines.add("EXIT");
    }

    synchronized void send(String line) {
        try {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException(name + " does not take commands any more (exited?)", e);
        }
    }

    /** The next line starting with {@code prefix} (others are skipped), its rest; fails after {@code timeoutMillis}. */
    String await(String prefix, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (;;) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new IllegalStateException(name + ": no " + prefix + " within " + timeoutMillis + " ms");
            }
            if (line.startsWith("EXIT")) {
                lines.add(line);
                throw new IllegalStateException(name + " exited before " + prefix + " (see its log)");
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).strip();
            }
        }
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            send("QUIT");
        } catch (IllegalStateException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
