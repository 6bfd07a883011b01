package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A task runs on the node that took its {@code POST}; {@code GET} and {@code DELETE /tasks/<id>} work on
 * the other node of the same real {@code redis-server}: it shows the task, and a cancel asked there
 * stops it on its node. Skipped with the reason when {@code redis-server} is missing (failed under
 * {@code RUNNEL_REQUIRE_ALL=true}).
 */
class TasksAcrossNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        RedisServer redis = RedisServer.shared();
        String prefix = RedisServer.freshPrefix();
        for (int i = 0; i < 2; i++) {
            nodes.add(TestServer.startNode(redis, prefix));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (TestServer node : nodes) {
            node.close();
        }
    }

    @Test
    void aTaskStartedOnOneNodeIsShownAndCancelledOnTheOther() throws Exception {
        TestServer a = nodes.get(0);
        TestServer b = nodes.get(1);
        ContentResponse started = a.postJson("/tasks", "{\"steps\":1000,\"stepMillis\":100}");
        assertEquals(201, started.getStatus(), started.getContentAsString());
        String id = json(started).get("id").getAsString();

        Eventually.await(WAIT, "node B shows the task running on A", () -> {
            ContentResponse shown = b.send(HttpMethod.GET, "/tasks/" + id);
            return shown.getStatus() == 200 && json(shown).get("state").getAsString().equals("running");
        });
        try (EventRecorder progress = b.subscribe("tasks/" + id)) {
            progress.connected();
            ContentResponse cancel = b.send(HttpMethod.DELETE, "/tasks/" + id);
            assertEquals(202, cancel.getStatus(), cancel.getContentAsString());
            SseEvent last;
            do {
                last = progress.next(WAIT);
            } while (last.event().equals("progress"));
            assertEquals("cancelled", last.event(), "A stopped the task B was asked to cancel");
        }
        assertEquals("cancelled", json(a.send(HttpMethod.GET, "/tasks/" + id)).get("state").getAsString());
        Eventually.await(WAIT, "node B shows the task cancelled", () ->
                json(b.send(HttpMethod.GET, "/tasks/" + id)).get("state").getAsString().equals("cancelled"));
        assertEquals(409, b.send(HttpMethod.DELETE, "/tasks/" + id).getStatus(), "finished, on every node");
        assertEquals(404, b.send(HttpMethod.GET, "/tasks/unknown-task").getStatus());
    }

    private static JsonObject json(ContentResponse response) {
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }
}
