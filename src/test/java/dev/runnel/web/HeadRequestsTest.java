package dev.runnel.web;

import static dev.runnel.web.PrivateTopicsTest.ticket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonObject;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.Test;

/**
 * {@code HEAD} on the stream endpoints answers what a {@code GET} would — its status and headers —
 * and does nothing: no stream, no subscription, no permit, no ticket used, no poem started.
 */
class HeadRequestsTest {

    static ContentResponse head(TestServer server, String pathAndQuery, String... headers) throws Exception {
        Request request = server.client().newRequest(server.uri(pathAndQuery)).method(HttpMethod.HEAD)
                .timeout(10, TimeUnit.SECONDS);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            String name = headers[i];
            String value = headers[i + 1];
            request.headers(h -> h.put(name, value));
        }
        return request.send();
    }

    @Test
    void aHundredHeadsFromOneAddressOpenNothingAndAGetStillStreams() throws Exception {
        try (TestServer server = TestServer.start("runnel.streams.perAddress", "5")) {
            for (int i = 0; i < 100; i++) {
                ContentResponse r = head(server, "/events?topic=news");
                assertEquals(200, r.getStatus(), "HEAD " + i);
                assertEquals("text/event-stream;charset=UTF-8", r.getHeaders().get("Content-Type"));
                assertEquals("no-store", r.getHeaders().get("Cache-Control"));
                assertEquals("no", r.getHeaders().get("X-Accel-Buffering"));
                assertEquals(0, r.getContent().length);
            }
            JsonObject stats = server.stats();
            assertEquals(0, stats.get("connections").getAsInt(), stats.toString());
            assertEquals(0, stats.get("subscriptions").getAsInt(), stats.toString());
            assertEquals(0, stats.get("streamsOpened").getAsInt(), stats.toString());
            assertEquals(0, stats.get("streamAddresses").getAsInt(), stats.toString());
            try (EventRecorder stream = server.subscribe("news")) {
                assertEquals(200, stream.status());
                stream.connected();
            }
        }
    }

    @Test
    void headAnswersTheRefusalsAGetWouldGet() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.streams.perAddress", "1")) {
            assertEquals(406, head(server, "/events?topic=news", "Accept", "application/json").getStatus());
            assertEquals(400, head(server, "/events").getStatus());
            assertEquals(400, head(server, "/events?topic=a//b").getStatus());
            assertEquals(401, head(server, "/events?topic=users/alice/inbox").getStatus());
            assertEquals(403, head(server, "/events?topic=users/bob/inbox", "Authorization",
                    "Bearer " + Tokens.subscriber("alice", "users/alice/")).getStatus());
            server.publishDirect("demo/ended", "done", "x");
            String end = server.publishDirect(dev.runnel.hub.Publication.of("demo/ended", "done", "y").asLast());
            assertEquals(204, head(server, "/events?topic=demo/ended", "Last-Event-ID", end).getStatus());
            try (EventRecorder open = server.subscribe("news")) {
                open.connected();
                ContentResponse full = head(server, "/events?topic=news");
                assertEquals(429, full.getStatus());
                assertEquals("5", full.getHeaders().get("Retry-After"));
            }
        }
    }

    @Test
    void headLeavesATicketUnused() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            String ticket = ticket(server, Tokens.subscriber("alice", "users/alice/"), "users/alice/inbox");
            assertEquals(200, head(server, "/events?topic=users/alice/inbox&ticket=" + ticket).getStatus());
            try (EventRecorder stream = EventRecorder.open(server.client(),
                    server.uri("/events?topic=users/alice/inbox&ticket=" + ticket), null)) {
                assertEquals(200, stream.status());
                stream.connected();
            }
        }
    }

    @Test
    void headOfThePoemStartsNoRun() throws Exception {
        try (TestServer server = TestServer.start("runnel.poem.interval", "5ms")) {
            for (int i = 0; i < 20; i++) {
                ContentResponse r = head(server, "/demo/poem");
                assertEquals(200, r.getStatus());
                assertEquals("text/event-stream;charset=UTF-8", r.getHeaders().get("Content-Type"));
                assertNull(r.getHeaders().get("Location"));
            }
            assertEquals(406, head(server, "/demo/poem", "Accept", "text/html").getStatus());
            assertEquals(204, head(server, "/demo/poem", "Last-Event-ID", "no-such-id").getStatus());
            JsonObject stats = server.stats();
            assertEquals(0, stats.get("eventsPublished").getAsLong(), "no poem was started: " + stats);
            assertEquals(0, stats.get("streamsOpened").getAsLong(), stats.toString());
            try (EventRecorder poem = EventRecorder.open(server.client(), server.uri("/demo/poem"), null)) {
                assertEquals(200, poem.status());
                poem.connected();
                assertEquals("ping", poem.next().event());
            }
        }
    }
}
