package dev.runnel.feed;

import static dev.runnel.feed.StockFeedHttpTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.time.Duration;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotificationFeedHttpTest {
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("runnel.jwt.secret", Tokens.SECRET);
    }

    /** Per-user topics are private: a subscriber presents a token granting its own. */
    private EventRecorder subscribeAs(String user, String... topics) {
        return EventRecorder.open(server.client(), server.uri("/events?" + TestServer.query(topics)), null,
                "Authorization", "Bearer " + Tokens.subscriber(user, "users/" + user + "/"));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void broadcastReachesEveryoneAndAUserNotificationOnlyThatUser() throws Exception {
        try (EventRecorder alice = subscribeAs("alice", "notifications", "users/alice/notifications");
             EventRecorder bob = subscribeAs("bob", "notifications", "users/bob/notifications")) {
            alice.connected();
            bob.connected();

            JsonObject sent = send("{\"title\":\"Deploy\",\"body\":\"v2 is live\",\"level\":\"success\"}");
            assertEquals("notifications", sent.get("topic").getAsString());
            for (EventRecorder r : new EventRecorder[] {alice, bob}) {
                SseEvent e = r.next();
                assertEquals("notification", e.event());
                assertEquals(sent.get("id").getAsString(), e.id());
                JsonObject n = json(e);
                assertEquals("Deploy", n.get("title").getAsString());
                assertEquals("v2 is live", n.get("body").getAsString());
                assertEquals("success", n.get("level").getAsString());
                assertFalse(n.has("user"));
            }

            JsonObject personal = send("{\"title\":\"Hi Alice\",\"user\":\"alice\"}");
            assertEquals("users/alice/notifications", personal.get("topic").getAsString());
            SseEvent e = alice.next();
            assertEquals("Hi Alice", json(e).get("title").getAsString());
            assertEquals("alice", json(e).get("user").getAsString());
            assertEquals("info", json(e).get("level").getAsString(), "the level defaults to info");
            bob.assertNoMoreEvents(Duration.ofMillis(200));
        }
    }

    @Test
    void anotherUsersChannelNeedsThatUsersGrant() {
        try (EventRecorder anonymous = server.subscribe("users/alice/notifications");
             EventRecorder bob = EventRecorder.open(server.client(),
                     server.uri("/events?topic=users/alice/notifications"), null,
                     "Authorization", "Bearer " + Tokens.subscriber("bob", "users/bob/"))) {
            assertEquals(401, anonymous.status());
            assertEquals(403, bob.status());
        }
    }

    @Test
    void formFieldsWorkLikeJson() throws Exception {
        try (EventRecorder carol = subscribeAs("carol", "users/carol/notifications")) {
            carol.connected();
            ContentResponse response = server.client().POST(server.uri("/notifications"))
                    .body(new org.eclipse.jetty.client.StringRequestContent("application/x-www-form-urlencoded",
                            "title=Tea&body=is+ready&level=warning&user=carol"))
                    .send();
            assertEquals(200, response.getStatus(), response.getContentAsString());
            JsonObject n = json(carol.next());
            assertEquals("is ready", n.get("body").getAsString());
            assertEquals("warning", n.get("level").getAsString());
        }
    }

    @Test
    void badNotificationsAreRefusedWithAReason() throws Exception {
        assertBad("{\"body\":\"no title\"}", "title: missing");
        assertBad("{\"title\":\"x\",\"level\":\"panic\"}", "level: \\\"panic\\\"");
        assertBad("{\"title\":\"x\",\"user\":\"a/b\"}", "user: \\\"a/b\\\"");
        assertBad("{\"title\":\"x\",\"user\":\"..\"}", "segment");
        assertBad("{\"title\":" + "\"" + "x".repeat(121) + "\"}", "title: 121 characters");
        assertBad("{\"title\":\"x\",\"to\":\"all\"}", "unknown field");
    }

    private void assertBad(String body, String detail) throws Exception {
        ContentResponse response = server.postJson("/notifications", body);
        assertEquals(400, response.getStatus(), body);
        assertTrue(response.getContentAsString().contains(detail), body + " -> " + response.getContentAsString());
    }

    private JsonObject send(String body) throws Exception {
        ContentResponse response = server.postJson("/notifications", body);
        assertEquals(200, response.getStatus(), response.getContentAsString());
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }
}
