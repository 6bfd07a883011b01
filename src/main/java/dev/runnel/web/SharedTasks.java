package dev.runnel.web;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.feed.TaskFeed;
import dev.runnel.feed.TaskFeed.TaskView;
import dev.runnel.redis.RunRegistry;
import dev.runnel.web.demo.OtherNodes;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * This node's tasks in the {@link RunRegistry}, and the other nodes' tasks from it: every
 * {@value #SYNC_MILLIS} ms, on the thread of its {@link SharedRuns} (a call to Redis may wait its
 * socket timeout; the scheduler that runs the tasks' steps must not), it registers each task whose
 * state moved, refreshes the running ones, and cancels a running one that some node asked to cancel. A cancel is a flag on
 * the run's key that the owner reads, not a message: a flag set while the owner was busy or Redis
 * briefly away is still there at its next look, and a message could be missed.
 *
 * <p>Threading: {@link OtherNodes} from container threads; the syncing on {@code runnel-runs}, which
 * {@link #close} stops and waits for.
 */
final class SharedTasks implements OtherNodes, AutoCloseable {
    static final long SYNC_MILLIS = 200;
    /** How long a task stays known to the other nodes after its node last registered it. */
    private static final long TTL_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private final SharedRuns runs;
    private final TaskFeed tasks;

    SharedTasks(RunRegistry registry, String node, TaskFeed tasks) {
        this.runs = new SharedRuns(registry, node, "runnel-runs", "tasks");
        this.tasks = tasks;
        runs.every(SYNC_MILLIS, this::sync);
    }

    private void sync() {
        Set<String> held = new HashSet<>();
        for (TaskView view : tasks.views()) {
            held.add(view.id());
            if (view.state() == TaskFeed.State.RUNNING && runs.cancelRequested(view.id())) {
                view = tasks.cancel(view.id()).orElse(view);
            }
            runs.keep(view.id(), encode(view), TTL_MILLIS);
        }
        runs.keepOnly(held);
    }

    @Override
    public Optional<TaskView> task(String id) {
        RunRegistry.Run run = runs.elsewhere(id);
        return run == null ? Optional.empty() : Optional.of(decode(run.status()));
    }

    @Override
    public Optional<TaskView> cancelTask(String id) {
        RunRegistry.Run run = runs.elsewhere(id);
        if (run == null) {
            return Optional.empty();
        }
        TaskView view = decode(run.status());
        if (view.state() == TaskFeed.State.RUNNING) {
            runs.requestCancel(id);
        }
        return Optional.of(view);
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
        runs.close();
    }
}
