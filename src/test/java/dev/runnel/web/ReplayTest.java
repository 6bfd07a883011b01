package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReplayTest {

    @Test
    void reconnectWithTheFortiethIdGetsExactlyFortyOneToHundredThenLive() throws Exception {
        try (TestServer server = TestServer.start()) {
            EventRecorder first = server.subscribe("replay");
            first.connected();
            for (int i = 1; i <= 100; i++) {
                server.publish("replay", null, "e" + i);
            }
            List<SseEvent> read = first.next(40);
            assertEquals("e40", read.get(39).data());
            first.abort();

            try (EventRecorder resumed = server.resume(read.get(39).id(), "replay")) {
                resumed.connected();
                List<SseEvent> replayed = resumed.next(60);
                assertEquals(IntStream.rangeClosed(41, 100).mapToObj(i -> "e" + i).toList(),
                        replayed.stream().map(SseEvent::data).toList());
                server.publish("replay", null, "live");
                assertEquals("live", resumed.next().data());
                resumed.assertNoMoreEvents(Duration.ofMillis(200));
            }
        }
    }

    @Test
    void queryCursorWorksForAFirstConnect() throws Exception {
        try (TestServer server = TestServer.start()) {
            String one = server.publish("q", null, "1");
            server.publish("q", null, "2");
            try (EventRecorder stream = EventRecorder.open(server.client(),
                    server.uri("/events?topic=q&last_event_id=" + one), null)) {
                stream.connected();
                assertEquals("2", stream.next().data());
            }
        }
    }

    @Test
    void idFromAnotherEpochStartsWithResetUnknownEpoch() throws Exception {
        try (TestServer server = TestServer.start()) {
            server.publish("news", null, "before");
            try (EventRecorder stream = server.resume("zzzzzz-5", "news")) {
                stream.connected();
                SseEvent reset = stream.next();
                assertEquals("reset", reset.event());
                assertEquals("unknown-epoch", reason(reset));
                server.publish("news", null, "after");
                SseEvent live = stream.next();
                assertEquals("after", live.data());
                stream.assertNoMoreEvents(Duration.ofMillis(200));
            }
        }
    }

    @Test
    void garbageIdStartsWithResetMalformedAndThenPinsTheCursor() throws Exception {
        try (TestServer server = TestServer.start()) {
            String head = server.publish("news", null, "before");
            try (EventRecorder stream = server.resume("not an id", "news")) {
                stream.connected();
                assertEquals("malformed-id", reason(stream.next()));
                // The bare id block after the reset moves the client's cursor without firing an event.
                server.publish("other", null, "unrelated");
                String live = server.publish("news", null, "after");
                assertEquals("after", stream.next().data());
                assertEquals(live, stream.lastEventId());
                assertTrue(head.compareTo(live) != 0);
            }
        }
    }

    @Test
    void cursorOlderThanTheLogStartsWithResetHistoryLostThenSnapshot() throws Exception {
        try (TestServer server = TestServer.start("runnel.log.size", "10")) {
            String old = server.publish("news", null, "0");
            server.postJson("/publish", "{\"topic\":\"stocks\",\"event\":\"price\",\"key\":\"ACME\",\"data\":\"41\"}");
            for (int i = 1; i <= 30; i++) {
                server.publish("news", null, String.valueOf(i));
            }
            try (EventRecorder stream = server.resume(old, "news", "stocks")) {
                stream.connected();
                SseEvent reset = stream.next();
                assertEquals("reset", reset.event());
                assertEquals("history-lost", reason(reset));
                SseEvent snapshot = stream.next();
                assertEquals("price", snapshot.event());
                assertEquals("41", snapshot.data());
                String live = server.publish("news", null, "live");
                assertEquals("live", stream.next().data());
                assertEquals(live, stream.lastEventId());
            }
        }
    }

    @Test
    void finiteTopicEndsTheResponseAndAReconnectAtTheEndGets204() throws Exception {
        try (TestServer server = TestServer.start()) {
            try (EventRecorder stream = server.subscribe("demo/job")) {
                stream.connected();
                server.publish("demo/job", "progress", "50");
                server.postJson("/publish", "{\"topic\":\"demo/job\",\"event\":\"complete\",\"data\":\"100\",\"final\":true}");
                assertEquals("50", stream.next().data());
                SseEvent last = stream.next();
                assertEquals("complete", last.event());
                stream.awaitEnd(EventRecorder.TIMEOUT);
                try (EventRecorder again = server.resume(last.id(), "demo/job")) {
                    assertEquals(204, again.status());
                    again.awaitEnd(EventRecorder.TIMEOUT);
                }
                // A late subscriber without a cursor gets the whole held history, then the end.
                try (EventRecorder late = server.subscribe("demo/job")) {
                    late.connected();
                    assertEquals(List.of("50", "100"), late.next(2).stream().map(SseEvent::data).toList());
                    late.awaitEnd(EventRecorder.TIMEOUT);
                }
            }
        }
    }

    private static String reason(SseEvent reset) {
        assertEquals("reset", reset.event());
        JsonObject data = JsonParser.parseString(reset.data()).getAsJsonObject();
        assertTrue(data.has("detail"), reset.data());
        return data.get("reason").getAsString();
    }

    static List<String> data(List<SseEvent> events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.data()));
        return out;
    }
}
