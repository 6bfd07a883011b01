package dev.runnel.testing;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * An {@link Executor} that only queues: a task runs when the test runs it, on the test's thread, so
 * fan-out and drains happen at points the test chooses.
 *
 * <p>Threading: thread-safe; tasks may be queued and run from any thread, each task runs once.
 */
public final class ManualExecutor implements Executor {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(Objects.requireNonNull(task, "task"));
    }

    /** Tasks queued and not yet run. */
    public int pending() {
        return tasks.size();
    }

    /** Runs the oldest queued task; false when there was none. */
    public boolean runNext() {
        Runnable task = tasks.poll();
        if (task == null) {
            return false;
        }
        task.run();
        return true;
    }

    /** Runs queued tasks, including those they queue, until none is left; returns how many ran. */
    public int runAll() {
        int ran = 0;
        while (runNext()) {
            ran++;
        }
        return ran;
    }
}
