package dev.runnel.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CPU profile of the server during the measured part of a pass ({@code --profile}): for a JVM,
 * async-profiler loaded into the running server through {@code jcmd JVMTI.agent_load} (Java, JVM and
 * kernel frames, sampled on the {@code cpu} clock), written as collapsed stacks; for nchan,
 * {@code perf record -g} on its worker. The bench profile of the pom unpacks async-profiler's library
 * from Maven Central and names it in {@code runnel.bench.asyncProfiler}; {@code perf} comes from
 * Debian's {@code linux-perf}. Without them the pass runs unprofiled and says so.
 *
 * <p>Threading: confined to the coordinator.
 */
final class Profiler {
    private final List<String> stopCommand;
    private final Process perf;
    private final String what;

    private Profiler(List<String> stopCommand, Process perf, String what) {
        this.stopCommand = stopCommand;
        this.perf = perf;
        this.what = what;
    }

    /** Starts profiling {@code server}; null (logged) when no profiler is at hand for it. */
    static Profiler start(ServerProcess server, String kind, String event, File out) throws IOException,
            InterruptedException {
        if (server instanceof NchanServer) {
            Path perfBinary = Path.of("/usr/bin/perf");
            if (!Files.isExecutable(perfBinary)) {
                Bench.log("  no profile of nchan: perf is missing (Debian: apt-get install linux-perf)");
                return null;
            }
            long worker = server.pids().get(server.pids().size() - 1);
            File data = new File(out.getAbsolutePath() + ".perf.data");
            Process perf = new ProcessBuilder(perfBinary.toString(), "record", "-e", "cpu-clock", "-F", "999", "-g",
                    "-p", Long.toString(worker), "-o", data.getPath()).redirectErrorStream(true)
                    .redirectOutput(new File(out.getPath() + ".perf.log")).start();
            return new Profiler(null, perf, data.getPath());
        }
        String library = System.getProperty("runnel.bench.asyncProfiler");
        if (library == null || !new File(library).isFile()) {
            Bench.log("  no profile of %s: async-profiler's library is not at hand (run through mvn -Pbench verify)", kind);
            return null;
        }
        String pid = Long.toString(server.pids().get(0));
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        // Quoted: jcmd would otherwise read the "=" in the agent's options as one of its own arguments.
        run(List.of(jcmd, pid, "JVMTI.agent_load", library, "\"start,threads,event=" + event + ",interval=1ms\""));
        String file = out.getAbsolutePath() + ".collapsed";
        return new Profiler(List.of(jcmd, pid, "JVMTI.agent_load", library, "\"stop,collapsed,file=" + file + "\""),
                null, file);
    }

    /** Stops and writes the profile; returns where it went. */
    String stop() throws IOException, InterruptedException {
        if (perf != null) {
            perf.destroy(); // SIGTERM: perf record writes its data and exits
            if (!perf.waitFor(60, TimeUnit.SECONDS)) {
                perf.destroyForcibly();
            }
        } else {
            run(stopCommand);
        }
        return what;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || output.contains("rror")) {
            Bench.log("  profiler: %s answered %s", String.join(" ", command), output.strip());
        }
    }
}
