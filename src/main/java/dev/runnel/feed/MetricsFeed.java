package dev.runnel.feed;

import com.google.gson.JsonObject;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The server's vital signs on the state topic {@code system}, event {@code metrics}, every interval.
 * <pre>
 * event: metrics
 * data: {"time":"…","uptimeSeconds":42,"heapUsed":31457280,"heapMax":4294967296,"processCpu":0.03,
 *        "systemCpu":0.11,"threads":23,"openStreams":4,"eventsPerSecond":12.5,"framesPerSecond":50.0,
 *        "evictions":0}
 * </pre>
 * CPU loads are fractions from 0 to 1, or null where the platform does not report them; the rates
 * are averaged over the last interval. Samples coalesce while the fan-out is behind
 * ({@link Hub#publishLatest}); a refused one is dropped, the next carries the latest. With a node
 * name, a sample's state key is its node: with several nodes on one log, a new subscriber gets the
 * latest sample of each, not only of whichever node sampled last.
 *
 * <p>Threading: ticks run on the scheduler; {@link #close} from any thread.
 */
public final class MetricsFeed implements AutoCloseable {
    public static final String TOPIC = "system";
    public static final String EVENT = "metrics";

    /** Where the server's own counters come from (the feed knows no servlet or stream class). */
    public record Sources(LongSupplier openStreams, LongSupplier eventsPublished, LongSupplier framesDelivered,
            LongSupplier evictions, LongSupplier uptimeMillis) {}

    private final Hub hub;
    private final Sources sources;
    private final Refusals refusals = new Refusals("the metrics feed");
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private long lastNanos;  // scheduler thread only
    private long lastEvents;
    private long lastFrames;
    private ScheduledFuture<?> ticks;
    private final String node;

    public MetricsFeed(Hub hub, Sources sources) {
        this(hub, sources, null);
    }

    /**
     * @param node the sampling node's name, sent with every sample and its state key: the samples are
     *             this node's, and with several nodes on one log every node's arrive on the one topic,
     *             where a new subscriber gets the latest of each; null to send none (key {@value #EVENT})
     */
    public MetricsFeed(Hub hub, Sources sources, String node) {
        this.node = node;
        this.hub = hub;
        this.sources = sources;
        this.lastNanos = System.nanoTime();
        this.lastEvents = sources.eventsPublished().getAsLong();
        this.lastFrames = sources.framesDelivered().getAsLong();
    }

    public synchronized void start(ScheduledExecutorService scheduler, Duration interval) {
        if (ticks != null) {
            throw new IllegalStateException("the metrics feed is already started");
        }
        long period = interval.toNanos();
        if (period <= 0) {
            throw new IllegalArgumentException("runnel.metrics.interval: " + interval.toMillis() + "ms (expected: > 0)");
        }
        ticks = scheduler.scheduleAtFixedRate(Guarded.run("metrics tick", this::tick), period, period,
                TimeUnit.NANOSECONDS);
    }

    /** Samples and publishes. Scheduler thread (tests call it directly). */
    void tick() {
        long now = System.nanoTime();
        long events = sources.eventsPublished().getAsLong();
        long frames = sources.framesDelivered().getAsLong();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        MemoryUsage heap = memory.getHeapMemoryUsage();
        JsonObject data = new JsonObject();
        data.addProperty("time", Instant.now().toString());
        if (node != null) {
            data.addProperty("node", node);
        }
        data.addProperty("uptimeSeconds", sources.uptimeMillis().getAsLong() / 1000);
        data.addProperty("heapUsed", heap.getUsed());
        data.addProperty("heapMax", heap.getMax() > 0 ? heap.getMax() : heap.getCommitted());
        data.addProperty("processCpu", load(os instanceof com.sun.management.OperatingSystemMXBean sun
                ? sun.getProcessCpuLoad() : -1));
        data.addProperty("systemCpu", load(os instanceof com.sun.management.OperatingSystemMXBean sun
                ? sun.getCpuLoad() : os.getSystemLoadAverage() / os.getAvailableProcessors()));
        data.addProperty("threads", threads.getThreadCount());
        data.addProperty("openStreams", sources.openStreams().getAsLong());
        data.addProperty("eventsPerSecond", round1((events - lastEvents) / seconds));
        data.addProperty("framesPerSecond", round1((frames - lastFrames) / seconds));
        data.addProperty("evictions", sources.evictions().getAsLong());
        lastNanos = now;
        lastEvents = events;
        lastFrames = frames;
        // Keyed by the node: the topic keeps the latest sample of every node, each node's own replacing its last.
        refusals.note(hub.publishLatest(new Publication(TOPIC, EVENT, data.toString(), node, false)));
    }

    @Override
    public synchronized void close() {
        if (ticks != null) {
            ticks.cancel(false);
        }
    }

    /** A load in [0, 1] rounded to 3 places, or null when unknown (negative). */
    private static Double load(double value) {
        return value < 0 || Double.isNaN(value) ? null : Math.round(Math.min(1, value) * 1000) / 1000.0;
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
