package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.Test;

/** Answers at the edges of a server's life: after a restart, and while it shuts down. */
class RestartAndRaceTest {

    @Test
    void oldEpochCursorToAFiniteTopicThisProcessNeverSawGets204() throws Exception {
        try (TestServer server = TestServer.start()) {
            ContentResponse gone = server.client().newRequest(server.uri("/events?topic=tasks/abc"))
                    .headers(h -> h.put("Accept", "text/event-stream").put("Last-Event-ID", "oldepoch-12"))
                    .timeout(10, java.util.concurrent.TimeUnit.SECONDS).send();
            assertEquals(204, gone.getStatus(), "its run was the old server's: EventSource must stop, not wait");

            try (EventRecorder fresh = server.subscribe("tasks/abc")) {
                fresh.connected();
                String id = server.publish("tasks/abc", "progress", "1");
                assertEquals(id, fresh.next().id(), "a subscriber without a cursor waits for the run as before");
            }
        }
    }

    @Test
    void subscribeRacingShutdownIsA503NotAnEmpty200() throws Exception {
        try (TestServer server = TestServer.start()) {
            // The hub closes between the servlet's shutdown check and its subscribe (Runnel#close).
            server.runnel().hub().close();

            ContentResponse response = server.client().newRequest(server.uri("/events?topic=news"))
                    .method(HttpMethod.GET).headers(h -> h.put("Accept", "text/event-stream"))
                    .timeout(10, java.util.concurrent.TimeUnit.SECONDS).send();

            assertEquals(503, response.getStatus(), response.getContentAsString());
            assertEquals("5", response.getHeaders().get("Retry-After"));
            JsonObject error = JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
            assertEquals("shutting-down", error.get("error").getAsString());
            server.api().awaitConnections(0, Duration.ofSeconds(10));
            assertTrue(server.stats().get("streamAddresses").getAsInt() == 0, "the stream permit was released");
        }
    }
}
