package dev.runnel.metrics;

import dev.runnel.hub.Hub;
import dev.runnel.hub.TopicKind;
import dev.runnel.stream.CloseReason;
import dev.runnel.stream.StreamMetrics;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runnel's metrics in Prometheus' terms: one registry per running instance (never the client's static
 * default registry, so an undeploy leaves nothing behind and two instances in one JVM do not mix), the
 * families of the README's table, the JVM basics, and the exposition of {@code GET /metrics}.
 *
 * <p>Counters and gauges are callbacks read at scrape time from the striped counters the hot path
 * already keeps ({@link StreamMetrics}, {@link TopicActivity}, {@link Rejections}): a scrape sums them,
 * a delivery pays nothing more. The two distributions are the client's classic histograms, observed on
 * the write path ({@link StreamMetrics.Observer}): a delivery's latency once per live event written,
 * a stream's queued bytes once per write. Every metric is built without exemplars and the histograms
 * without their native form: either would have the client schedule work on a static thread of its own
 * that no undeploy stops. No label takes a topic name or a client address.
 *
 * <p>Threading: thread-safe; {@link #delivered} and {@link #queued} are called by the writing threads,
 * {@link #write} by scraping container threads.
 */
public final class RunnelMetrics implements StreamMetrics.Observer {
    /** 100 µs to 10 s: from a socket that takes the write at once to a stream about to be evicted. */
    static final double[] LATENCY_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** 256 bytes to 4 MiB by fours: one small event, then backlogs up to past the default 1 MiB bound. */
    static final double[] QUEUE_BOUNDS = {256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Histogram latency;
    private final Histogram queuedBytes;

    /** What the counters and gauges are read from. */
    public record Sources(Hub hub, StreamMetrics streams, TopicActivity published, Rejections rejections,
            Supplier<Map<String, Long>> openStreamsByTransport) {}

    public RunnelMetrics() {
        latency = Histogram.builder().name("runnel_delivery_latency_seconds").unit(Unit.SECONDS)
                .help("Time from the log taking a live event to its write to a subscriber's socket, per event "
                        + "delivered (replayed events excluded)")
                .classicUpperBounds(LATENCY_BOUNDS).classicOnly().withoutExemplars().build();
        registry.register(latency);
        queuedBytes = Histogram.builder().name("runnel_queue_bytes").unit(Unit.BYTES)
                .help("Live bytes a stream had queued when a write took its batch, per socket write")
                .classicUpperBounds(QUEUE_BOUNDS).classicOnly().withoutExemplars().build();
        registry.register(queuedBytes);
    }

    @Override
    public void delivered(long nanos) {
        latency.observe(Unit.nanosToSeconds(nanos));
    }

    @Override
    public void queued(long bytes) {
        queuedBytes.observe(bytes);
    }

    /** Registers every counter and gauge, read from {@code s}, and the JVM's. Once, at start. */
    public void register(Sources s) {
        StreamMetrics m = s.streams();
        Hub hub = s.hub();
        GaugeWithCallback.builder().name("runnel_streams").labelNames("transport")
                .help("Open streams, by transport")
                .callback(cb -> s.openStreamsByTransport().get().forEach((t, n) -> cb.call(n, t)))
                .register(registry);
        gauge("runnel_subscriptions", "Subscriptions registered with the hub", hub::subscriptionCount);
        CounterWithCallback.builder().name("runnel_events_published").labelNames("kind")
                .help("Events the hub accepted, by topic kind")
                .callback(cb -> {
                    for (TopicKind kind : TopicKind.values()) {
                        cb.call(s.published().published(kind), kind.name().toLowerCase(Locale.ROOT));
                    }
                }).register(registry);
        counter("runnel_deliveries", "Events written to streams: live, replayed and from snapshots", m::framesDelivered);
        counter("runnel_socket_writes", "Writes to streams' sockets; with coalescing, fewer than deliveries", m::writes);
        counter("runnel_bytes_written", "Bytes written to streams' sockets (frames, heartbeats, retries)",
                m::bytesWritten);
        CounterWithCallback.builder().name("runnel_evictions").labelNames("reason")
                .help("Streams evicted: queue (a live frame did not fit in runnel.stream.queueBytes), "
                        + "write_timeout (a write waited longer than runnel.stream.writeTimeout)")
                .callback(cb -> {
                    cb.call(m.queueEvictions(), "queue");
                    cb.call(m.writeTimeouts(), "write_timeout");
                }).register(registry);
        CounterWithCallback.builder().name("runnel_streams_closed").labelNames("reason")
                .help("Streams closed, by reason")
                .callback(cb -> {
                    for (CloseReason reason : CloseReason.values()) {
                        cb.call(m.streamsClosed(reason), reason.label());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("runnel_requests_rejected").labelNames("status")
                .help("Requests answered with a 4xx or 5xx status, by status")
                .callback(cb -> s.rejections().forEach((status, n) -> cb.call(n, String.valueOf(status))))
                .register(registry);
        counter("runnel_replays", "Streams that resumed from the client's cursor, the events after it replayed",
                m::replays);
        CounterWithCallback.builder().name("runnel_resets").labelNames("reason")
                .help("Streams that began with a reset event, by its reason")
                .callback(cb -> {
                    for (String reason : StreamMetrics.RESET_REASONS) {
                        cb.call(m.resets(reason), reason);
                    }
                }).register(registry);
        counter("runnel_heartbeats", "Heartbeat comments written to idle streams", m::heartbeats);
        gauge("runnel_log_events", "Events the replay log holds", () -> hub.logFigures().events());
        GaugeWithCallback.builder().name("runnel_log_bytes").unit(Unit.BYTES)
                .help("Heap the replay log's events take (frames plus a fixed overhead each)")
                .callback(cb -> cb.call(hub.logFigures().bytes())).register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }

    /** Registers the families of a log shared by several nodes; the in-memory log never calls it. */
    public void registerSharedLog(SharedLogHealth health) {
        gauge("runnel_redis_up", "Whether the shared log (Redis) answers: 1 or 0", () -> health.reachable() ? 1 : 0);
        gauge("runnel_redis_tail_lag_events", "Events the shared log holds beyond what this node's tail has read",
                health::tailLagEvents);
        counter("runnel_redis_errors", "Failures talking to the shared log (Redis) since start", health::errors);
    }

    private void counter(String name, String help, java.util.function.LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    private void gauge(String name, String help, java.util.function.LongSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    /**
     * The exposition format a scrape with this {@code Accept} gets: OpenMetrics when it asks for it,
     * else the Prometheus text format (also for the protobuf format, which this build does not carry).
     */
    public Format format(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) {
            writer = formats.getOpenMetricsTextFormatWriter().accepts(accept)
                    ? formats.getOpenMetricsTextFormatWriter() : formats.getPrometheusTextFormatWriter();
        }
        return new Format(writer);
    }

    /** One exposition format: its content type, and the scrape written in it. */
    public final class Format {
        private final ExpositionFormatWriter writer;

        private Format(ExpositionFormatWriter writer) {
            this.writer = writer;
        }

        public String contentType() {
            return writer.getContentType();
        }

        /** Scrapes every family now and writes them to {@code out}. */
        public void write(OutputStream out) throws IOException {
            writer.write(out, registry.scrape());
        }
    }
}
