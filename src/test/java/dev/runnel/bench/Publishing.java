package dev.runnel.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The publishing side of a scenario, over HTTP: streams (one ordered sequence each, published on
 * topic {@code t<stream % topics>}) shared out among publisher threads, each with its own connection.
 *
 * <ul>
 *   <li>{@link #onSchedule}: every stream at its own fixed rate. Each event carries its intended send
 *       time; a publisher that falls behind (a slow server answer) sends late but keeps the stamp, so
 *       the delay counts as latency (no coordinated omission).
 *   <li>{@link #asFastAsTaken}: each thread publishes as soon as its previous publish was answered,
 *       held back only when the subscribers are more than {@code window} events behind on average, so
 *       queues stay bounded while the server is never left without a backlog.
 *   <li>{@link #flatOut}: each thread publishes as soon as its previous publish was answered, with no
 *       window: the server alone decides how fast events are accepted.
 * </ul>
 *
 * <p>Threading: one instance per scenario phase; its threads end by {@code deadline} or are cut off.
 */
final class Publishing {
    private final int port;
    private final ServerProcess.Endpoints endpoints;
    private final int topics;
    private final int payloadBytes;
    private final AtomicLongArray published;
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private final List<HttpPublisher> connections = new ArrayList<>();
    private volatile String firstError;

    Publishing(int port, ServerProcess.Endpoints endpoints, int streams, int topics, int payloadBytes) {
        this.port = port;
        this.endpoints = endpoints;
        this.topics = topics;
        this.payloadBytes = payloadBytes;
        this.published = new AtomicLongArray(streams);
    }

    /** Publishes stream {@code s} at {@code rates[s]} events per second for {@code durationNanos}. */
    Map<Integer, Long> onSchedule(double[] rates, int threads, long durationNanos) throws InterruptedException {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long end = start + durationNanos;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            HttpPublisher http = newConnection();
            workers.add(started("bench-publisher-" + t, () -> {
                List<Integer> mine = new ArrayList<>();
                for (int s = thread; s < rates.length; s += threads) {
                    mine.add(s);
                }
                long[] next = new long[mine.size()];
                long[] period = new long[mine.size()];
                for (int i = 0; i < next.length; i++) {
                    period[i] = (long) (1e9 / rates[mine.get(i)]);
                    // Spread the streams' phases so that not every stream fires at the same instant.
                    next[i] = start + (long) (period[i] * ((mine.get(i) * 0.6180339887) % 1.0));
                }
                for (;;) {
                    int i = earliest(next);
                    if (i < 0 || next[i] >= end) {
                        return;
                    }
                    long intended = next[i];
                    long wait;
                    while ((wait = intended - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    int stream = mine.get(i);
                    if (!send(http, stream, published.incrementAndGet(stream), intended)) {
                        return;
                    }
                    next[i] += period[i];
                }
            }));
        }
        join(workers, end + TimeUnit.SECONDS.toNanos(15));
        return totals();
    }

    /**
     * Publishes from {@code threads} threads, one stream each, for {@code durationNanos}, never more
     * than {@code window} events ahead of the subscribers' average.
     */
    Map<Integer, Long> asFastAsTaken(int threads, int subscribers, long window, LongSupplier deliveredSoFar,
            long durationNanos) throws InterruptedException {
        long end = System.nanoTime() + durationNanos;
        AtomicLong total = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int stream = t;
            HttpPublisher http = newConnection();
            workers.add(started("bench-publisher-" + t, () -> {
                while (System.nanoTime() < end) {
                    if (total.get() * subscribers - deliveredSoFar.getAsLong() > window * subscribers) {
                        LockSupport.parkNanos(20_000);
                        continue;
                    }
                    if (!send(http, stream, published.incrementAndGet(stream), System.nanoTime())) {
                        return;
                    }
                    total.incrementAndGet();
                }
            }));
        }
        join(workers, end + TimeUnit.SECONDS.toNanos(15));
        return totals();
    }

    /**
     * Publishes from {@code threads} threads, one stream each, each as fast as the server answers, for
     * {@code durationNanos}.
     */
    Map<Integer, Long> flatOut(int threads, long durationNanos) throws InterruptedException {
        return asFastAsTaken(threads, 1, Long.MAX_VALUE / 4, () -> 0, durationNanos);
    }

    /** Events the server answered with a 2xx so far. */
    long accepted() {
        return accepted.get();
    }

    /** Publishes the server refused for now (503, 429) and that were sent again. */
    long refusals() {
        return refusals.get();
    }

    long errors() {
        return errors.get();
    }

    String firstError() {
        return firstError;
    }

    private HttpPublisher newConnection() {
        HttpPublisher http = new HttpPublisher("127.0.0.1", port, endpoints.publish(), endpoints.rawPublish());
        synchronized (connections) {
            connections.add(http);
        }
        return http;
    }

    /**
     * Publishes one event. A refusal that asks to come back later ({@code 503}, {@code 429}) is retried
     * with the same sequence and stamp, as a publisher that must not lose the event would, so the
     * time it was held back shows as latency.
     */
    private boolean send(HttpPublisher http, int stream, long sequence, long stamp) {
        try {
            String data = Payload.of(stream, sequence, stamp, payloadBytes);
            long pause = 100_000;
            int status;
            while ((status = http.publish("t" + (stream % topics), data)) == 503 || status == 429) {
                refusals.incrementAndGet();
                LockSupport.parkNanos(pause);
                pause = Math.min(pause * 2, 50_000_000);
                if (Thread.currentThread().isInterrupted()) {
                    error("a publisher was cut off while the server refused its event");
                    return false;
                }
            }
            if (status / 100 != 2) {
                error("publish answered " + status);
            } else {
                accepted.incrementAndGet();
            }
            return true;
        } catch (IOException e) {
            error("publish failed: " + e);
            http.close();
            return !Thread.currentThread().isInterrupted();
        }
    }

    private void error(String what) {
        errors.incrementAndGet();
        if (firstError == null) {
            firstError = what;
        }
    }

    /** Waits for the publishers until {@code deadline}; any still blocked in a server's answer is cut off. */
    private void join(List<Thread> workers, long deadline) throws InterruptedException {
        for (Thread w : workers) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        boolean cut = false;
        for (Thread w : workers) {
            if (w.isAlive()) {
                cut = true;
                w.interrupt();
            }
        }
        if (cut) {
            error("a publisher was still waiting for the server at the deadline and was cut off");
        }
        synchronized (connections) {
            connections.forEach(HttpPublisher::close); // unblocks a publisher stuck in a read
        }
        for (Thread w : workers) {
            w.join(5_000);
        }
    }

    private Map<Integer, Long> totals() {
        Map<Integer, Long> totals = new LinkedHashMap<>();
        for (int s = 0; s < published.length(); s++) {
            if (published.get(s) > 0) {
                totals.put(s, published.get(s));
            }
        }
        return totals;
    }

    private static Thread started(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int earliest(long[] next) {
        int best = -1;
        for (int i = 0; i < next.length; i++) {
            if (best < 0 || next[i] < next[best]) {
                best = i;
            }
        }
        return best;
    }
}
