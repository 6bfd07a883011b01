package dev.runnel.stream;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The open streams of one application: counted for {@code /stats}, swept for heartbeats, finished
 * at shutdown.
 *
 * <p>Threading: thread-safe.
 */
public final class StreamRegistry {
    private static final System.Logger LOG = System.getLogger(StreamRegistry.class.getName());

    /** The least time shutdown gives the container to end the requests it was asked to complete. */
    private static final long CONTAINER_COMPLETION_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    private final Object emptied = new Object();

    void add(EventStream stream) {
        streams.add(stream);
    }

    void remove(EventStream stream) {
        if (streams.remove(stream) && streams.isEmpty()) {
            synchronized (emptied) {
                emptied.notifyAll();
            }
        }
    }

    public int size() {
        return streams.size();
    }

    public List<EventStream> snapshot() {
        return List.copyOf(streams);
    }

    /** Offers a heartbeat to every stream idle for at least {@code intervalNanos}. Scheduler thread. */
    public void sweepHeartbeats(long intervalNanos) {
        long now = System.nanoTime();
        for (EventStream stream : streams) {
            stream.heartbeatIfIdle(now, intervalNanos);
        }
    }

    /**
     * Evicts streams whose pending write has waited longer than {@code writeTimeoutNanos}, and
     * finishes those past their deadline with a final {@code retry:} (jittered by {@code retryMillis}).
     * Scheduler thread.
     */
    public void sweepStalledAndDue(long writeTimeoutNanos, LongSupplier retryMillis) {
        long now = System.nanoTime();
        for (EventStream stream : streams) {
            if (!stream.evictIfStalled(now, writeTimeoutNanos)) {
                stream.finishIfDue(now, () -> stream.frames().goingAway(retryMillis.getAsLong()));
            }
        }
    }

    /**
     * Shutdown: every stream gets its transport's going-away item (SSE: a final {@code retry:},
     * jittered by {@code retryMillis}, so clients do not all come back at once) after what it has
     * queued, and completes. Streams still open after
     * {@code graceMillis} (a peer that stopped reading) are closed without it.
     *
     * @return how many streams had to be closed forcibly
     */
    public int finishAll(LongSupplier retryMillis, long graceMillis) {
        List<EventStream> finishing = List.copyOf(streams);
        for (EventStream stream : finishing) {
            stream.finish(stream.frames().goingAway(retryMillis.getAsLong()));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        synchronized (emptied) {
            long left;
            while (!streams.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(emptied, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int forced = 0;
        for (EventStream stream : streams) {
            stream.close("shutdown: the client did not take its final frame in time");
            forced++;
        }
        if (forced > 0) {
            LOG.log(Level.INFO, forced + " stream(s) closed without their final frame at shutdown");
        }
        // complete() only asks the container to end the request on one of its threads: wait for it, so
        // that no request of ours is still being ended when the application's threads stop.
        long containerDeadline = Math.max(deadline, System.nanoTime() + CONTAINER_COMPLETION_NANOS);
        for (EventStream stream : finishing) {
            if (!stream.awaitContainerCompleted(containerDeadline - System.nanoTime())) {
                LOG.log(Level.DEBUG, "shutdown: the container had not completed every stream in time");
                break;
            }
        }
        return forced;
    }
}
