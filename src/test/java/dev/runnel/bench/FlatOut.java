package dev.runnel.bench;

import com.google.gson.JsonObject;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The {@code flatout} scenario: publishers as fast as the server answers, with no window, so the
 * server alone decides how fast it accepts events, and what it accepted beyond what it can hand out
 * becomes a backlog somewhere. Every {@code --interval} a row of the time series: events accepted
 * and delivered in the interval, how far the subscribers are behind, the server's own backlog where
 * its {@code /stats} tells it, latency of the interval's deliveries, memory. After publishing stops:
 * how long until every accepted event has reached every subscriber.
 *
 * <p>"Behind" is accepted events minus deliveries per subscriber: whatever is queued anywhere (hub,
 * stream queues, socket buffers, the client's read). "Not yet written" is Runnel's and the baseline's
 * own account, events published minus frames written per subscriber; {@code fanOutBacklog}, where
 * {@code /stats} has it, is the part not yet handed to the streams.
 *
 * <p>Threading: the coordinator publishes through {@link Publishing}; one sampler thread takes the rows.
 */
final class FlatOut {
    private FlatOut() {}

    static void run(Bench bench, ServerProcess server, String kind, int run, File logDir) throws Exception {
        int subscribers = bench.integer("subscribers", 1000);
        int publishers = bench.integer("publishers", 4);
        long durationNanos = bench.duration("duration", "15s");
        long intervalNanos = bench.duration("interval", "500ms");
        long drainNanos = bench.duration("drain", "120s");
        int payload = bench.integer("payload", 64);
        Map<String, Object> m = bench.record(kind, run, "flatout " + subscribers + " x " + publishers + " publishers");
        try (BenchRun r = bench.newRun(kind, server, run, logDir)) {
            r.startClients(subscribers, 1, 1, 0);
            long[] opened = r.connect(1.0, 300_000);
            Bench.log("  %s: %d open, %d failed", kind, opened[0], opened[1]);
            JsonObject before = r.serverStats(true);
            Publishing p = new Publishing(r.port(), server.endpoints(), publishers, 1, payload);
            Sampler sampler = new Sampler(r, p, subscribers, intervalNanos, before);
            Thread samplerThread = new Thread(sampler, "bench-flatout-sampler");
            samplerThread.setDaemon(true);
            Profiler profiler = bench.profile(server, kind, run, logDir);
            long start = System.nanoTime();
            sampler.start = start;
            samplerThread.start();
            Map<Integer, Long> published = p.flatOut(publishers, durationNanos);
            long stopped = System.nanoTime();
            Bench.stopProfile(profiler);
            long acceptedEvents = p.accepted();
            long deliveredAtStop = r.deliveredSoFar();
            long target = acceptedEvents * subscribers;
            long behindAfter5s = -1;
            long drainedAt = -1;
            long deadline = stopped + drainNanos;
            for (;;) {
                long now = System.nanoTime();
                long delivered = r.deliveredSoFar();
                if (delivered >= target) {
                    drainedAt = now;
                    break;
                }
                if (behindAfter5s < 0 && now - stopped >= TimeUnit.SECONDS.toNanos(5)) {
                    behindAfter5s = target - delivered;
                }
                if (now - deadline >= 0) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            sampler.stop = true;
            samplerThread.join(30_000);
            JsonObject after = r.serverStats(false);
            BenchRun.Results res = r.end(published, drainedAt > 0 ? 20_000 : 1_000);

            double publishSeconds = (stopped - start) / 1e9;
            m.put("accepted events/s", acceptedEvents / publishSeconds);
            m.put("deliveries/s while publishing", deliveredAtStop / publishSeconds);
            m.put("deliveries/s, first publish to last delivery", drainedAt > 0
                    ? target / ((drainedAt - start) / 1e9) : Double.NaN);
            m.put("behind when publishing stopped, events per subscriber",
                    acceptedEvents - deliveredAtStop / (double) subscribers);
            m.put("peak behind, events per subscriber", sampler.peak("behind"));
            m.put("peak not yet written, events per subscriber", sampler.peak("notWritten"));
            m.put("peak fan-out backlog, events", sampler.peak("fanOutBacklog"));
            m.put("drain time after publishing stopped, s", drainedAt > 0 ? (drainedAt - stopped) / 1e9 : Double.NaN);
            m.put("undelivered 5 s after publishing stopped", (double) Math.max(0, behindAfter5s));
            m.put("publish refusals (retried)", (double) p.refusals());
            Bench.correctness(m, res, p);
            Bench.latency(m, res);
            m.put("p99 ms in the last interval of publishing", sampler.lastP99WhilePublishing(stopped));
            Bench.serverCost(m, before, after, res.delivered);
            Bench.memory(m, after);
            m.put("peak heap, MiB", sampler.peak("heap") / Bench.MiB);
            m.put("series", sampler.rows);
            bench.finish(m, res.correct() && p.errors() == 0 && drainedAt > 0,
                    Bench.firstOf(res.firstError, Bench.firstOf(p.firstError(), drainedAt > 0 ? null
                            : "not everything accepted was delivered within --drain")));
        }
    }

    /** Takes a row of the time series every interval until told to stop. */
    private static final class Sampler implements Runnable {
        private final BenchRun run;
        private final Publishing publishing;
        private final int subscribers;
        private final long intervalNanos;
        private final JsonObject baseline;
        final List<Map<String, Double>> rows = new ArrayList<>();
        volatile long start;
        volatile boolean stop;

        Sampler(BenchRun run, Publishing publishing, int subscribers, long intervalNanos, JsonObject baseline) {
            this.run = run;
            this.publishing = publishing;
            this.subscribers = subscribers;
            this.intervalNanos = intervalNanos;
            this.baseline = baseline;
        }

        @Override
        public void run() {
            long next = start + intervalNanos;
            long lastAccepted = 0;
            long lastDelivered = 0;
            long lastNanos = start;
            try {
                while (!stop) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    // A row that took longer than the interval (a loaded machine) delays the next, never doubles it up.
                    next = Math.max(next + intervalNanos, System.nanoTime() + intervalNanos / 2);
                    long accepted = publishing.accepted();
                    BenchRun.Interval iv = run.interval();
                    JsonObject s = run.serverStats(false);
                    long now = System.nanoTime();
                    double seconds = (now - lastNanos) / 1e9;
                    Map<String, Double> row = new LinkedHashMap<>();
                    row.put("t", (now - start) / 1e9);
                    row.put("accepted/s", (accepted - lastAccepted) / seconds);
                    row.put("delivered/s", (iv.delivered - lastDelivered) / seconds);
                    row.put("behind", accepted - iv.delivered / (double) subscribers);
                    double published = Bench.number(s, "eventsPublished") - Bench.number(baseline, "eventsPublished");
                    double written = Bench.number(s, "framesDelivered") - Bench.number(baseline, "framesDelivered");
                    row.put("notWritten", published - written / subscribers);
                    row.put("fanOutBacklog", Bench.number(s, "fanOutBacklog"));
                    Histogram h = iv.latency;
                    row.put("p50", h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50) / 1e6);
                    row.put("p99", h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1e6);
                    row.put("rss", Bench.number(s, "rss"));
                    row.put("heap", Bench.number(s, "heapUsed"));
                    row.put("nanos", (double) now);
                    synchronized (rows) {
                        rows.add(row);
                    }
                    lastAccepted = accepted;
                    lastDelivered = iv.delivered;
                    lastNanos = now;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                Bench.log("  sampler stopped: %s", e);
            }
        }

        double peak(String column) {
            synchronized (rows) {
                return rows.stream().mapToDouble(r -> r.get(column)).filter(d -> !Double.isNaN(d)).max()
                        .orElse(Double.NaN);
            }
        }

        double lastP99WhilePublishing(long stoppedNanos) {
            synchronized (rows) {
                double p99 = Double.NaN;
                for (Map<String, Double> r : rows) {
                    if (r.get("nanos") <= stoppedNanos) {
                        p99 = r.get("p99");
                    }
                }
                return p99;
            }
        }
    }
}
