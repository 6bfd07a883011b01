package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.TestServer;
import dev.runnel.web.http.ApiServlet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SubscribeEndpointTest {
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("runnel.heartbeat", "100ms", "runnel.subscribe.maxTopics", "3");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void wrongAcceptIs406() throws Exception {
        ContentResponse r = server.client().newRequest(server.uri("/events?topic=news"))
                .headers(h -> h.put("Accept", "application/json")).timeout(10, TimeUnit.SECONDS).send();
        assertError(r, 406, "text/event-stream");
        ContentResponse refused = server.client().newRequest(server.uri("/events?topic=news"))
                .headers(h -> h.put("Accept", "text/event-stream;q=0, application/json")).send();
        assertEquals(406, refused.getStatus());
    }

    @Test
    void acceptRangesThatIncludeEventStreamAreServed() {
        for (String accept : List.of("*/*", "text/*", "text/html, text/event-stream;q=0.5")) {
            assertTrue(ApiServlet.acceptsEventStream(accept), accept);
        }
        assertTrue(ApiServlet.acceptsEventStream(null));
    }

    @Test
    void badTopicsAre400() throws Exception {
        assertError(get("/events"), 400, "no topic");
        assertError(get("/events?topic="), 400, "topic: empty");
        assertError(get("/events?topic=a//b"), 400, "empty segment");
        assertError(get("/events?topic=a/../b"), 400, "segment \"..\"");
        assertError(get("/events?topic=a%0d%0ab"), 400, "U+000D");
        assertError(get("/events?topic=a&topic=b&topic=c&topic=d"), 400, "at most 3");
        assertError(get("/events?topic=a&last_event_id=" + "9".repeat(300)), 400, "Last-Event-ID");
    }

    @Test
    void twoTopicsShareOneConnectionInPublishOrder() throws Exception {
        try (EventRecorder stream = server.subscribe("alpha", "beta")) {
            stream.connected();
            server.publish("alpha", null, "a1");
            server.publish("gamma", null, "not subscribed");
            server.publish("beta", null, "b1");
            server.publish("alpha", null, "a2");
            assertEquals(List.of("a1", "b1", "a2"), stream.next(3).stream().map(SseEvent::data).toList());
            stream.assertNoMoreEvents(Duration.ofMillis(200));
        }
    }

    @Test
    void heartbeatArrivesOnAnIdleStream() {
        try (EventRecorder stream = server.subscribe("quiet")) {
            stream.connected();
            assertEquals("keep-alive", stream.nextComment(Duration.ofSeconds(5)));
            assertEquals("keep-alive", stream.nextComment(Duration.ofSeconds(5)));
        }
    }

    @Test
    void stateTopicSubscriberGetsLatestValuePerKeyAtOnce() throws Exception {
        server.postJson("/publish", "{\"topic\":\"stocks\",\"event\":\"price\",\"key\":\"ACME\",\"data\":\"1\"}");
        server.postJson("/publish", "{\"topic\":\"stocks\",\"event\":\"price\",\"key\":\"INIT\",\"data\":\"7\"}");
        server.postJson("/publish", "{\"topic\":\"stocks\",\"event\":\"price\",\"key\":\"ACME\",\"data\":\"2\"}");
        try (EventRecorder stream = server.subscribe("stocks")) {
            stream.connected();
            List<SseEvent> snapshot = stream.next(2);
            assertEquals(List.of("7", "2"), snapshot.stream().map(SseEvent::data).toList());
            server.postJson("/publish", "{\"topic\":\"stocks\",\"event\":\"price\",\"key\":\"INIT\",\"data\":\"8\"}");
            assertEquals("8", stream.next().data());
        }
    }

    @Test
    void abortedClientIsGoneFromStatsWithinTwoSeconds() throws Exception {
        EventRecorder stream = server.subscribe("news");
        stream.connected();
        assertEquals(1, server.stats().get("connections").getAsInt());
        stream.abort();
        Eventually.await(Duration.ofSeconds(2), "connections back to 0",
                () -> server.stats().get("connections").getAsInt() == 0);
        assertEquals(0, server.stats().get("subscriptions").getAsInt());
    }

    private ContentResponse get(String path) throws Exception {
        return server.client().newRequest(server.uri(path)).timeout(10, TimeUnit.SECONDS).send();
    }
}
