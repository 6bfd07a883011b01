package dev.runnel.feed;

import static dev.runnel.feed.StockFeedHttpTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskFeedHttpTest {
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("runnel.tasks.maxRunning", "2");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void taskGoesFromZeroToHundredPercentThenCompleteAndTheReconnectGets204() throws Exception {
        JsonObject task = startTask("{\"steps\":5,\"stepMillis\":20}");
        String id = task.get("id").getAsString();
        assertEquals("tasks/" + id, task.get("topic").getAsString());
        assertEquals("/events?topic=tasks/" + id, task.get("stream").getAsString());
        assertEquals("running", task.get("state").getAsString());
        try (EventRecorder stream = server.subscribe("tasks/" + id)) {
            stream.connected();
            List<Integer> percents = new ArrayList<>();
            SseEvent e;
            while ((e = stream.next()).event().equals("progress")) {
                percents.add(json(e).get("percent").getAsInt());
            }
            assertEquals(List.of(0, 20, 40, 60, 80, 100), percents);
            assertEquals("complete", e.event());
            assertEquals(100, json(e).get("percent").getAsInt());
            stream.awaitEnd(EventRecorder.TIMEOUT);
            try (EventRecorder again = server.resume(stream.lastEventId(), "tasks/" + id)) {
                assertEquals(204, again.status(), "a reconnect after the end is told the task is done");
            }
        }
        JsonObject state = get("/tasks/" + id, 200);
        assertEquals("complete", state.get("state").getAsString());
        assertEquals(100, state.get("percent").getAsInt());
        assertNotNull(state.get("ended"));
    }

    @Test
    void deleteCancelsARunningTaskWhichEndsWithCancelled() throws Exception {
        String id = startTask("{\"steps\":100,\"stepMillis\":1000}").get("id").getAsString();
        try (EventRecorder stream = server.subscribe("tasks/" + id)) {
            stream.connected();
            assertEquals("progress", stream.next().event());
            ContentResponse cancel = server.send(HttpMethod.DELETE, "/tasks/" + id);
            assertEquals(200, cancel.getStatus(), cancel.getContentAsString());
            assertEquals("cancelled", JsonParser.parseString(cancel.getContentAsString()).getAsJsonObject()
                    .get("state").getAsString());
            SseEvent end = stream.next();
            assertEquals("cancelled", end.event());
            assertTrue(json(end).get("message").getAsString().startsWith("Cancelled"), end.data());
            stream.awaitEnd(EventRecorder.TIMEOUT);
        }
        assertEquals("cancelled", get("/tasks/" + id, 200).get("state").getAsString());
        assertEquals(200, server.send(HttpMethod.DELETE, "/tasks/" + id).getStatus(), "cancelling twice is harmless");
    }

    @Test
    void deletingAFinishedTaskIsAConflict() throws Exception {
        String id = startTask("{\"steps\":1,\"stepMillis\":10}").get("id").getAsString();
        try (EventRecorder stream = server.subscribe("tasks/" + id)) {
            stream.connected();
            stream.awaitEnd(EventRecorder.TIMEOUT);
        }
        ContentResponse cancel = server.send(HttpMethod.DELETE, "/tasks/" + id);
        assertEquals(409, cancel.getStatus());
        assertTrue(cancel.getContentAsString().contains("\"error\":\"task-finished\""), cancel.getContentAsString());
    }

    @Test
    void taskAskedToFailEndsWithFailedAtThatStep() throws Exception {
        String id = startTask("{\"steps\":4,\"stepMillis\":10,\"failAt\":3}").get("id").getAsString();
        try (EventRecorder stream = server.subscribe("tasks/" + id)) {
            stream.connected();
            List<String> events = new ArrayList<>();
            SseEvent e;
            do {
                e = stream.next();
                events.add(e.event());
            } while (e.event().equals("progress"));
            assertEquals(List.of("progress", "progress", "progress", "failed"), events);
            assertEquals(3, json(e).get("step").getAsInt());
            stream.awaitEnd(EventRecorder.TIMEOUT);
        }
        assertEquals("failed", get("/tasks/" + id, 200).get("state").getAsString());
    }

    @Test
    void moreRunningTasksThanTheLimitGet429WithRetryAfter() throws Exception {
        String a = startTask("{\"steps\":10,\"stepMillis\":1000}").get("id").getAsString();
        String b = startTask("{\"steps\":10,\"stepMillis\":1000}").get("id").getAsString();
        ContentResponse third = server.postJson("/tasks", "{}");
        assertEquals(429, third.getStatus());
        assertTrue(third.getContentAsString().contains("runnel.tasks.maxRunning"), third.getContentAsString());
        long retryAfter = Long.parseLong(third.getHeaders().get("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 10, "Retry-After " + retryAfter);
        assertEquals(200, server.send(HttpMethod.DELETE, "/tasks/" + a).getStatus());
        assertEquals(201, server.postJson("/tasks", "{\"steps\":1,\"stepMillis\":10}").getStatus(),
                "a cancelled task frees its place");
        server.send(HttpMethod.DELETE, "/tasks/" + b);
    }

    @Test
    void badValuesAreRefusedWithAReason() throws Exception {
        assertBad("{\"steps\":0}", "steps: 0 (expected: 1 to 1000, runnel.tasks.maxSteps)");
        assertBad("{\"stepMillis\":5}", "stepMillis: 5 (expected: 10 to 60000; the least is runnel.tasks.minStepMillis)");
        assertBad("{\"steps\":\"many\"}", "steps: \\\"many\\\" (expected: a whole number)");
        assertBad("{\"steps\":2.5}", "steps: 2.5 (expected: a whole number)");
        assertBad("{\"steps\":3,\"failAt\":4}", "failAt: 4");
        assertBad("{\"speed\":1}", "unknown field \\\"speed\\\"");
        assertBad("[1,2]", "a JSON array (expected: an object)");
        assertBad("{steps:1}", "not valid JSON");
    }

    @Test
    void unknownTasksAndWrongMethodsAreJsonErrors() throws Exception {
        assertEquals(404, server.send(HttpMethod.GET, "/tasks/nosuchtask").getStatus());
        assertEquals(404, server.send(HttpMethod.DELETE, "/tasks/no-such-task!").getStatus());
        ContentResponse list = server.send(HttpMethod.GET, "/tasks");
        assertEquals(405, list.getStatus());
        assertEquals("POST", list.getHeaders().get("Allow"));
        assertTrue(list.getContentAsString().contains("\"error\":\"method-not-allowed\""));
    }

    private void assertBad(String body, String detail) throws Exception {
        ContentResponse response = server.postJson("/tasks", body);
        assertEquals(400, response.getStatus(), body);
        String text = response.getContentAsString();
        assertTrue(text.contains("\"error\":\"bad-request\""), text);
        assertTrue(text.contains(detail), body + " -> " + text);
    }

    private JsonObject startTask(String body) throws Exception {
        ContentResponse response = server.postJson("/tasks", body);
        assertEquals(201, response.getStatus(), response.getContentAsString());
        JsonObject task = JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
        assertEquals("/tasks/" + task.get("id").getAsString(), response.getHeaders().get("Location"));
        return task;
    }

    private JsonObject get(String path, int status) throws Exception {
        ContentResponse response = server.send(HttpMethod.GET, path);
        assertEquals(status, response.getStatus(), response.getContentAsString());
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }
}
