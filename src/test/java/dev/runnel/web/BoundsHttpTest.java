package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.hub.MemoryEventLog;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.Test;

/** The log's byte bound and the state topics' bounds, through the HTTP API and {@code /stats}. */
class BoundsHttpTest {
    private static final String DATA = "x".repeat(4000);

    @Test
    void logIsBoundedByBytesAndStatsSayItsEventsBytesAndBounds() throws Exception {
        try (TestServer server = TestServer.start("runnel.log.maxBytes", "64KiB", "runnel.log.maxAge", "10m")) {
            String first = server.publish("big", null, DATA);
            for (int i = 0; i < 40; i++) {
                server.publish("big", null, DATA);
            }

            JsonObject log = server.stats().getAsJsonObject("log");
            long bytes = log.get("bytes").getAsLong();
            int events = log.get("events").getAsInt();
            assertTrue(bytes <= 64 * 1024, "held " + bytes + " bytes");
            // Full but for less than one more entry: its frame and its payload (the data twice) and the overhead.
            assertTrue(bytes > 64 * 1024 - 2 * (DATA.length() + 100) - MemoryEventLog.ENTRY_OVERHEAD_BYTES, "held " + bytes);
            assertTrue(events > 0 && events < 41, events + " events");
            assertEquals(65536, log.get("maxBytes").getAsLong());
            assertEquals(10_000, log.get("maxEvents").getAsInt());
            assertEquals(600_000, log.get("maxAgeMillis").getAsLong());
            try (EventRecorder resumed = server.resume(first, "big")) {
                resumed.connected();
                JsonObject reset = JsonParser.parseString(resumed.next().data()).getAsJsonObject();
                assertEquals("history-lost", reset.get("reason").getAsString());
            }
        }
    }

    @Test
    void stateKeysAndTopicsBeyondTheirBoundsAreRefusedWithAJson409() throws Exception {
        try (TestServer server = TestServer.start("runnel.state.maxKeysPerTopic", "2", "runnel.state.maxTopics", "2")) {
            assertEquals(200, quote(server, "stocks", "ACME").getStatus());
            assertEquals(200, quote(server, "stocks", "GLOBEX").getStatus());

            ContentResponse key = quote(server, "stocks", "INITECH");
            assertEquals(409, key.getStatus(), key.getContentAsString());
            JsonObject error = JsonParser.parseString(key.getContentAsString()).getAsJsonObject();
            assertEquals("state-limit", error.get("error").getAsString());
            assertTrue(error.get("detail").getAsString().contains("runnel.state.maxKeysPerTopic"), error.toString());
            assertEquals(200, quote(server, "stocks", "ACME").getStatus(), "a key it holds is fine");

            assertEquals(200, quote(server, "stocks/eu", "SAP").getStatus());
            ContentResponse topic = quote(server, "stocks/us", "IBM");
            assertEquals(409, topic.getStatus());
            assertTrue(topic.getContentAsString().contains("runnel.state.maxTopics"), topic.getContentAsString());

            JsonObject state = server.stats().getAsJsonObject("state");
            assertEquals(2, state.get("topics").getAsInt());
            assertEquals(3, state.get("keys").getAsInt());
            assertEquals(2, state.get("maxTopics").getAsInt());
            assertEquals(2, state.get("maxKeysPerTopic").getAsInt());
            assertEquals(24 * 3600 * 1000L, state.get("keyMaxAgeMillis").getAsLong());
            assertEquals(4, server.stats().get("eventsPublished").getAsLong(), "a refused event is not published");
        }
    }

    private static ContentResponse quote(TestServer server, String topic, String symbol) throws Exception {
        return server.postJson("/publish", "{\"topic\":\"" + topic + "\",\"event\":\"price\",\"key\":\"" + symbol
                + "\",\"data\":{\"price\":1}}");
    }
}
