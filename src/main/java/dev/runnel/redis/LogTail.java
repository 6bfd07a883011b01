package dev.runnel.redis;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The node's one reader of the shared log: follows it with {@code XREAD BLOCK} in batches on a
 * connection of its own and hands every entry, in log order, to its {@link Listener}. In phase with
 * the local fan-out, it is where every event (this node's own publishes too) enters the node.
 *
 * <p>It remembers the last sequence it delivered and resumes after it: after a dropped connection, a
 * Redis restart or a failover it reconnects (backing off from 50 ms to {@code maxBackoff}) and reads on
 * from exactly there, so nothing is delivered twice and nothing skipped. Before reading on it checks
 * the log ({@link SharedLog#position}, also every second while connected): a different epoch means
 * another node renewed it or Redis lost everything; a head below what this node already delivered
 * means Redis lost the newest events (restarted from an older snapshot, failed over to a replica that
 * lagged) — then this node renews the epoch. Either way the listener hears {@link Listener#onEpoch}
 * and the new epoch's events follow from its start. Events that left the log before this node read
 * them (a long outage while others published) are reported by {@link Listener#onGap}, never skipped
 * silently.
 *
 * <p>Threading: one thread, {@code runnel-redis-tail}, started by {@link #start} and stopped by
 * {@link #close}; the listener is called on it, one call at a time. {@link #health} may be called from
 * any thread.
 */
public final class LogTail implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LogTail.class.getName());
    private static final long MIN_BACKOFF_MILLIS = 50;
    private static final long CHECK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisConnections redis;
    private final SharedLog log;
    private final Listener listener;
    private final int batch;
    private final long maxBackoffMillis;
    private final Thread thread;
    private final Object pause = new Object();
    private volatile boolean closed;
    private volatile Jedis connection;

    // Written by the tail thread only; volatile for health().
    private volatile String epoch;
    private volatile long last;
    private volatile long head;
    private volatile boolean reachable;
    private volatile String lastError;
    private volatile long failures;
    private long lastCheckNanos;
    private long lastFingerprint; // of the entry at `last`, 0 when this node has not read it

    /** Receives the log, in order, on the tail thread. */
    public interface Listener {
        /**
         * Entries of {@code epoch}, oldest first, following the previous call's last entry (or the
         * start position, or a gap just reported).
         */
        void onEntries(String epoch, List<LogEntry> entries);

        /**
         * The tail follows {@code epoch} from position {@code after}: once at start when it was made to
         * start at the log's head ({@link #atHead}), and then with {@code after} 0 for a new epoch (what
         * came before is gone; its events follow from its start).
         */
        void onEpoch(String epoch, long after);

        /** Events after {@code after} and before {@code next} left the log before this node read them. */
        void onGap(String epoch, long after, long next);
    }

    /**
     * The tail as seen from outside.
     *
     * @param lag      events Redis held beyond {@code last} when the tail last asked
     * @param failures connection failures since start
     */
    public record Health(boolean reachable, String epoch, long last, long head, long lag, long failures,
            String lastError) {}

    /**
     * @param epoch  the epoch to follow
     * @param after  the sequence the node has already (0: from the epoch's start)
     * @param batch  entries per read
     */
    public LogTail(RedisConnections redis, SharedLog log, String epoch, long after, Listener listener, int batch,
            Duration maxBackoff) {
        this(redis, log, epoch, after, listener, batch, maxBackoff, true);
    }

    /**
     * A tail that starts at the log's head, once Redis is first reached: it reads the epoch (creating it
     * when Redis has none) and the head, tells the listener {@link Listener#onEpoch}, and follows from
     * there. Until then {@link #health} says unreachable, with a null epoch.
     */
    public static LogTail atHead(RedisConnections redis, SharedLog log, Listener listener, int batch, Duration maxBackoff) {
        return new LogTail(redis, log, null, 0, listener, batch, maxBackoff, false);
    }

    private LogTail(RedisConnections redis, SharedLog log, String epoch, long after, Listener listener, int batch,
            Duration maxBackoff, boolean epochGiven) {
        if (epochGiven && epoch == null) {
            throw new IllegalArgumentException("epoch: null (expected: the epoch to follow; atHead() finds it)");
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch: " + batch + " (expected: > 0)");
        }
        if (after < 0) {
            throw new IllegalArgumentException("after: " + after + " (expected: >= 0)");
        }
        this.redis = redis;
        this.log = log;
        this.epoch = epoch;
        this.last = after;
        this.head = after;
        this.listener = listener;
        this.batch = batch;
        this.maxBackoffMillis = Math.max(MIN_BACKOFF_MILLIS, maxBackoff.toMillis());
        this.thread = new Thread(this::run, "runnel-redis-tail");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public Health health() {
        long l = last;
        long h = head;
        return new Health(reachable, epoch, l, h, Math.max(0, h - l), failures, lastError);
    }

    /** Stops reading: the blocked read is cut short, and the thread has ended when this returns. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        synchronized (pause) {
            pause.notifyAll();
        }
        Jedis c = connection;
        if (c != null) {
            // A read blocked on the socket fails at once. Quietly: the tail's thread may be closing the
            // same connection after a failure, and then Jedis throws for the socket already closed.
            RedisConnections.closeQuietly(c);
        }
        thread.join(TimeUnit.SECONDS.toMillis(10) + redis.timeouts().block().toMillis());
        if (thread.isAlive()) {
            LOG.log(Level.WARNING, "the shared log's tail did not stop within 10 s");
        }
    }

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        while (!closed) {
            try {
                if (connection == null) {
                    connection = redis.dedicated("tail", true);
                    if (epoch == null) {
                        startAtHead();
                    }
                    check();
                }
                readOnce(connection);
                if (!reachable) {
                    LOG.log(Level.INFO, "the shared log at " + redis.describe() + " is reachable again");
                }
                reachable = true;
                backoff = MIN_BACKOFF_MILLIS;
            } catch (JedisException | RedisUnavailableException e) {
                if (closed) {
                    break;
                }
                failures++;
                lastError = e.getMessage();
                if (epoch == null && failures == 1) {
                    // Never reached since start: the one loud line an operator needs.
                    LOG.log(Level.ERROR, "the shared log at " + redis.describe() + " cannot be reached ("
                            + e.getMessage() + "): this node answers 503 to publishes and subscriptions until it"
                            + " can; retrying");
                } else if (reachable || failures == 1) {
                    LOG.log(Level.WARNING, "the shared log at " + redis.describe() + " is unreachable ("
                            + e.getMessage() + "); retrying");
                }
                reachable = false;
                disconnect();
                backoff = pause(backoff);
            }
        }
        disconnect();
    }

    /** The first connection of a tail made by {@link #atHead}: the epoch, and the head to follow from. */
    private void startAtHead() {
        log.open();
        SharedLog.Position position = log.position(); // in the epoch the log adopted, whichever that is
        String current = position.epoch();
        long start = position.head();
        LOG.log(Level.INFO, "following the shared log at " + redis.describe() + " in epoch " + current + " after "
                + start);
        last = start;
        head = start;
        lastFingerprint = 0;
        epoch = current;
        notify(() -> listener.onEpoch(current, start));
    }

    /** One read: the head (for the lag) and up to {@code batch} entries, waiting up to the block timeout. */
    private void readOnce(Jedis jedis) {
        LogKeys keys = new LogKeys(log.prefix(), epoch);
        Response<String> headReply;
        Response<List<Map.Entry<String, List<StreamEntry>>>> read;
        try (Pipeline pipeline = jedis.pipelined()) {
            headReply = pipeline.hget(keys.meta(), "head");
            read = pipeline.xread(XReadParams.xReadParams().count(batch)
                    .block((int) redis.timeouts().block().toMillis()), Map.of(keys.log(), SharedLog.after(last)));
            pipeline.sync();
        }
        String h = headReply.get();
        head = h == null ? 0 : Long.parseLong(h);
        List<Map.Entry<String, List<StreamEntry>>> streams = read.get();
        if (streams != null && !streams.isEmpty() && !streams.get(0).getValue().isEmpty()) {
            List<StreamEntry> raw = streams.get(0).getValue();
            List<LogEntry> entries = new ArrayList<>(raw.size());
            for (StreamEntry e : raw) {
                entries.add(LogEntry.fromStream(e));
            }
            deliver(entries);
        }
        if (System.nanoTime() - lastCheckNanos > CHECK_EVERY_NANOS || streams == null) {
            check();
        }
    }

    private void deliver(List<LogEntry> entries) {
        long first = entries.get(0).sequence();
        if (first != last + 1) {
            LOG.log(Level.WARNING, "the shared log no longer holds events " + (last + 1) + " to " + (first - 1)
                    + " of epoch " + epoch + ": they left it before this node read them");
            notify(() -> listener.onGap(epoch, last, first));
        }
        notify(() -> listener.onEntries(epoch, entries));
        LogEntry newest = entries.get(entries.size() - 1);
        last = newest.sequence();
        lastFingerprint = fingerprint(newest);
        if (head < last) {
            head = last;
        }
    }

    /**
     * Compares the log in Redis with what this node has seen; moves to a new epoch when they disagree:
     * Redis is in another epoch, its head is below the last entry this node read, or the entry it holds
     * at that sequence is another one (Redis lost events and others published again since).
     */
    private void check() {
        lastCheckNanos = System.nanoTime();
        SharedLog.Position position = log.position();
        if (!position.epoch().equals(epoch)) {
            switchTo(position.epoch(), "the shared log is in epoch " + position.epoch() + " now");
            return;
        }
        String lost = null;
        if (position.head() < last) {
            lost = "Redis holds events up to " + position.head() + " of epoch " + epoch + " but this node has seen "
                    + last;
        } else if (lastFingerprint != 0 && position.oldest() <= last) {
            List<LogEntry> there = log.read(epoch, last - 1, 1);
            if (!there.isEmpty() && there.get(0).sequence() == last && fingerprint(there.get(0)) != lastFingerprint) {
                lost = "Redis holds another event at " + last + " of epoch " + epoch + " than this node read there";
            }
        }
        if (lost != null) {
            String renewed = log.renewEpoch(epoch);
            switchTo(renewed, lost + ": Redis lost events; epoch " + renewed + " begins");
        } else {
            head = position.head();
        }
    }

    /** Tells one logged event from another at the same sequence; never 0. */
    private static long fingerprint(LogEntry e) {
        long h = e.timeMillis() * 31 + e.topic().hashCode();
        h = h * 31 + e.data().hashCode();
        return h == 0 ? 1 : h;
    }

    private void switchTo(String newEpoch, String why) {
        LOG.log(Level.WARNING, why);
        epoch = newEpoch;
        last = 0;
        head = 0;
        lastFingerprint = 0;
        notify(() -> listener.onEpoch(newEpoch, 0));
    }

    /** A listener that throws loses that call, never the tail. */
    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vm) {
                throw vm;
            }
            LOG.log(Level.ERROR, "the shared log's listener failed; the tail goes on", e);
        }
    }

    private long pause(long backoffMillis) {
        long jittered = backoffMillis / 2 + (long) (Math.random() * backoffMillis / 2);
        synchronized (pause) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(jittered);
            long left;
            while (!closed && (left = until - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(pause, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
        }
        return Math.min(maxBackoffMillis, backoffMillis * 2);
    }

    private void disconnect() {
        Jedis c = connection;
        connection = null;
        RedisConnections.closeQuietly(c);
    }

    @Override
    public String toString() {
        return "LogTail[" + epoch + " after " + last + (reachable ? "" : ", unreachable") + "]";
    }
}
