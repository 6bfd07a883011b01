package dev.runnel.bench;

import dev.runnel.hub.Hub;
import dev.runnel.hub.MemoryEventLog;
import dev.runnel.hub.Publication;
import dev.runnel.hub.StateLimits;
import dev.runnel.hub.TopicKinds;
import dev.runnel.stream.SseStream;
import dev.runnel.stream.StreamMetrics;
import dev.runnel.stream.StreamRegistry;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;

/**
 * The server's own share of the path publish → log → fan-out → queue → write, without sockets: a
 * {@link Hub} and real {@link SseStream}s writing to outputs that discard the bytes, with every task
 * run by hand on this thread so that the CPU time of each stage is measured apart (thread CPU time,
 * which another process's load disturbs far less than wall time).
 *
 * <pre>java -cp … dev.runnel.bench.FanOutProbe [subscribers] [events per round] [rounds]</pre>
 *
 * Events per round is the backlog the fan-out finds: 1 is a broadcast at a time (scenario 2), 100s a
 * publisher running ahead of the fan-out (scenario 3).
 */
public final class FanOutProbe {
    private FanOutProbe() {}

    public static void main(String[] args) {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        ArrayDeque<Runnable> fanOuts = new ArrayDeque<>();
        ArrayDeque<Runnable> drains = new ArrayDeque<>();
        Hub hub = new Hub(new MemoryEventLog(MemoryEventLog.Bounds.of(1 << 20, 3_600_000), StateLimits.NONE, fanOuts::add),
                TopicKinds.allStreams());
        StreamMetrics metrics = new StreamMetrics();
        StreamRegistry registry = new StreamRegistry();
        for (int i = 0; i < subscribers; i++) {
            SseStream s = new SseStream("s" + i, new Discarding(), () -> { }, drains::add, 1L << 30, metrics, registry);
            s.subscribe(hub, List.of("t"), null);
            s.onWritePossible(); // the container's first callback: writes the opening, then the stream idles
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        String data = Payload.of(0, 1, System.nanoTime(), 64);
        long publish = 0;
        long fanOut = 0;
        long drain = 0;
        for (int round = 0; round < rounds + rounds / 2; round++) {
            boolean measured = round >= rounds / 2; // the first third warms the JIT up
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int e = 0; e < perRound; e++) {
                hub.publish(Publication.of("t", null, data));
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            runAll(fanOuts);
            long t2 = cpu.getCurrentThreadCpuTime();
            runAll(drains);
            long t3 = cpu.getCurrentThreadCpuTime();
            if (measured) {
                publish += t1 - t0;
                fanOut += t2 - t1;
                drain += t3 - t2;
            }
        }
        double deliveries = (double) subscribers * perRound * rounds;
        System.out.printf(Locale.ROOT, "%d subscribers, %d events per round: per delivery publish %.1f ns, "
                + "fan-out %.1f ns, drain %.1f ns (%d writes for %.0f deliveries)%n", subscribers, perRound,
                publish / deliveries, fanOut / deliveries, drain / deliveries, metrics.writes(), deliveries);
    }

    private static void runAll(ArrayDeque<Runnable> tasks) {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }

    /** Always ready, discards every byte: only the server's own work remains. */
    private static final class Discarding extends ServletOutputStream {
        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            // always ready: the listener is never needed
        }

        @Override
        public void write(int b) {
            // discarded
        }

        @Override
        public void write(byte[] b, int off, int len) {
            // discarded
        }
    }
}
