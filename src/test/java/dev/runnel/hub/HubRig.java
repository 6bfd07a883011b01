package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runnel.redis.RedisConnections;
import dev.runnel.redis.SharedEventLog;
import dev.runnel.redis.SharedLog;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.ManualExecutor;
import dev.runnel.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A hub on one of the two logs, for the hub's tests that must hold for both: the in-memory log, whose
 * fan-out runs when the test says ({@link ManualExecutor}), or the shared log on a real
 * {@code redis-server} ({@link RedisServer#shared}, a prefix of its own per rig), whose fan-out runs
 * on its reader thread. {@link #publish} waits for the receipt and for the fan-out to hand the event
 * on ({@link #settle}), so a test reads the same on both; {@link #submit} does neither.
 *
 * <p>Threading: one test thread drives it.
 */
final class HubRig implements AutoCloseable {
    /** Which log a test class runs on. */
    enum Log { MEMORY, SHARED }

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final RedisConnections.Timeouts TIMEOUTS = new RedisConnections.Timeouts(Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofMillis(200));

    final Log kind;
    final EventLog log;
    final Hub hub;
    /** The memory log's fan-out, unless the test gave it an executor; null on the shared log. */
    final ManualExecutor fanOut;

    private HubRig(Log kind, EventLog log, Hub hub, ManualExecutor fanOut) {
        this.kind = kind;
        this.log = log;
        this.hub = hub;
        this.fanOut = fanOut;
    }

    /** What a rig is built with; every setting has a default. */
    static final class Options {
        private final Log kind;
        private TopicKinds kinds = TopicKinds.allStreams();
        private int capacity = 1000;
        private long maxAgeMillis = 3_600_000;
        private StateLimits state = StateLimits.NONE;
        private FanOutLimits fanOutLimits = FanOutLimits.NONE;
        private LongSupplier clock = () -> 0L;
        private java.util.concurrent.Executor executor;

        private Options(Log kind) {
            this.kind = kind;
        }

        Options kinds(TopicKinds value) {
            kinds = value;
            return this;
        }

        Options capacity(int value) {
            capacity = value;
            return this;
        }

        Options maxAge(long millis) {
            maxAgeMillis = millis;
            return this;
        }

        Options state(StateLimits value) {
            state = value;
            return this;
        }

        Options fanOut(FanOutLimits value) {
            fanOutLimits = value;
            return this;
        }

        /** Runs the memory log's fan-out instead of a {@link ManualExecutor} the test drives. */
        Options executor(java.util.concurrent.Executor value) {
            executor = value;
            return this;
        }

        /** The memory log's and the hub's clock (the shared log ages by Redis's). */
        Options clock(LongSupplier value) {
            clock = value;
            return this;
        }

        HubRig start() {
            if (kind == Log.MEMORY) {
                ManualExecutor manual = executor == null ? new ManualExecutor() : null;
                MemoryEventLog log = new MemoryEventLog(MemoryEventLog.Bounds.of(capacity, maxAgeMillis), state,
                        manual != null ? manual : executor, clock, "e1");
                return new HubRig(kind, log, new Hub(log, kinds, fanOutLimits, clock), manual);
            }
            RedisServer redis;
            try {
                redis = RedisServer.shared();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int maxKeys = state.maxKeysPerTopic() == Integer.MAX_VALUE ? 0 : state.maxKeysPerTopic();
            SharedEventLog log = new SharedEventLog(RedisConnections.open(redis.url(), TIMEOUTS, "test", 4),
                    RedisServer.freshPrefix(), new SharedLog.Bounds(capacity, 64L << 20, Duration.ofMillis(maxAgeMillis),
                    maxKeys), Math.min(state.maxTopics(), 1000));
            HubRig rig = new HubRig(kind, log, new Hub(log, kinds, fanOutLimits, clock), null);
            try {
                Eventually.await(WAIT, "the shared log is reached", rig.hub::available);
            } catch (Exception e) {
                rig.close();
                throw new AssertionError(e);
            }
            return rig;
        }
    }

    static Options on(Log kind) {
        return new Options(kind);
    }

    /** Skips the calling test on the shared log: it is about the in-memory log alone, and says why. */
    void memoryOnly(String why) {
        assumeTrue(kind == Log.MEMORY, why);
    }

    String epoch() {
        return hub.epoch();
    }

    /** The id of {@code sequence} in this rig's epoch. */
    String id(long sequence) {
        return epoch() + "-" + sequence;
    }

    /** Publishes, waits for the receipt and for the fan-out to have handed everything on. */
    Receipt publish(Publication p) {
        Receipt receipt = await(submit(p));
        settle();
        return receipt;
    }

    Receipt publish(String topic, String data) {
        return publish(Publication.of(topic, null, data));
    }

    /** Publishes, and waits for the receipt only: the fan-out may not have run. */
    Receipt publishUnsettled(Publication p) {
        return await(submit(p));
    }

    CompletableFuture<Receipt> submit(Publication p) {
        return hub.publish(p).toCompletableFuture();
    }

    static Receipt await(CompletableFuture<Receipt> receipt) {
        try {
            return receipt.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("no receipt within " + WAIT, e);
        }
    }

    /** Lets the fan-out hand on everything accepted so far. */
    void settle() {
        if (fanOut != null) {
            fanOut.runAll();
            return;
        }
        try {
            assertTrue(log.awaitTail(WAIT.toMillis()), "the fan-out did not catch up within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    RecordingSubscriber subscribe(String lastEventId, String... topics) {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of(topics), lastEventId, subscriber);
        return subscriber;
    }

    Opening opening(String lastEventId, String... topics) {
        return subscribe(lastEventId, topics).opening();
    }

    @Override
    public void close() {
        hub.close();
        log.close();
    }
}
