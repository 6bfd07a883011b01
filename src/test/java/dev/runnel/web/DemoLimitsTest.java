package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static dev.runnel.web.PublishEndpointTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.Test;

/**
 * Anonymous demo traffic stays within its own topics and cannot push other topics' history out of
 * the replay log; writing into a user's private topic through the notifications demo takes a
 * publisher credential, like any publish.
 */
class DemoLimitsTest {
    /** The product defaults the test server relaxes for speed. */
    private static final String[] DEFAULTS = {"runnel.demos.rate", "1", "runnel.demos.burst", "10",
        "runnel.demos.eventsPerMinute", "1200", "runnel.tasks.minStepMillis", "100", "runnel.publish.allowLoopback", "false"};

    private static String[] with(String... more) {
        List<String> all = new ArrayList<>(List.of(DEFAULTS));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static ContentResponse task(TestServer server, String body, String address) throws Exception {
        return server.postJson("/tasks", body, TestServer.REMOTE_ADDRESS_HEADER, address);
    }

    @Test
    void eightFastTasksCannotWipeTheReplayWindowOfOtherTopics() throws Exception {
        // Today's attack scaled to a small log: 8 tasks of 500 steps at the fastest pace publish 4016 events.
        try (TestServer server = TestServer.start(with("runnel.log.size", "1000", "runnel.tasks.minStepMillis", "10",
                "runnel.demos.eventsPerMinute", "600", "runnel.tasks.maxSteps", "500"))) {
            String seen;
            try (EventRecorder reader = server.subscribe("news")) {
                reader.connected();
                server.publishDirect("news", "headline", "before");
                seen = reader.next().id();
            }
            String missed = server.publishDirect("news", "headline", "while away");
            List<String> started = new ArrayList<>();
            int refused = 0;
            for (int i = 0; i < 8; i++) {
                ContentResponse r = task(server, "{\"steps\":500,\"stepMillis\":10}", "198.51.100." + (i + 1));
                if (r.getStatus() == 201) {
                    started.add(json(r).get("id").getAsString());
                } else {
                    assertError(r, 429, "runnel.demos.eventsPerMinute");
                    assertTrue(Long.parseLong(r.getHeaders().get("Retry-After")) >= 1);
                    refused++;
                }
            }
            assertEquals(1, started.size(), "the budget pays for one such task a minute");
            assertEquals(7, refused);
            Eventually.await(Duration.ofSeconds(60), "the admitted task ran to its end", () -> json(
                    server.send(HttpMethod.GET, "/tasks/" + started.get(0))).get("state").getAsString().equals("complete"));
            try (EventRecorder back = server.resume(seen, "news")) {
                back.connected();
                SseEvent e = back.next();
                assertEquals("headline", e.event(), "no reset: the history is still there");
                assertEquals(missed, e.id());
            }
        }
    }

    @Test
    void tasksAreBoundedInPaceLengthAndNumberPerAddress() throws Exception {
        try (TestServer server = TestServer.start(with())) {
            assertError(task(server, "{\"steps\":10,\"stepMillis\":10}", "198.51.100.1"), 400, "runnel.tasks.minStepMillis");
            assertError(task(server, "{\"steps\":1001,\"stepMillis\":100}", "198.51.100.1"), 400, "runnel.tasks.maxSteps");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ContentResponse r = task(server, "{\"steps\":50,\"stepMillis\":1000}", "198.51.100.1");
                assertEquals(201, r.getStatus(), r.getContentAsString());
                ids.add(json(r).get("id").getAsString());
            }
            assertError(task(server, "{\"steps\":50,\"stepMillis\":1000}", "198.51.100.1"), 429, "runnel.tasks.perAddress");
            assertEquals(201, task(server, "{\"steps\":50,\"stepMillis\":1000}", "198.51.100.2").getStatus(),
                    "another address has places of its own");
            for (String id : ids) {
                server.send(HttpMethod.DELETE, "/tasks/" + id);
            }
        }
    }

    @Test
    void oneAddressIsHeldToTheDemoRequestRate() throws Exception {
        try (TestServer server = TestServer.start(with("runnel.demos.burst", "3"))) {
            String body = "{\"title\":\"hello\"}";
            int passed = 0;
            ContentResponse limited;
            while ((limited = server.postJson("/notifications", body, TestServer.REMOTE_ADDRESS_HEADER, "198.51.100.9"))
                    .getStatus() == 200 && passed < 10) {
                passed++;
            }
            assertTrue(passed >= 3 && passed < 10, "sent " + passed + " before the limit");
            assertError(limited, 429, "runnel.demos.rate");
            assertEquals(200, server.postJson("/notifications", body, TestServer.REMOTE_ADDRESS_HEADER, "198.51.100.10")
                    .getStatus(), "another address");
        }
    }

    @Test
    void aCrossSiteFormPostCannotWriteIntoAUsersTopic() throws Exception {
        try (TestServer server = TestServer.start(with("runnel.jwt.secret", Tokens.SECRET));
                EventRecorder alice = EventRecorder.open(server.client(),
                        server.uri("/events?topic=users/alice/notifications"), null,
                        "Authorization", "Bearer " + Tokens.subscriber("alice", "users/alice/"))) {
            alice.connected();
            ContentResponse forged = server.client().newRequest(server.uri("/notifications")).method(HttpMethod.POST)
                    .headers(h -> h.put("Origin", "https://evil.example"))
                    .body(new StringRequestContent("application/x-www-form-urlencoded", "title=Reset+your+password&user=alice"))
                    .timeout(10, TimeUnit.SECONDS).send();
            assertError(forged, 401, "publishing needs Authorization: Bearer");
            assertError(server.postJson("/notifications", "{\"title\":\"x\",\"user\":\"alice\"}",
                    "Authorization", "Bearer " + Tokens.publisher("feed", "users/bob/")), 403, "users/alice/notifications");
            ContentResponse granted = server.postJson("/notifications", "{\"title\":\"for alice\",\"user\":\"alice\"}",
                    "Authorization", "Bearer " + Tokens.publisher("feed", "users/alice/notifications"));
            assertEquals(200, granted.getStatus(), granted.getContentAsString());
            SseEvent e = alice.next();
            assertTrue(e.data().contains("for alice"), e.data());
            alice.assertNoMoreEvents(Duration.ofMillis(200));
            assertEquals(200, server.postJson("/notifications", "{\"title\":\"everyone\"}").getStatus(),
                    "the broadcast stays open to anyone");
        }
    }

    @Test
    void aDemoTokenMayNotifyItsOwnUserOnly() throws Exception {
        try (TestServer server = TestServer.start(with("runnel.demo.tokens", "true"))) {
            String token = json(server.postJson("/demo/token", "{\"user\":\"alice\"}")).get("token").getAsString();
            assertEquals(200, server.postJson("/notifications", "{\"title\":\"x\",\"user\":\"alice\"}",
                    "Authorization", "Bearer " + token).getStatus());
            assertError(server.postJson("/notifications", "{\"title\":\"x\",\"user\":\"bob\"}",
                    "Authorization", "Bearer " + token), 403, "users/bob/notifications");
        }
    }
}
