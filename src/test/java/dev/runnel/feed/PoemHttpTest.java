package dev.runnel.feed;

import static dev.runnel.feed.StockFeedHttpTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PoemHttpTest {
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("runnel.poem.interval", "5ms");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void poemPingsThenTypesInSmallChunksThenEndsAndTheReconnectGets204() {
        try (EventRecorder stream = open(null)) {
            assertEquals("text/event-stream;charset=UTF-8", stream.responseHeaders().get("Content-Type"));
            stream.connected();
            SseEvent ping = stream.next();
            assertEquals("ping", ping.event());
            assertEquals(PoemFeed.TITLE, json(ping).get("title").getAsString());
            StringBuilder text = new StringBuilder();
            int index = 0;
            while (text.length() < PoemFeed.POEM.length()) {
                SseEvent e = stream.next();
                assertEquals("message", e.event());
                JsonObject chunk = json(e);
                assertEquals(index++, chunk.get("id").getAsInt());
                int length = chunk.get("content").getAsString().length();
                assertTrue(length >= 1 && length <= 3, "chunk of " + length);
                assertTrue(chunk.has("time"));
                text.append(chunk.get("content").getAsString());
            }
            assertEquals(PoemFeed.POEM, text.toString());
            stream.awaitEnd(EventRecorder.TIMEOUT);
            try (EventRecorder again = open(stream.lastEventId())) {
                assertEquals(204, again.status(), "the browser does not type the poem twice");
            }
        }
    }

    @Test
    void aReconnectMidPoemContinuesTheSameRun() throws Exception {
        server.close();
        server = TestServer.start("runnel.poem.interval", "10ms");
        StringBuilder text = new StringBuilder();
        String lastEventId;
        try (EventRecorder first = open(null)) {
            first.connected();
            assertEquals("ping", first.next().event());
            for (int i = 0; i < 3; i++) {
                text.append(json(first.next()).get("content").getAsString());
            }
            first.abort();
            for (SseEvent e : first.drainReceived()) {
                text.append(json(e).get("content").getAsString());
            }
            lastEventId = first.lastEventId();
        }
        try (EventRecorder resumed = open(lastEventId)) {
            resumed.connected();
            while (text.length() < PoemFeed.POEM.length()) {
                SseEvent e = resumed.next();
                assertEquals("message", e.event());
                text.append(json(e).get("content").getAsString());
            }
            assertEquals(PoemFeed.POEM, text.toString());
            resumed.awaitEnd(EventRecorder.TIMEOUT);
        }
    }

    @Test
    void anUnknownCursorGets204AndAWrongAcceptGets406() throws Exception {
        try (EventRecorder stale = open("0-0")) {
            assertEquals(204, stale.status());
        }
        ContentResponse html = server.client().newRequest(server.uri("/demo/poem")).method(HttpMethod.GET)
                .headers(h -> h.put("Accept", "text/html")).send();
        assertEquals(406, html.getStatus());
    }

    private EventRecorder open(String lastEventId) {
        return EventRecorder.open(server.client(), server.uri("/demo/poem"), lastEventId);
    }
}
