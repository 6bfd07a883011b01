package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static dev.runnel.web.PublishEndpointTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.junit.jupiter.api.Test;

class PrivateTopicsTest {

    private static EventRecorder open(TestServer server, String query, String header, String value) {
        return EventRecorder.open(server.client(), server.uri("/events?" + query), null, header, value);
    }

    private static ContentResponse get(TestServer server, String query, String... headers) throws Exception {
        Request request = server.client().newRequest(server.uri("/events?" + query)).timeout(10, TimeUnit.SECONDS);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            String name = headers[i];
            String value = headers[i + 1];
            request.headers(h -> h.put(name, value));
        }
        return request.send();
    }

    static String ticket(TestServer server, String token, String... topics) throws Exception {
        ContentResponse r = server.postJson("/tickets", "{\"topics\":" + new com.google.gson.Gson().toJson(List.of(topics)) + "}",
                "Authorization", "Bearer " + token);
        assertEquals(200, r.getStatus(), r.getContentAsString());
        return json(r).get("ticket").getAsString();
    }

    @Test
    void privateTopicWithoutACredentialIs401AndPublicTopicsNeedNone() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            ContentResponse r = get(server, "topic=users/alice/inbox");
            assertError(r, 401, "topic \"users/alice/inbox\" is private");
            assertTrue(r.getHeaders().get("WWW-Authenticate").startsWith("Bearer"));
            try (EventRecorder open = server.subscribe("news")) {
                assertEquals(200, open.status());
            }
        }
    }

    @Test
    void bearerTokenOpensItsGrantedTopicsAndNoOtherUsersTopic() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            String alice = Tokens.subscriber("alice", "users/alice/");
            try (EventRecorder stream = open(server, "topic=users/alice/inbox&topic=news", "Authorization",
                    "Bearer " + alice)) {
                stream.connected();
                server.publishDirect("users/alice/inbox", "note", "hi alice");
                assertEquals("hi alice", stream.next().data());
            }
            assertError(get(server, "topic=users/bob/inbox", "Authorization", "Bearer " + alice), 403,
                    "\"users/bob/inbox\" is not granted");
            assertError(get(server, "topic=users/alice", "Authorization", "Bearer " + alice), 403, "not granted");
            assertError(get(server, "topic=users/alice/inbox", "Authorization", "Bearer " + alice + "x"), 401,
                    "signature does not verify");
        }
    }

    @Test
    void httpOnlyCookieCarriesTheTokenForSameSitePages() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.auth.cookie", "sid")) {
            String alice = Tokens.subscriber("alice", "users/alice/");
            try (EventRecorder stream = open(server, "topic=users/alice/inbox", "Cookie", "other=1; sid=" + alice)) {
                stream.connected();
                server.publishDirect("users/alice/inbox", null, "via cookie");
                assertEquals("via cookie", stream.next().data());
            }
            assertError(get(server, "topic=users/alice/inbox", "Cookie", "runnel_token=" + alice), 401, "sid cookie");
        }
    }

    @Test
    void ticketOpensExactlyItsTopicsForOneConnection() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            String alice = Tokens.subscriber("alice", "users/alice/");
            ContentResponse issued = server.postJson("/tickets", "{\"topics\":[\"users/alice/inbox\",\"news\"]}",
                    "Authorization", "Bearer " + alice);
            assertEquals(200, issued.getStatus(), issued.getContentAsString());
            JsonObject body = json(issued);
            String ticket = body.get("ticket").getAsString();
            assertEquals(30, body.get("expiresIn").getAsInt());
            assertEquals("[\"users/alice/inbox\",\"news\"]", body.get("topics").toString());
            assertTrue(ticket.matches("[A-Za-z0-9_-]{43}"), ticket);

            try (EventRecorder stream = EventRecorder.open(server.client(),
                    server.uri("/events?topic=users/alice/inbox&ticket=" + ticket), null)) {
                stream.connected();
                server.publishDirect("users/alice/inbox", null, "via ticket");
                assertEquals("via ticket", stream.next().data());
            }
            assertError(get(server, "topic=users/alice/inbox&ticket=" + ticket), 401, "already used");

            String other = ticket(server, alice, "users/alice/inbox");
            assertNotEquals(ticket, other);
            // The token grants users/alice/, but this ticket names only users/alice/inbox.
            assertError(get(server, "topic=users/alice/drafts&ticket=" + other), 403, "not granted to this ticket");
            assertError(get(server, "topic=users/alice/inbox&ticket=" + "A".repeat(43)), 401, "unknown");
        }
    }

    @Test
    void ticketsNeedAValidTokenAndOnlyGrantedTopics() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            String alice = Tokens.subscriber("alice", "users/alice/");
            assertError(server.postJson("/tickets", "{\"topics\":[\"news\"]}"), 401, "a ticket needs a token");
            assertError(server.postJson("/tickets", "{\"topics\":[\"users/bob/inbox\"]}", "Authorization",
                    "Bearer " + alice), 403, "not granted");
            assertError(server.postJson("/tickets", "{\"topics\":\"users/alice/inbox\"}", "Authorization",
                    "Bearer " + alice), 400, "expected: an array");
            assertError(server.postJson("/tickets", "{\"topics\":[]}", "Authorization", "Bearer " + alice), 400,
                    "expected: 1 to");
            assertError(server.postJson("/tickets", "{\"topics\":[\"a\"],\"x\":1}", "Authorization", "Bearer " + alice),
                    400, "unknown field");
            String expired = Tokens.hs256(Tokens.claims("alice", -120).claim("topics", List.of("users/alice/")).build());
            assertError(server.postJson("/tickets", "{\"topics\":[\"news\"]}", "Authorization", "Bearer " + expired), 401,
                    "expired");
        }
    }

    @Test
    void outstandingTicketsAreBounded() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.tickets.max", "2")) {
            String alice = Tokens.subscriber("alice", "users/alice/");
            ticket(server, alice, "news");
            ticket(server, alice, "news");
            ContentResponse full = server.postJson("/tickets", "{\"topics\":[\"news\"]}", "Authorization", "Bearer " + alice);
            assertError(full, 503, "runnel.tickets.max");
            assertEquals("30", full.getHeaders().get("Retry-After"));
        }
    }

    @Test
    void oneSubjectCannotHoardTickets() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            String alice = Tokens.subscriber("alice", "users/alice/");
            String first = ticket(server, alice, "users/alice/inbox");
            for (int i = 1; i < 32; i++) { // runnel.tickets.perSubject
                ticket(server, alice, "news");
            }
            assertError(server.postJson("/tickets", "{\"topics\":[\"news\"]}", "Authorization", "Bearer " + alice), 429,
                    "runnel.tickets.perSubject");
            ticket(server, Tokens.subscriber("bob", "users/bob/"), "news");
            try (EventRecorder stream = EventRecorder.open(server.client(),
                    server.uri("/events?topic=users/alice/inbox&ticket=" + first), null)) {
                stream.connected();
            }
            ticket(server, alice, "news"); // using one frees a place
        }
    }

    @Test
    void aTokenWithoutASubjectIsCappedLikeAnyOtherAndTheCapIsASetting() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.tickets.perSubject", "3")) {
            String anonymous = Tokens.hs256(new com.nimbusds.jwt.JWTClaimsSet.Builder()
                    .expirationTime(new java.util.Date(System.currentTimeMillis() + 600_000))
                    .claim("topics", List.of("users/alice/")).build());
            for (int i = 0; i < 3; i++) {
                ticket(server, anonymous, "news");
            }
            assertError(server.postJson("/tickets", "{\"topics\":[\"news\"]}", "Authorization", "Bearer " + anonymous),
                    429, "runnel.tickets.perSubject");
            String another = Tokens.hs256(new com.nimbusds.jwt.JWTClaimsSet.Builder()
                    .expirationTime(new java.util.Date(System.currentTimeMillis() + 700_000)).build());
            ticket(server, another, "news"); // another token without a subject has a budget of its own
        }
    }

    @Test
    void configuredPrivatePrefixesNeedAGrantToo() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.private", "billing,ops/")) {
            assertError(get(server, "topic=billing"), 401, "private");
            assertError(get(server, "topic=billing/eu"), 401, "private");
            assertError(get(server, "topic=ops/alerts"), 401, "private");
            try (EventRecorder stream = server.subscribe("billingx", "ops")) {
                assertEquals(200, stream.status());
            }
            String ops = Tokens.subscriber("oncall", "ops/");
            try (EventRecorder stream = open(server, "topic=ops/alerts", "Authorization", "Bearer " + ops)) {
                assertEquals(200, stream.status());
            }
        }
    }

    @Test
    void streamEndsWhenItsTokenExpiresAndResumesWithoutLossWithAFreshOne() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.jwt.clockSkew", "0s",
                "runnel.heartbeat", "100ms")) {
            // exp has whole-second precision: this token lapses two to three seconds from now.
            String shortLived = Tokens.hs256(Tokens.claims("alice", 3).claim("topics", List.of("users/alice/")).build());
            EventRecorder first = open(server, "topic=users/alice/inbox", "Authorization", "Bearer " + shortLived);
            first.connected();
            server.publishDirect("users/alice/inbox", null, "1");
            assertEquals("1", first.next().data());
            first.awaitEnd(Duration.ofSeconds(10));
            assertEquals(2, first.retries().size(), "a final retry: before the end");
            assertEquals(1, server.runnel().metrics().deadlines());
            String missed = server.publishDirect("users/alice/inbox", null, "2");
            try (EventRecorder again = EventRecorder.open(server.client(), server.uri("/events?topic=users/alice/inbox"),
                    first.lastEventId(), "Authorization", "Bearer " + Tokens.subscriber("alice", "users/alice/"))) {
                again.connected();
                SseEvent e = again.next();
                assertEquals("2", e.data());
                assertEquals(missed, e.id());
            }
        }
    }

    @Test
    void demoTokenEndpointExistsOnlyWhenEnabled() throws Exception {
        try (TestServer off = TestServer.start()) {
            ContentResponse r = off.postJson("/demo/token", "{\"user\":\"alice\"}");
            // Nothing is mapped there: the container's own 404, or 405 where a default servlet serves files.
            assertTrue(r.getStatus() == 404 || r.getStatus() == 405, String.valueOf(r.getStatus()));
            assertTrue(!r.getContentAsString().contains("\"token\""), r.getContentAsString());
        }
        try (TestServer on = TestServer.start("runnel.demo.tokens", "true")) {
            ContentResponse r = on.postJson("/demo/token", "{\"user\":\"alice\"}");
            assertEquals(200, r.getStatus(), r.getContentAsString());
            String token = json(r).get("token").getAsString();
            assertEquals("[\"users/alice/\"]", json(r).get("topics").toString());
            String ticket = ticket(on, token, "users/alice/inbox");
            try (EventRecorder stream = EventRecorder.open(on.client(),
                    on.uri("/events?topic=users/alice/inbox&ticket=" + ticket), null)) {
                stream.connected();
            }
            assertError(on.postJson("/tickets", "{\"topics\":[\"users/bob/inbox\"]}", "Authorization", "Bearer " + token),
                    403, "not granted");
            assertError(on.postJson("/demo/token", "{\"user\":\"../bob\"}"), 400, "user");
            assertError(on.postJson("/demo/token", "{\"user\":\"a/b\"}"), 400, "user");
        }
    }
}
