package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A subscriber of a quiet topic beside a busy one, over real HTTP: the busy topic pushing the quiet
 * one's cursor out of the log loses it nothing, and its heartbeats keep its cursor recent.
 */
class QuietTopicReplayTest {
    private static final int LOG_SIZE = 50;

    @Test
    void quietTopicsSubscriberResumesWithoutResetAfterABusyTopicFilledTheLog() throws Exception {
        try (TestServer server = TestServer.start("runnel.log.size", String.valueOf(LOG_SIZE))) {
            String seen;
            try (EventRecorder quiet = server.subscribe("quiet")) {
                quiet.connected();
                server.publish("quiet", null, "q1");
                seen = quiet.next().id();
                quiet.abort();
            }
            for (int i = 0; i < 4 * LOG_SIZE; i++) {
                server.publishDirect("busy", null, "b" + i);
            }

            try (EventRecorder resumed = server.resume(seen, "quiet");
                    EventRecorder busy = server.resume(seen, "busy")) {
                resumed.connected();
                server.publish("quiet", null, "q2");
                SseEvent next = resumed.next();
                assertEquals("q2", next.data(), "nothing on quiet was lost: no reset, just what follows");
                busy.connected();
                assertEquals("reset", busy.next().event(), "the busy topic did lose events after that cursor");
            }
        }
    }

    @Test
    void heartbeatOfAQuietStreamMovesItsCursorPastOtherTopicsWithoutFiringAnEvent() throws Exception {
        try (TestServer server = TestServer.start("runnel.heartbeat", "200ms")) {
            try (EventRecorder quiet = server.subscribe("quiet")) {
                quiet.connected();
                String last = null;
                for (int i = 0; i < 10; i++) {
                    last = server.publish("busy", null, "b" + i);
                }
                String expected = last;
                Eventually.await(Duration.ofSeconds(10), "a heartbeat carries " + expected,
                        () -> expected.equals(quiet.lastEventId()));
                quiet.assertNoMoreEvents(Duration.ofMillis(300));
            }
        }
    }

    @Test
    void connectedCarriesTheJoinCursorAndReopeningThereLosesNothing() throws Exception {
        try (TestServer server = TestServer.start()) {
            server.publish("news", null, "before");
            String cursor;
            try (EventRecorder first = server.subscribe("news")) {
                JsonObject connected = JsonParser.parseString(first.connected().data()).getAsJsonObject();
                cursor = connected.get("cursor").getAsString();
                assertEquals(server.runnel().hub().headId(), cursor, "a fresh stream joins at the head");
                first.abort();
            }
            server.publish("news", null, "while away");

            try (EventRecorder again = EventRecorder.open(server.client(),
                    server.uri("/events?topic=news&last_event_id=" + cursor), null)) {
                JsonObject connected = JsonParser.parseString(again.connected().data()).getAsJsonObject();
                assertEquals(cursor, connected.get("cursor").getAsString(), "a replay starts at its cursor");
                assertEquals("while away", again.next().data());
                again.assertNoMoreEvents(Duration.ofMillis(200));
            }
            try (EventRecorder task = server.subscribe("tasks/1")) {
                String data = task.connected().data();
                assertTrue(!data.contains("cursor"), "finite topics alone reopen for their whole history: " + data);
            }
        }
    }
}
