package dev.runnel.web;

import dev.runnel.hub.FanOutLimits;
import dev.runnel.hub.StateLimits;
import java.time.Duration;
import java.util.List;

/**
 * Every configuration key of the hub and its endpoints, with its default (the bundled feeds read
 * theirs in {@link Feeds}). The README's "Configuration" table lists all of them; keep them together.
 *
 * <p>Threading: immutable.
 */
public record RunnelConfig(
        int logSize,
        Duration logMaxAge,
        long queueBytes,
        Duration retryMin,
        Duration retryMax,
        Duration heartbeat,
        int maxTopics,
        String publishSecret,
        long publishMaxBytes,
        List<String> stateTopics,
        List<String> finiteTopics,
        int dispatchThreads,
        Duration shutdownGrace,
        Duration writeTimeout,
        Duration maxLifetime,
        long logMaxBytes,
        StateLimits stateLimits,
        Duration pollMaxTimeout,
        String redisUrl,
        String redisPrefix,
        FanOutLimits fanOut,
        Duration redisLeaseTtl) {

    /**
     * A quarter of the recommended 1 GiB heap: room for the log's worst case (10,000 events of the
     * largest size would be 640 MiB) is not there, room for 19,000 streams and their backlogs is.
     */
    static final long DEFAULT_LOG_MAX_BYTES = 256L * 1024 * 1024;

    /**
     * The fan-out lag's bounds, from the flat-out runs in BENCHMARKS.md (1,000 subscribers, four
     * publishers as fast as answered): the fan-out handed out about 215,000 deliveries/s there while
     * publishing, 215 events/s to each subscriber, and the path after the fan-out (queue, write, kernel,
     * client) took up to about 260 ms at p99 when nothing queued before it (1,000 × 50 events/s). Half a
     * second in the hub leaves the other half of the one-second p99 to that path. 1,000 events keeps
     * what waits well inside the log (10,000 by default, so a client resuming from anywhere in the
     * backlog still finds it) and, at 64 KiB at most each, within 64 MiB; the fan-out still always has
     * work queued, so deliveries/s stay at its pace (5–9× nchan's in the same runs).
     */
    static final int DEFAULT_MAX_BACKLOG = 1_000;
    static final Duration DEFAULT_MAX_LAG = Duration.ofMillis(500);

    public static RunnelConfig from(Settings s) {
        RunnelConfig c = new RunnelConfig(
                s.integer("runnel.log.size", 10_000, 1, 10_000_000),
                s.duration("runnel.log.maxAge", Duration.ofHours(1)),
                s.bytes("runnel.stream.queueBytes", 1024 * 1024),
                s.duration("runnel.retry.min", Duration.ofMillis(2000)),
                s.duration("runnel.retry.max", Duration.ofMillis(5000)),
                s.duration("runnel.heartbeat", Duration.ofSeconds(15)),
                s.integer("runnel.subscribe.maxTopics", 64, 1, 10_000),
                s.string("runnel.publish.secret", null),
                s.bytes("runnel.publish.maxBytes", 64 * 1024),
                s.list("runnel.topics.state", "stocks,system"),
                s.list("runnel.topics.finite", "tasks/,chat/,demo/"),
                s.integer("runnel.dispatch.threads", Runtime.getRuntime().availableProcessors(), 1, 256),
                s.duration("runnel.shutdown.grace", Duration.ofSeconds(2)),
                s.duration("runnel.stream.writeTimeout", Duration.ofSeconds(30)),
                s.duration("runnel.stream.maxLifetime", Duration.ZERO),
                s.bytes("runnel.log.maxBytes", DEFAULT_LOG_MAX_BYTES),
                new StateLimits(s.integer("runnel.state.maxTopics", 100, 1, 1_000_000),
                        s.integer("runnel.state.maxKeysPerTopic", 1000, 1, 1_000_000),
                        s.duration("runnel.state.keyMaxAge", Duration.ofHours(24)).toMillis()),
                s.duration("runnel.poll.maxTimeout", Duration.ofSeconds(60)),
                blankToNull(s.string("runnel.redis.url", null)),
                s.string("runnel.redis.prefix", "runnel"),
                new FanOutLimits(s.integer("runnel.fanout.maxBacklog", DEFAULT_MAX_BACKLOG, 1, 10_000_000),
                        positiveMillis("runnel.fanout.maxLag", s.duration("runnel.fanout.maxLag", DEFAULT_MAX_LAG))),
                s.duration("runnel.redis.leaseTtl", Duration.ofSeconds(10)));
        c.check();
        return c;
    }

    private void check() {
        positive("runnel.log.maxAge", logMaxAge);
        positive("runnel.heartbeat", heartbeat);
        positive("runnel.stream.writeTimeout", writeTimeout);
        if (retryMax.compareTo(retryMin) < 0) {
            throw new IllegalArgumentException("runnel.retry.max: " + retryMax.toMillis() + "ms (expected: >= runnel.retry.min "
                    + retryMin.toMillis() + "ms)");
        }
        if (logMaxBytes < 64 * 1024) {
            throw new IllegalArgumentException("runnel.log.maxBytes: " + logMaxBytes + " (expected: >= 65536)");
        }
        positive("runnel.poll.maxTimeout", pollMaxTimeout);
        if (redisLeaseTtl.compareTo(Duration.ofMillis(300)) < 0) {
            throw new IllegalArgumentException("runnel.redis.leaseTtl: " + redisLeaseTtl.toMillis()
                    + "ms (expected: >= 300ms)");
        }
        if (queueBytes <= 0) {
            throw new IllegalArgumentException("runnel.stream.queueBytes: " + queueBytes + " (expected: > 0)");
        }
        if (publishMaxBytes <= 0) {
            throw new IllegalArgumentException("runnel.publish.maxBytes: " + publishMaxBytes + " (expected: > 0)");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static long positiveMillis(String key, Duration d) {
        positive(key, d);
        return d.toMillis();
    }

    /** Whether the log is shared through Redis ({@code runnel.redis.url} set). */
    public boolean sharedLog() {
        return redisUrl != null;
    }

    static void positive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(key + ": " + d.toMillis() + "ms (expected: > 0)");
        }
    }
}
