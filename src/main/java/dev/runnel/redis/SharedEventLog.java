package dev.runnel.redis;

import dev.runnel.hub.Cursor;
import dev.runnel.hub.EventLog;
import dev.runnel.hub.LogUnavailableException;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.Publication;
import dev.runnel.hub.Receipt;
import dev.runnel.hub.TopicKind;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The {@link EventLog} that several nodes share in Redis. The sequencer is {@code append.lua}, reached
 * through the batching {@link Appender}, so {@link #append} never waits; the tail is one {@link LogTail}
 * ({@code runnel-redis-tail}) that reads the stream in order and, on its own thread, fills this node's
 * caches and calls the hub's fan-out. So every node fans out the one order Redis assigned, its own
 * publishes included.
 *
 * <p>What the hub reads under its dispatch lock is local: the newest events ({@link RecentEvents}), the
 * latest values of the state topics a subscription named ({@link StateCache}) and what is known of
 * finite topics ({@link FiniteCache}), and each topic's newest position. {@link #prepare} loads a state
 * or finite topic from Redis the first time a subscription names it (a node that started later still
 * sees values published before); from then on the tail keeps it current. {@link #replay} reads Redis
 * ({@code XRANGE} in batches, {@link SharedReplay}) for what is older than the cache. Cursors are judged
 * against the log's position in Redis, read at most once a second (and again for a cursor ahead of it).
 *
 * <p>A tail that finds Redis lost data moves to a new epoch: the caches are emptied and the hub closes
 * every subscription, whose clients come back with their ids and get {@code reset} with
 * {@code unknown-epoch}. Until Redis is first reached, and while it is unreachable, the log is not
 * {@link #available}: the hub answers publishes and subscriptions {@code 503}; open streams stay open.
 *
 * <p>Threading: thread-safe. The tail, the appender and their connections are this log's threads,
 * started by {@link #start} and ended by {@link #close}.
 */
public final class SharedEventLog implements EventLog {
    private static final System.Logger LOG = System.getLogger(SharedEventLog.class.getName());
    /** Production timeouts: connect and answer within 2 s; a blocking read waits up to 1 s. */
    public static final RedisConnections.Timeouts TIMEOUTS = new RedisConnections.Timeouts(Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(1));
    private static final int READ_BATCH = 512;
    private static final int APPEND_BATCH = 256;
    private static final int APPEND_QUEUE = 10_000;
    private static final Duration APPEND_RETRY = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    private static final long POSITION_FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int POOL = 8;

    private final RedisConnections redis;
    private final SharedLog shared;
    private final Appender appender;
    private final LogTail tail;
    private final RecentEvents cache;
    private final SharedReplay replay;
    private final TopicCaches topics;
    private final AtomicLong appending = new AtomicLong(); // submitted to the appender, not yet answered
    private final Object delivery = new Object();          // signalled after every tail call
    private volatile EventLog.Tail hub;
    private volatile long appendedThrough;                  // newest position this node's appends got, this epoch
    private volatile long deliveredTime;                    // Redis time of the newest event delivered
    private volatile long delivered;                        // newest position whose fan-out call returned, this epoch
    private volatile SharedLog.Position position;
    private volatile long positionNanos;
    private LoggedEvent[] batch = new LoggedEvent[READ_BATCH]; // confined to the tail thread

    /**
     * Prepares the log of the Redis at {@code url}; nothing connects until {@link #start}.
     *
     * @param nodeId   names this node's connections
     * @param maxState state topics whose values one node keeps loaded at once
     * @throws IllegalArgumentException the URL, the prefix or the bounds are not acceptable
     */
    public static SharedEventLog open(String url, String prefix, SharedLog.Bounds bounds, int maxState, String nodeId) {
        return new SharedEventLog(RedisConnections.open(url, TIMEOUTS, nodeId, POOL), prefix, bounds, maxState);
    }

    /** On connections the caller made (tests: short timeouts); they are closed with the log. */
    public SharedEventLog(RedisConnections redis, String prefix, SharedLog.Bounds bounds, int maxState) {
        this.redis = redis;
        this.shared = new SharedLog(redis, prefix, bounds);
        this.appender = new Appender(redis, shared, APPEND_BATCH, APPEND_QUEUE, APPEND_RETRY);
        this.cache = new RecentEvents(bounds.maxEvents(), bounds.maxBytes());
        this.replay = new SharedReplay(shared, cache);
        this.topics = new TopicCaches(maxState);
        this.tail = LogTail.atHead(redis, shared, new Listener(), READ_BATCH, MAX_BACKOFF);
    }

    @Override
    public void start(EventLog.Tail tail) {
        if (hub != null) {
            throw new IllegalStateException("the log is already started");
        }
        hub = tail;
        appender.start();
        this.tail.start();
    }

    @Override
    public boolean available() {
        LogTail.Health h = tail.health();
        return h.reachable() && h.epoch() != null;
    }

    @Override
    public String epoch() {
        return tail.health().epoch();
    }

    @Override
    public String idOf(long sequence) {
        return epoch() + "-" + sequence;
    }

    @Override
    public long head() {
        return Math.max(tail.health().head(), appendedThrough);
    }

    @Override
    public CompletionStage<Receipt> append(Publication p, TopicKind kind, String idempotencyKey) {
        SharedLog.Append append = new SharedLog.Append(p, kind, idempotencyKey);
        appending.incrementAndGet();
        return appender.submit(append).handle((appended, failure) -> {
            appending.decrementAndGet();
            return receipt(p, appended, failure);
        });
    }

    private Receipt receipt(Publication p, SharedLog.Appended a, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof RedisUnavailableException || cause instanceof JedisException
                    || cause instanceof RejectedExecutionException) {
                return Receipt.refused(Receipt.Status.UNAVAILABLE, "the shared log did not take the event: "
                        + cause.getMessage());
            }
            throw new IllegalStateException("appending to the shared log failed", cause);
        }
        return switch (a.outcome()) {
            case APPENDED, DUPLICATE -> {
                if (a.epoch().equals(epoch()) && a.sequence() > appendedThrough) {
                    appendedThrough = a.sequence(); // the appender's thread only: no lost update
                }
                yield Receipt.accepted(a.id(), a.sequence());
            }
            case ENDED -> Receipt.ended(p.topic(), a.epoch() + "-" + a.sequence(), a.sequence());
            case STATE_FULL -> Receipt.refused(Receipt.Status.STATE_LIMIT, "key \"" + dev.runnel.hub.LoggedEvents.stateKey(p)
                    + "\": state topic \"" + p.topic() + "\" holds " + shared.bounds().maxStateKeys()
                    + " keys already (expected: at most " + shared.bounds().maxStateKeys() + "; publish to a key it holds)");
        };
    }

    /**
     * A cursor within this node's cache is judged without asking Redis (the cache replays it whole,
     * whatever Redis has trimmed since); an older one against the log's position in Redis, and one
     * ahead of the position known against a fresh reading (another node may have published it a moment
     * ago). A position a moment old may call valid a cursor Redis has just trimmed past: the replay then
     * comes out incomplete, and the hub resets the client instead.
     */
    @Override
    public Cursor cursor(String lastEventId) {
        String epoch = requireEpoch();
        long sequence = Cursor.sequenceIn(lastEventId, epoch);
        if (sequence >= 0 && sequence >= cache.oldest() - 1 && sequence <= cache.head() && epoch.equals(cache.epoch())) {
            return Cursor.valid(sequence);
        }
        SharedLog.Position p = position(false);
        if (sequence > p.head()) {
            p = position(true);
        }
        return Cursor.judge(lastEventId, epoch, oldest(p), Math.max(p.head(), tail.health().last()));
    }

    @Override
    public void prepare(String topic, TopicKind kind) {
        if (kind == TopicKind.STREAM || topics.loaded(topic, kind)) {
            return;
        }
        String epoch = requireEpoch();
        try {
            if (kind == TopicKind.STATE) {
                List<LogEntry> values = shared.state(epoch, topic);
                topics.loadState(epoch, topic, values.stream().map(e -> e.toLogged(epoch)).toList());
            } else {
                topics.loadFinite(epoch, topic, shared.finite(epoch, topic));
            }
        } catch (RedisUnavailableException e) {
            throw new LogUnavailableException("the shared log cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public Replay replay(long after, long upTo, Predicate<String> filter) {
        try {
            SharedReplay.Replayed r = replay.after(requireEpoch(), after, upTo, filter);
            return new Replay(r.events(), r.complete());
        } catch (RedisUnavailableException e) {
            throw new LogUnavailableException("the shared log cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public List<LoggedEvent> recent(long after, long upTo, Predicate<String> filter) {
        String epoch = epoch();
        return epoch == null ? null : cache.after(epoch, after, upTo, filter);
    }

    @Override
    public List<LoggedEvent> state(String topic, long upTo) {
        return topics.state(topic, upTo);
    }

    @Override
    public FiniteTopic finite(String topic) {
        return topics.finite(topic);
    }

    @Override
    public boolean quietSince(Collection<String> names, long sequence) {
        return topics.quietSince(names, sequence);
    }

    @Override
    public long oldest() {
        return oldest(position(false));
    }

    /** The oldest position Redis holds: what it said, or later, since it keeps no more than its count bound. */
    private long oldest(SharedLog.Position p) {
        return Math.max(p.oldest(), tail.health().last() - shared.bounds().maxEvents() + 1);
    }

    /** What Redis holds, or this node appended, beyond what the fan-out has handed on. */
    @Override
    public long backlog() {
        return Math.max(0, head() - delivered);
    }

    /** Redis's clock against this node's: an estimate, good to the clocks' skew. */
    @Override
    public long lagMillis() {
        long time = deliveredTime;
        return backlog() == 0 || time == 0 ? 0 : Math.max(0, System.currentTimeMillis() - time);
    }

    @Override
    public Figures figures() {
        return new Figures(cache.size(), cache.bytes(), topics.stateTopics(), topics.stateKeys());
    }

    @Override
    public boolean awaitTail(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (delivery) {
            long left;
            while (appending.get() > 0 || (available() && tail.health().last() < appendedThrough)) {
                if ((left = deadline - System.nanoTime()) <= 0) {
                    return false;
                }
                // Woken by every tail call; the appender's answers are polled at this pace.
                TimeUnit.NANOSECONDS.timedWait(delivery, Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
            }
        }
        return true;
    }

    @Override
    public void close() {
        try {
            appender.close();
            tail.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            redis.close();
        }
    }

    /** The tail's health, for a node's readiness and its operators. */
    /** The log's connections, for what else the nodes share through the same Redis (tickets, runs, leases). */
    public RedisConnections connections() {
        return redis;
    }

    public String prefix() {
        return shared.prefix();
    }

    public LogTail.Health health() {
        return tail.health();
    }

    public String describe() {
        return redis.describe() + " (prefix " + shared.prefix() + ")";
    }

    private String requireEpoch() {
        String epoch = epoch();
        if (epoch == null) {
            throw new LogUnavailableException("the shared log at " + redis.describe() + " has not been reached yet", null);
        }
        return epoch;
    }

    /** The log's position in Redis, read again when older than a second (or when {@code fresh}). */
    private SharedLog.Position position(boolean fresh) {
        SharedLog.Position p = position;
        String epoch = requireEpoch();
        if (!fresh && p != null && p.epoch().equals(epoch) && System.nanoTime() - positionNanos < POSITION_FRESH_NANOS) {
            return p;
        }
        try {
            p = shared.position();
        } catch (RedisUnavailableException e) {
            throw new LogUnavailableException("the shared log cannot be read: " + e.getMessage(), e);
        }
        position = p;
        positionNanos = System.nanoTime();
        return p;
    }

    /** What the tail reads, on its thread: into the caches, then to the hub's fan-out. */
    private final class Listener implements LogTail.Listener {
        @Override
        public void onEntries(String epoch, List<LogEntry> entries) {
            int n = entries.size();
            if (batch.length < n) {
                batch = new LoggedEvent[n];
            }
            for (int i = 0; i < n; i++) {
                batch[i] = entries.get(i).toLogged(epoch);
            }
            List<LoggedEvent> events = Arrays.asList(batch).subList(0, n);
            cache.add(epoch, events);
            topics.delivered(events);
            try {
                hub.onEvents(batch, n);
            } finally {
                deliveredTime = entries.get(n - 1).timeMillis();
                delivered = entries.get(n - 1).sequence();
                Arrays.fill(batch, 0, n, null);
                synchronized (delivery) {
                    delivery.notifyAll();
                }
            }
            hub.onDelivered();
        }

        @Override
        public void onEpoch(String epoch, long after) {
            cache.clear(epoch, after);
            topics.clear(epoch, after);
            appendedThrough = 0;
            delivered = after;
            position = null;
            hub.onEpoch(epoch, after);
        }

        @Override
        public void onGap(String epoch, long after, long next) {
            LOG.log(Level.WARNING, "events " + (after + 1) + " to " + (next - 1) + " of epoch " + epoch
                    + " left the shared log before this node read them; its subscriptions resume with a reset");
            cache.clear(epoch, next - 1);
            delivered = next - 1;
            hub.onGap(after, next);
        }
    }

    @Override
    public String toString() {
        return "SharedEventLog[" + describe() + ", " + tail + "]";
    }
}
