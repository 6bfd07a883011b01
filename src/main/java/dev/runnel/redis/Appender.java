package dev.runnel.redis;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Appends to the shared log asynchronously, so that no request thread waits on Redis: publications
 * queue here, and one thread sends whatever has queued as one pipeline of sequencer scripts (up to
 * {@code maxBatch}), then completes each publication's future with its position. Under load the
 * batches grow and the round trips are shared; alone, a publication goes at once.
 *
 * <p>Order: the pipeline keeps submission order, so the publications of one thread are logged in the
 * order it submitted them (the sequencer assigns sequences in the order Redis runs the scripts).
 *
 * <p>A batch whose answer does not come (Redis stopped, the socket timed out) has an unknown
 * outcome. Its publications with an idempotency key are sent again after a reconnect, until
 * {@code retryFor} has passed since they were submitted, and are logged exactly once; the others fail
 * with {@link RedisUnavailableException} at once, since repeating them might log them twice. Later
 * publications wait behind a batch that is being sent again (they keep their order), and the bounded
 * queue refuses what does not fit meanwhile.
 *
 * <p>Threading: {@link #submit} may be called from any thread; the pipeline runs on one thread,
 * {@code runnel-redis-append}, started by {@link #start} and ended by {@link #close}.
 */
public final class Appender implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Appender.class.getName());
    private static final long RETRY_PAUSE_MILLIS = 50;
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisConnections redis;
    private final SharedLog log;
    private final int maxBatch;
    private final long retryForNanos;
    private final BlockingQueue<Pending> queue;
    private final Thread thread;
    private volatile boolean closed;
    private Jedis connection;  // confined to the thread
    private long lastUsedNanos; // of the connection; confined to the thread

    private record Pending(SharedLog.Append append, CompletableFuture<SharedLog.Appended> done, long submittedNanos) {}

    /**
     * @param maxQueued publications that may wait; beyond that {@link #submit} refuses (the caller
     *                  answers 503 rather than buffering without bound)
     */
    public Appender(RedisConnections redis, SharedLog log, int maxBatch, int maxQueued, Duration retryFor) {
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch: " + maxBatch + " (expected: > 0)");
        }
        if (maxQueued <= 0) {
            throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: > 0)");
        }
        this.redis = redis;
        this.log = log;
        this.maxBatch = maxBatch;
        this.retryForNanos = retryFor.toNanos();
        this.queue = new ArrayBlockingQueue<>(maxQueued);
        this.thread = new Thread(this::run, "runnel-redis-append");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Queues a publication. The future completes with its position once Redis has logged it, or
     * fails: {@link RedisUnavailableException} (Redis did not answer), {@link RejectedExecutionException}
     * (the queue is full, or the appender closed).
     */
    public CompletableFuture<SharedLog.Appended> submit(SharedLog.Append append) {
        CompletableFuture<SharedLog.Appended> done = new CompletableFuture<>();
        if (closed || !queue.offer(new Pending(append, done, System.nanoTime()))) {
            done.completeExceptionally(new RejectedExecutionException(closed ? "the appender is closed"
                    : queue.size() + " publications wait for Redis already"));
        }
        return done;
    }

    /** Publications waiting to be sent. */
    public int queued() {
        return queue.size();
    }

    /** Stops taking publications, sends what has queued (as far as Redis answers), and ends the thread. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(10_000 + TimeUnit.NANOSECONDS.toMillis(retryForNanos));
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(1_000);
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.done.completeExceptionally(new RejectedExecutionException("the appender is closed"));
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        try {
            while (!closed || !queue.isEmpty()) {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                send(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.forEach(p -> p.done.completeExceptionally(new RejectedExecutionException("the appender is closed")));
        } finally {
            disconnect();
        }
    }

    private void send(List<Pending> batch) throws InterruptedException {
        List<Pending> todo = batch;
        while (!todo.isEmpty()) {
            try {
                if (connection == null) {
                    connection = redis.dedicated("append", false);
                } else if (System.nanoTime() - lastUsedNanos > IDLE_CHECK_NANOS) {
                    // Idle long enough for Redis to have restarted: a dropped connection fails here,
                    // with nothing sent, rather than leave the batch's outcome unknown.
                    probe();
                }
                lastUsedNanos = System.nanoTime();
                List<SharedLog.Answer> answers = log.appendAll(connection, todo.stream().map(Pending::append).toList());
                for (int i = 0; i < todo.size(); i++) {
                    SharedLog.Answer a = answers.get(i);
                    if (a.refused() != null) {
                        todo.get(i).done.completeExceptionally(a.refused()); // refused by Redis: not logged
                    } else {
                        todo.get(i).done.complete(a.appended());
                    }
                }
                return;
            } catch (JedisConnectionException | RedisUnavailableException e) {
                disconnect();
                RuntimeException failure = e instanceof JedisConnectionException je ? Replies.failure("append", je) : e;
                todo = retryable(todo, failure);
                if (!todo.isEmpty()) {
                    Thread.sleep(RETRY_PAUSE_MILLIS); // a pause between reconnects, not a wait for an outcome
                }
            } catch (RuntimeException e) {
                disconnect(); // what state the connection is in is unknown
                todo.forEach(p -> p.done.completeExceptionally(e));
                return;
            }
        }
    }

    /** Fails what must not be repeated (or may not be any longer); returns what will be sent again. */
    private List<Pending> retryable(List<Pending> todo, RuntimeException failure) {
        long now = System.nanoTime();
        List<Pending> again = new ArrayList<>();
        for (Pending p : todo) {
            if (p.append.idempotencyKey() != null && now - p.submittedNanos < retryForNanos && !closed) {
                again.add(p);
            } else {
                p.done.completeExceptionally(failure);
            }
        }
        if (!again.isEmpty()) {
            LOG.log(Level.DEBUG, "sending " + again.size() + " idempotent publications again: " + failure.getMessage());
        }
        return again;
    }

    private void probe() {
        try {
            connection.ping();
        } catch (JedisException e) {
            disconnect();
            connection = redis.dedicated("append", false);
        }
    }

    private void disconnect() {
        Jedis c = connection;
        connection = null;
        RedisConnections.closeQuietly(c);
    }
}
