package dev.runnel.web;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.feed.TaskFeed;
import dev.runnel.feed.TaskFeed.TaskView;
import dev.runnel.redis.RedisUnavailableException;
import dev.runnel.redis.RunRegistry;
import dev.runnel.web.api.Refusals;
import dev.runnel.web.demo.OtherNodes;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * This node's tasks in the {@link RunRegistry}, and the other nodes' tasks from it: every
 * {@value #SYNC_MILLIS} ms, on a thread of its own (a call to Redis may wait its socket timeout; the
 * scheduler that runs the tasks' steps must not), it registers each task whose state moved, refreshes
 * the running ones, and cancels a running one that some node asked to cancel. A cancel is a flag on
 * the run's key that the owner reads, not a message: a flag set while the owner was busy or Redis
 * briefly away is still there at its next look, and a message could be missed.
 *
 * <p>Threading: {@link OtherNodes} from container threads; the syncing on {@code runnel-runs}, which
 * {@link #close} stops and waits for.
 */
final class SharedTasks implements OtherNodes, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SharedTasks.class.getName());
    static final long SYNC_MILLIS = 200;
    /** How long a task stays known to the other nodes after its node last registered it. */
    private static final long TTL_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private final RunRegistry registry;
    private final String node;
    private final TaskFeed tasks;
    private final ScheduledThreadPoolExecutor syncer;
    private final Map<String, TaskView> registered = new HashMap<>(); // syncer thread only
    private final Map<String, Long> refreshedNanos = new HashMap<>(); // syncer thread only
    private volatile Thread thread;

    SharedTasks(RunRegistry registry, String node, TaskFeed tasks) {
        this.registry = registry;
        this.node = node;
        this.tasks = tasks;
        this.syncer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "runnel-runs");
            t.setDaemon(true);
            thread = t;
            return t;
        });
        syncer.scheduleWithFixedDelay(this::sync, SYNC_MILLIS, SYNC_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sync() {
        try {
            long now = System.nanoTime();
            Set<String> held = new HashSet<>();
            for (TaskView view : tasks.views()) {
                held.add(view.id());
                if (view.state() == TaskFeed.State.RUNNING && registered.containsKey(view.id())) {
                    RunRegistry.Run run = registry.get(view.id());
                    if (run != null && run.cancelRequested()) {
                        view = tasks.cancel(view.id()).orElse(view);
                    }
                }
                Long refreshed = refreshedNanos.get(view.id());
                boolean due = refreshed == null || now - refreshed > TimeUnit.MILLISECONDS.toNanos(TTL_MILLIS / 3);
                if (due || !view.equals(registered.get(view.id()))) {
                    registry.put(view.id(), node, encode(view), TTL_MILLIS);
                    registered.put(view.id(), view);
                    refreshedNanos.put(view.id(), now);
                }
            }
            registered.keySet().retainAll(held);
            refreshedNanos.keySet().retainAll(held);
        } catch (RedisUnavailableException e) {
            LOG.log(Level.DEBUG, "tasks not synchronised with Redis this time: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "synchronising tasks with Redis failed; trying again shortly", e);
        }
    }

    @Override
    public Optional<TaskView> task(String id) {
        RunRegistry.Run run = lookUp(id);
        return run == null ? Optional.empty() : Optional.of(decode(run.status()));
    }

    @Override
    public Optional<TaskView> cancelTask(String id) {
        RunRegistry.Run run = lookUp(id);
        if (run == null) {
            return Optional.empty();
        }
        TaskView view = decode(run.status());
        if (view.state() == TaskFeed.State.RUNNING) {
            try {
                registry.requestCancel(id);
            } catch (RedisUnavailableException e) {
                throw unavailable(e);
            }
        }
        return Optional.of(view);
    }

    /** The run another node registered; null when none (this node's own are answered by its feed). */
    private RunRegistry.Run lookUp(String id) {
        try {
            RunRegistry.Run run = registry.get(id);
            return run == null || node.equals(run.node()) ? null : run;
        } catch (RedisUnavailableException e) {
            throw unavailable(e);
        }
    }

    private static RuntimeException unavailable(RedisUnavailableException e) {
        return Refusals.logUnavailable("the tasks of other nodes are found through Redis, which cannot be reached now: "
                + e.getMessage());
    }

    static String encode(TaskView v) {
        JsonObject json = new JsonObject();
        json.addProperty("id", v.id());
        json.addProperty("topic", v.topic());
        json.addProperty("state", v.state().name());
        json.addProperty("percent", v.percent());
        json.addProperty("step", v.step());
        json.addProperty("steps", v.steps());
        json.addProperty("message", v.message());
        json.addProperty("stepMillis", v.stepMillis());
        json.addProperty("failAt", v.failAt());
        json.addProperty("started", v.started().toString());
        if (v.ended() != null) {
            json.addProperty("ended", v.ended().toString());
        }
        return json.toString();
    }

    static TaskView decode(String status) {
        JsonObject j = JsonParser.parseString(status).getAsJsonObject();
        return new TaskView(j.get("id").getAsString(), j.get("topic").getAsString(),
                TaskFeed.State.valueOf(j.get("state").getAsString()), j.get("percent").getAsInt(),
                j.get("step").getAsInt(), j.get("steps").getAsInt(), j.get("message").getAsString(),
                j.get("stepMillis").getAsLong(), j.get("failAt").getAsInt(), Instant.parse(j.get("started").getAsString()),
                j.has("ended") ? Instant.parse(j.get("ended").getAsString()) : null);
    }

    @Override
    public void close() {
        syncer.shutdownNow();
        try {
            if (syncer.awaitTermination(5, TimeUnit.SECONDS) && thread != null) {
                thread.join(1000); // a container's leak check must find the thread gone
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
