package dev.runnel.web;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One named daemon thread for a node's periodic exchanges with Redis (its leases, its runs, its
 * card): a call to Redis may wait its socket timeout, so none of it may run on a shared thread. The
 * thread is gone once {@link #close} returns, since a container's leak check must find none left
 * after an undeploy.
 *
 * <p>Threading: thread-safe; what it is given runs on its one thread, in order.
 */
final class SyncThread implements AutoCloseable {
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    SyncThread(String name) {
        this.executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Runs {@code task} after {@code initialDelayMillis}, then {@code periodMillis} after each run ended. */
    void every(long initialDelayMillis, long periodMillis, Runnable task) {
        executor.scheduleWithFixedDelay(task, initialDelayMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} soon, after what was given before. */
    void execute(Runnable task) throws RejectedExecutionException {
        executor.execute(task);
    }

    /** Stops at once (a task running is interrupted) and waits for the thread to end. */
    @Override
    public void close() {
        executor.shutdownNow();
        awaitEnd(5_000);
    }

    /** Stops the periodic tasks, lets what was queued run for up to {@code graceMillis}, then stops at once. */
    void closeAfterQueued(long graceMillis) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
            return;
        }
        awaitEnd(2_000);
    }

    private void awaitEnd(long timeoutMillis) {
        try {
            Thread t = thread;
            if (executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS) && t != null) {
                t.join(1000); // a terminated pool's worker may still be exiting
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
