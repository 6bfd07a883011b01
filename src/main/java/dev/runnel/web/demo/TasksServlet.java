package dev.runnel.web.demo;

import dev.runnel.feed.TaskFeed;
import dev.runnel.feed.TaskFeed.TaskView;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /tasks} {@code {"steps","stepMillis","failAt"}} (all optional) starts a task and answers
 * {@code 201} with its state, including {@code topic} and {@code stream} (the URL of its event stream);
 * {@code GET /tasks/<id>} shows its state; {@code DELETE /tasks/<id>} cancels it (409 when it has
 * already finished). A start passes the {@link DemoGate} (its cost: the task's events); over
 * {@code runnel.tasks.maxRunning}, or {@code runnel.tasks.perAddress} for its client: 429 with
 * {@code Retry-After}.
 *
 * <p>Threading: container threads.
 */
public final class TasksServlet extends FeedServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> FIELDS = Set.of("steps", "stepMillis", "failAt");

    private final transient TaskFeed tasks;
    private final transient DemoGate gate;
    private final long maxBodyBytes;
    private final transient OtherNodes others;

    public TasksServlet(TaskFeed tasks, DemoGate gate, long maxBodyBytes) {
        this(tasks, gate, maxBodyBytes, OtherNodes.NONE);
    }

    /** With the tasks of {@code others}, the other nodes of a Redis, reachable here too. */
    public TasksServlet(TaskFeed tasks, DemoGate gate, long maxBodyBytes, OtherNodes others) {
        super("GET", "POST", "DELETE");
        this.others = others;
        this.tasks = tasks;
        this.gate = gate;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String id = pathId(req, "task");
        if (id == null) {
            if (!method.equals("POST")) {
                throw methodNotAllowed(method, "POST");
            }
            JsonBody body = JsonBody.read(req, maxBodyBytes, FIELDS);
            int steps = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE,
                    body.integer("steps", TaskFeed.DEFAULT_STEPS)));
            long stepMillis = body.integer("stepMillis", TaskFeed.DEFAULT_STEP_MILLIS);
            int failAt = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, body.integer("failAt", 0)));
            // Out of range, the feed refuses the steps (400) and the gate gives the charge back.
            int cost = TaskFeed.eventsOf(Math.max(1, Math.min(TaskFeed.MAX_STEPS, steps)));
            TaskView task = call(resp, () -> gate.admit(req, cost, owner -> tasks.start(owner, steps, stepMillis, failAt)));
            resp.setHeader("Location", link(req, "/tasks/" + task.id()));
            sendJson(resp, 201, json(req, task));
            return;
        }
        switch (method) {
            case "GET" -> sendJson(resp, 200, json(req, tasks.get(id).or(() -> others.task(id))
                    .orElseThrow(() -> notFound("task", id))));
            case "DELETE" -> {
                Optional<TaskView> here = tasks.cancel(id);
                if (here.isEmpty()) {
                    TaskView there = others.cancelTask(id).orElseThrow(() -> notFound("task", id));
                    if (there.state() != TaskFeed.State.RUNNING) {
                        throw finished(id, there);
                    }
                    // Another node runs it and cancels it on its next look at Redis: accepted, not yet done.
                    sendJson(resp, 202, json(req, there));
                    return;
                }
                TaskView task = here.get();
                if (task.state() != TaskFeed.State.CANCELLED) {
                    throw finished(id, task);
                }
                sendJson(resp, 200, json(req, task));
            }
            default -> throw methodNotAllowed(method, "DELETE, GET");
        }
    }

    private static HttpError finished(String id, TaskView task) {
        return new HttpError(409, "task-finished", "task " + id + " has already finished (" + name(task.state()) + ")");
    }

    private static Map<String, Object> json(HttpServletRequest req, TaskView task) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", task.id());
        json.put("topic", task.topic());
        json.put("stream", link(req, "/events?topic=" + task.topic()));
        json.put("state", name(task.state()));
        json.put("percent", task.percent());
        json.put("step", task.step());
        json.put("steps", task.steps());
        json.put("message", task.message());
        json.put("stepMillis", task.stepMillis());
        if (task.failAt() > 0) {
            json.put("failAt", task.failAt());
        }
        json.put("started", task.started().toString());
        if (task.ended() != null) {
            json.put("ended", task.ended().toString());
        }
        return json;
    }

    private static String name(TaskFeed.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
