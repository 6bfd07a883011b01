package dev.runnel.feed;

import com.google.gson.JsonObject;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import dev.runnel.hub.Receipt;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Demo background tasks whose progress streams on the finite topic {@code tasks/<id>}. A task runs on
 * the scheduler whether or not anyone listens; it publishes {@code progress} {@code {"task","percent",
 * "step","steps","message"}} at 0 % and after every step, and ends with one of {@code complete},
 * {@code failed} (when asked to fail at a step) or {@code cancelled}, each carrying the same fields
 * ({@code task} is the id, so one stream can follow several tasks).
 * <pre>
 * event: progress
 * data: {"task":"k2j4…","percent":40,"step":4,"steps":10,"message":"Transforming records"}
 * </pre>
 * Its {@link Limits} bound what one task may cost and how many run: at most {@code maxRunning} at once,
 * {@code perOwner} of them for one owner (the web layer passes the client address); finished tasks stay
 * visible to {@link #get} until {@value #KEEP_FINISHED} newer ones have finished.
 *
 * <p>Threading: thread-safe. State changes and their publication happen under one lock, so a task's
 * events leave in the order of its states and nothing follows its final event; the lock is never held
 * across anything that blocks ({@link Hub#publish} never waits; a refused event fails its task).
 */
public final class TaskFeed implements AutoCloseable {
    public static final String TOPIC_PREFIX = "tasks/";
    /** The most {@code runnel.tasks.maxSteps} may allow. */
    public static final int MAX_STEPS = 1000;
    /** The least {@code runnel.tasks.minStepMillis} may allow. */
    public static final long MIN_STEP_MILLIS = 10;
    public static final long MAX_STEP_MILLIS = 60_000;
    public static final int DEFAULT_STEPS = 10;
    public static final long DEFAULT_STEP_MILLIS = 500;
    static final int KEEP_FINISHED = 1000;
    private static final String[] PHASES = {"Fetching input", "Validating records", "Transforming records",
        "Resizing images", "Indexing documents", "Writing output", "Verifying checksums"};

    /**
     * What tasks may cost: {@code maxRunning} at once in all and {@code perOwner} for one owner, each of
     * at most {@code maxSteps} steps no shorter than {@code minStepMillis}.
     */
    public record Limits(int maxRunning, int perOwner, int maxSteps, long minStepMillis) {
        public Limits {
            if (maxRunning < 1) {
                throw new IllegalArgumentException("runnel.tasks.maxRunning: " + maxRunning + " (expected: >= 1)");
            }
            if (perOwner < 1) {
                throw new IllegalArgumentException("runnel.tasks.perAddress: " + perOwner + " (expected: >= 1)");
            }
            if (maxSteps < 1 || maxSteps > MAX_STEPS) {
                throw new IllegalArgumentException("runnel.tasks.maxSteps: " + maxSteps + " (expected: 1 to " + MAX_STEPS + ")");
            }
            if (minStepMillis < MIN_STEP_MILLIS || minStepMillis > MAX_STEP_MILLIS) {
                throw new IllegalArgumentException("runnel.tasks.minStepMillis: " + minStepMillis + "ms (expected: "
                        + MIN_STEP_MILLIS + "ms to " + MAX_STEP_MILLIS + "ms)");
            }
        }
    }

    /** The most events a task of {@code steps} steps publishes: its 0 %, one per step, and its end. */
    public static int eventsOf(int steps) {
        return steps + 2;
    }

    /** What {@code GET /tasks/<id>} shows. */
    public enum State { RUNNING, COMPLETE, FAILED, CANCELLED }

    /**
     * A task as seen from outside: its state, its last published progress and its timing.
     *
     * @param failAt the step at which it fails, or 0
     */
    public record TaskView(String id, String topic, State state, int percent, int step, int steps, String message,
            long stepMillis, int failAt, Instant started, Instant ended) {}

    private final Hub hub;
    private final ScheduledExecutorService scheduler;
    private final Limits limits;
    private final Object lock = new Object();
    private final Map<String, Task> tasks = new HashMap<>();       // guarded by lock
    private final ArrayDeque<String> finished = new ArrayDeque<>(); // guarded by lock, oldest first
    private final Map<String, Integer> runningByOwner = new HashMap<>(); // guarded by lock
    private int running;                                            // guarded by lock
    private boolean closed;                                         // guarded by lock

    /** Guarded by the feed's lock. */
    private static final class Task {
        final String id;
        final int steps;
        final long stepMillis;
        final int failAt;
        final String owner;
        final Instant started = Instant.now();
        State state = State.RUNNING;
        int step;
        String message = "Queued";
        Instant ended;
        ScheduledFuture<?> future;

        Task(String id, int steps, long stepMillis, int failAt, String owner) {
            this.id = id;
            this.owner = owner;
            this.steps = steps;
            this.stepMillis = stepMillis;
            this.failAt = failAt;
        }

        int percent() {
            return (int) ((long) step * 100 / steps);
        }

        TaskView view() {
            return new TaskView(id, TOPIC_PREFIX + id, state, percent(), step, steps, message, stepMillis, failAt,
                    started, ended);
        }
    }

    public TaskFeed(Hub hub, ScheduledExecutorService scheduler, Limits limits) {
        this.hub = hub;
        this.scheduler = scheduler;
        this.limits = limits;
    }

    /**
     * Starts a task of {@code steps} steps of {@code stepMillis} each for {@code owner}; it fails at step
     * {@code failAt} unless that is 0. Its 0 % progress is published before this returns, so a subscriber
     * that connects afterwards gets the task's whole history.
     *
     * @throws IllegalArgumentException a value is out of range (the message says which)
     * @throws LimitReachedException    {@code maxRunning} tasks are running, or {@code perOwner} of the owner's
     */
    public TaskView start(String owner, int steps, long stepMillis, int failAt) {
        if (steps < 1 || steps > limits.maxSteps()) {
            throw new IllegalArgumentException("steps: " + steps + " (expected: 1 to " + limits.maxSteps()
                    + ", runnel.tasks.maxSteps)");
        }
        if (stepMillis < limits.minStepMillis() || stepMillis > MAX_STEP_MILLIS) {
            throw new IllegalArgumentException("stepMillis: " + stepMillis + " (expected: " + limits.minStepMillis()
                    + " to " + MAX_STEP_MILLIS + "; the least is runnel.tasks.minStepMillis)");
        }
        if (failAt < 0 || failAt > steps) {
            throw new IllegalArgumentException("failAt: " + failAt + " (expected: 1 to steps (" + steps
                    + "), or 0 for a task that succeeds)");
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the task feed is shut down");
            }
            if (running >= limits.maxRunning()) {
                throw new LimitReachedException(running + " tasks are running (limit " + limits.maxRunning()
                        + ", runnel.tasks.maxRunning)", soonestEndSecondsLocked(null));
            }
            int owned = runningByOwner.getOrDefault(owner, 0);
            if (owned >= limits.perOwner()) {
                throw new LimitReachedException(owned + " of this client's tasks are running (limit "
                        + limits.perOwner() + ", runnel.tasks.perAddress)", soonestEndSecondsLocked(owner));
            }
            Task task = new Task(Ids.random(), steps, stepMillis, failAt, owner);
            tasks.put(task.id, task);
            running++;
            runningByOwner.merge(owner, 1, Integer::sum);
            task.future = scheduler.scheduleAtFixedRate(Guarded.run("task " + task.id, () -> step(task)),
                    stepMillis, stepMillis, TimeUnit.MILLISECONDS);
            publishLocked(task, "progress", false);
            return task.view();
        }
    }

    public Optional<TaskView> get(String id) {
        synchronized (lock) {
            Task task = tasks.get(id);
            return task == null ? Optional.empty() : Optional.of(task.view());
        }
    }

    /**
     * Cancels a running task: it publishes {@code cancelled} and stops. Returns the task as it now is
     * (a task that had already finished keeps its state), or empty for an unknown id.
     */
    public Optional<TaskView> cancel(String id) {
        synchronized (lock) {
            Task task = tasks.get(id);
            if (task == null) {
                return Optional.empty();
            }
            if (task.state == State.RUNNING) {
                task.message = "Cancelled at step " + task.step + " of " + task.steps;
                finishLocked(task, State.CANCELLED, "cancelled");
            }
            return Optional.of(task.view());
        }
    }

    /** Every task this feed holds (running, and the finished it keeps), as they are now. */
    public java.util.List<TaskView> views() {
        synchronized (lock) {
            return tasks.values().stream().map(Task::view).toList();
        }
    }

    public int runningCount() {
        synchronized (lock) {
            return running;
        }
    }

    /** Stops every running task's schedule; they publish nothing more. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            for (Task task : tasks.values()) {
                if (task.future != null) {
                    task.future.cancel(false);
                }
            }
        }
    }

    private void step(Task task) {
        synchronized (lock) {
            if (task.state != State.RUNNING || closed) {
                return;
            }
            task.step++;
            if (task.step == task.failAt) {
                task.message = "Failed at step " + task.step + ": checksum mismatch in batch " + task.step;
                finishLocked(task, State.FAILED, "failed");
                return;
            }
            boolean done = task.step == task.steps;
            task.message = done ? "Done" : PHASES[(task.step - 1) * PHASES.length / task.steps] + " (" + task.step
                    + "/" + task.steps + ")";
            publishLocked(task, "progress", false);
            if (done) {
                task.message = "Completed " + task.steps + " steps";
                finishLocked(task, State.COMPLETE, "complete");
            }
        }
    }

    /** Guarded by lock. */
    private void finishLocked(Task task, State state, String event) {
        task.state = state;
        task.ended = Instant.now();
        task.future.cancel(false);
        running--;
        runningByOwner.computeIfPresent(task.owner, (k, n) -> n <= 1 ? null : n - 1);
        finished.add(task.id);
        while (finished.size() > KEEP_FINISHED) {
            tasks.remove(finished.poll());
        }
        publishLocked(task, event, true);
    }

    /** Guarded by lock. */
    private void publishLocked(Task task, String event, boolean last) {
        JsonObject data = new JsonObject();
        data.addProperty("task", task.id);
        data.addProperty("percent", task.percent());
        data.addProperty("step", task.step);
        data.addProperty("steps", task.steps);
        data.addProperty("message", task.message);
        Refusals.onRefusal(hub.publish(new Publication(TOPIC_PREFIX + task.id, event, data.toString(), null, last)),
                "task " + task.id, receipt -> refused(task, receipt));
    }

    /**
     * The hub did not log one of a task's events: a task whose progress cannot be told fails (its end
     * is published if the hub takes it; a subscriber that misses it resumes and finds the task ended).
     */
    private void refused(Task task, Receipt receipt) {
        synchronized (lock) {
            if (task.state == State.RUNNING) {
                task.message = "Stopped at step " + task.step + ": the hub refused its progress (" + receipt.status() + ")";
                finishLocked(task, State.FAILED, "failed");
            }
        }
    }

    /** Guarded by lock. Seconds until the running task (of {@code owner}, unless null) closest to its end finishes. */
    private long soonestEndSecondsLocked(String owner) {
        long soonest = Long.MAX_VALUE;
        for (Task task : tasks.values()) {
            if (task.state == State.RUNNING && (owner == null || owner.equals(task.owner))) {
                soonest = Math.min(soonest, (task.steps - task.step) * task.stepMillis);
            }
        }
        return soonest == Long.MAX_VALUE ? 1 : (soonest + 999) / 1000;
    }
}
