package dev.runnel.bench;

import com.google.gson.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code /proc} says about a server's processes (Linux), summed over them: resident memory now
 * and at its peak ({@code VmHWM}), CPU time in user and kernel mode, threads and open files. For
 * servers of several processes (nginx's master and worker) the sums count pages they share twice, so
 * the RSS figures are an upper bound there.
 *
 * <p>Threading: stateless.
 */
final class ProcStats {
    private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

    private ProcStats() {}

    /** Adds {@code rss}, {@code peakRss}, {@code userNanos}, {@code systemNanos}, {@code cpuNanos}, {@code threads} and {@code fds}. */
    static void addTo(JsonObject s, List<Long> pids) {
        long rss = 0;
        long peak = 0;
        long user = 0;
        long system = 0;
        long threads = 0;
        long fds = 0;
        for (long pid : pids) {
            Path dir = Path.of("/proc", Long.toString(pid));
            rss += statusKiB(dir, "VmRSS:") * 1024;
            peak += statusKiB(dir, "VmHWM:") * 1024;
            threads += statusKiB(dir, "Threads:");
            long[] cpu = userAndSystemNanos(dir);
            user += cpu[0];
            system += cpu[1];
            String[] open = dir.resolve("fd").toFile().list();
            fds += open == null ? 0 : open.length;
        }
        s.addProperty("rss", rss);
        s.addProperty("peakRss", peak);
        s.addProperty("userNanos", user);
        s.addProperty("systemNanos", system);
        s.addProperty("cpuNanos", user + system);
        s.addProperty("threads", threads);
        s.addProperty("fds", fds);
    }

    /** A number field of {@code /proc/<pid>/status} (kB for the Vm* fields); 0 when absent. */
    static long statusKiB(Path procDir, String field) {
        try {
            for (String line : Files.readAllLines(procDir.resolve("status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone or this is not Linux: nothing to add
        }
        return 0;
    }

    /** CPU time in user and kernel mode from {@code /proc/<pid>/stat}; zeros when unreadable. */
    static long[] userAndSystemNanos(Path procDir) {
        File stat = procDir.resolve("stat").toFile();
        try {
            String text = Files.readString(stat.toPath());
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            // After the command: state is field 3 of the file, utime field 14 and stime field 15.
            return new long[] {Long.parseLong(fields[11]) * TICK_NANOS, Long.parseLong(fields[12]) * TICK_NANOS};
        } catch (IOException | RuntimeException e) {
            return new long[2];
        }
    }
}
