package dev.runnel.web;

import dev.runnel.redis.RedisUnavailableException;
import dev.runnel.redis.RunRegistry;
import dev.runnel.web.api.Refusals;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * This node's side of the {@link RunRegistry}, for {@link SharedTasks} and {@link SharedAnswers}: a
 * thread of its own for registering this node's runs (a call to Redis may wait its socket timeout;
 * neither the scheduler that drives the runs nor a container thread may), which writes a run again
 * only when its status changed or a third of its time to live has passed, and the look-ups of the
 * runs other nodes registered, which answer {@code 503} while Redis cannot be reached.
 *
 * <p>Threading: {@link #elsewhere} and {@link #requestCancel} from any thread; what {@link #every}
 * and {@link #execute} are given runs on the one named thread, which {@link #close} stops and waits
 * for, and the registering methods are called on it only.
 */
final class SharedRuns implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SharedRuns.class.getName());

    private final RunRegistry registry;
    private final String node;
    private final String what;
    private final SyncThread syncer;
    private final Map<String, String> kept = new HashMap<>();     // the thread only: what each run was registered as
    private final Map<String, Long> keptNanos = new HashMap<>();  // the thread only: when

    /**
     * @param what the runs, for log lines and refusals: {@code "tasks"}, {@code "chat answers"}
     */
    SharedRuns(RunRegistry registry, String node, String threadName, String what) {
        this.registry = registry;
        this.node = node;
        this.what = what;
        this.syncer = new SyncThread(threadName);
    }

    /** Runs {@code sync} on the thread every {@code periodMillis}; a failed run is logged, and tried again. */
    void every(long periodMillis, Runnable sync) {
        syncer.every(periodMillis, periodMillis, () -> guarded(sync));
    }

    /** Runs {@code work} on the thread soon, after what was given before; nothing once closed. */
    void execute(Runnable work) {
        try {
            syncer.execute(() -> guarded(work));
        } catch (RejectedExecutionException e) {
            LOG.log(Level.DEBUG, () -> what + ": not registered in Redis, the node is stopping");
        }
    }

    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (RedisUnavailableException e) {
            LOG.log(Level.DEBUG, () -> what + " not synchronised with Redis this time: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "synchronising " + what + " with Redis failed; trying again shortly", e);
        }
    }

    /** Registers this node's run {@code id} as {@code status} for {@code ttlMillis}, unless it is so already. */
    void keep(String id, String status, long ttlMillis) {
        long now = System.nanoTime();
        Long at = keptNanos.get(id);
        boolean due = at == null || now - at > TimeUnit.MILLISECONDS.toNanos(ttlMillis / 3);
        if (due || !status.equals(kept.get(id))) {
            registry.put(id, node, status, ttlMillis);
            kept.put(id, status);
            keptNanos.put(id, now);
        }
    }

    /** Registers the run one last time, as it ended: nothing refreshes it, and it expires after {@code ttlMillis}. */
    void last(String id, String status, long ttlMillis) {
        registry.put(id, node, status, ttlMillis);
        kept.remove(id);
        keptNanos.remove(id);
    }

    /** Forgets the runs that {@link #keep} registered and that are not in {@code held} (this node let them go). */
    void keepOnly(Set<String> held) {
        kept.keySet().retainAll(held);
        keptNanos.keySet().retainAll(held);
    }

    /** Whether another node asked to cancel this node's run {@code id}, which {@link #keep} registered. */
    boolean cancelRequested(String id) {
        if (!kept.containsKey(id)) {
            return false; // not registered yet: nobody elsewhere can have asked
        }
        RunRegistry.Run run = registry.get(id);
        return run != null && run.cancelRequested();
    }

    /** The run another node registered; null when none (this node's own are answered from memory). */
    RunRegistry.Run elsewhere(String id) {
        try {
            RunRegistry.Run run = registry.get(id);
            return run == null || node.equals(run.node()) ? null : run;
        } catch (RedisUnavailableException e) {
            throw unavailable(e);
        }
    }

    /** Asks the node that runs {@code id} to stop it; false when no node has it registered. */
    boolean requestCancel(String id) {
        try {
            return registry.requestCancel(id);
        } catch (RedisUnavailableException e) {
            throw unavailable(e);
        }
    }

    private RuntimeException unavailable(RedisUnavailableException e) {
        return Refusals.logUnavailable("the " + what + " of other nodes are found through Redis, which cannot be "
                + "reached now: " + e.getMessage());
    }

    /** Stops the thread once what was given to {@link #execute} has run (a few seconds at most). */
    @Override
    public void close() {
        syncer.closeAfterQueued(3_000); // the periodic syncs stop; what was queued still runs
    }
}
