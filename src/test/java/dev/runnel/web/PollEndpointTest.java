package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.Test;

/** {@code /poll}: answering at once, waiting without a thread, timeouts, bounds, bad input, shutdown. */
class PollEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ContentResponse get(TestServer server, String query) throws Exception {
        return server.client().newRequest(server.uri("/poll?" + query)).timeout(30, TimeUnit.SECONDS).send();
    }

    private static CompletableFuture<ContentResponse> getAsync(TestServer server, String query) {
        return new CompletableResponseListener(server.client().newRequest(server.uri("/poll?" + query))
                .timeout(30, TimeUnit.SECONDS)).send();
    }

    private static JsonObject json(ContentResponse r) {
        assertTrue(r.getMediaType().startsWith("application/json"), r.getMediaType());
        return JsonParser.parseString(r.getContentAsString()).getAsJsonObject();
    }

    private static void awaitWaiting(TestServer server, int n) {
        server.api().awaitStats("pollsWaiting == " + n, s -> s.get("pollsWaiting").getAsInt() == n, WAIT);
    }

    @Test
    void aWaitingPollIsAnsweredByTheNextEventOfItsTopics() throws Exception {
        try (TestServer server = TestServer.start()) {
            JsonObject first = json(get(server, "topic=news&timeout=0"));
            assertEquals(0, first.getAsJsonArray("events").size());
            String cursor = first.get("cursor").getAsString();

            CompletableFuture<ContentResponse> waiting = getAsync(server, "topic=news&timeout=20s&cursor=" + cursor);
            awaitWaiting(server, 1);
            server.publishDirect("other", null, "not for it");
            assertFalse(waiting.isDone());
            String id = server.publishDirect("news", "headline", "for it");
            JsonObject answer = json(waiting.get(10, TimeUnit.SECONDS));
            assertEquals(1, answer.getAsJsonArray("events").size());
            JsonObject event = answer.getAsJsonArray("events").get(0).getAsJsonObject();
            assertEquals("news", event.get("topic").getAsString());
            assertEquals("headline", event.get("event").getAsString());
            assertEquals(id, event.get("id").getAsString());
            assertEquals("for it", event.get("data").getAsString());
            assertEquals(server.runnel().hub().headId(), answer.get("cursor").getAsString());
            awaitWaiting(server, 0);
            assertEquals(0, server.runnel().limits().open(), "the answered poll gave its permit back");
        }
    }

    @Test
    void aPollWithNothingNewAnswersAtItsTimeoutWithItsCursor() throws Exception {
        try (TestServer server = TestServer.start()) {
            String cursor = server.publishDirect("news", null, "old");
            JsonObject answer = json(get(server, "topic=news&timeout=200ms&cursor=" + cursor));
            assertEquals(0, answer.getAsJsonArray("events").size());
            assertEquals(cursor, answer.get("cursor").getAsString());
            assertFalse(answer.has("reset"));
            assertFalse(answer.has("ended"));
        }
    }

    @Test
    void manyWaitingPollsHoldNoContainerThread() throws Exception {
        try (TestServer server = TestServer.start("runnel.streams.perAddress", "0")) {
            int polls = 300; // more than Jetty's 200 threads: each held one, the last would never be taken
            List<CompletableFuture<ContentResponse>> waiting = new java.util.ArrayList<>();
            String cursor = server.runnel().hub().headId();
            for (int i = 0; i < polls; i++) {
                waiting.add(getAsync(server, "topic=crowd&timeout=30s&cursor=" + cursor));
            }
            awaitWaiting(server, polls);
            server.publishDirect("crowd", null, "everyone");
            for (CompletableFuture<ContentResponse> w : waiting) {
                assertEquals("everyone", json(w.get(20, TimeUnit.SECONDS)).getAsJsonArray("events").get(0)
                        .getAsJsonObject().get("data").getAsString());
            }
        }
    }

    @Test
    void oneAnswerCarriesAboutTheQueueBoundAndSaysThereIsMore() throws Exception {
        try (TestServer server = TestServer.start("runnel.stream.queueBytes", "1KiB")) {
            String from = server.publishDirect("bulk", null, "start");
            for (int i = 0; i < 10; i++) {
                server.publishDirect("bulk", null, "e" + i + "-" + "x".repeat(300));
            }
            JsonObject part = json(get(server, "topic=bulk&cursor=" + from));
            int n = part.getAsJsonArray("events").size();
            assertTrue(n >= 1 && n < 10, "cut at the bound: " + n);
            assertTrue(part.get("more").getAsBoolean());
            String next = part.get("cursor").getAsString();
            assertEquals(part.getAsJsonArray("events").get(n - 1).getAsJsonObject().get("id").getAsString(), next);
            int total = n;
            while (part.has("more")) {
                part = json(get(server, "topic=bulk&cursor=" + part.get("cursor").getAsString()));
                total += part.getAsJsonArray("events").size();
            }
            assertEquals(10, total, "nothing lost across the parts");
        }
    }

    @Test
    void badInputIsAJson400AndTakesNothing() throws Exception {
        try (TestServer server = TestServer.start("runnel.poll.maxTimeout", "30s")) {
            for (String query : List.of("", "topic=a//b", "topic=news&timeout=soon", "topic=news&timeout=31s",
                    "topic=news&since=1", "topic=news&cursor=a&cursor=b", "topic=news&cursor=%01x")) {
                ContentResponse r = get(server, query);
                assertEquals(400, r.getStatus(), query + ": " + r.getContentAsString());
                assertEquals("bad-request", json(r).get("error").getAsString(), query);
            }
            assertEquals(0, server.runnel().limits().open());
        }
    }

    @Test
    void aPrivateTopicTakesAToken() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            assertEquals(401, get(server, "topic=users/alice/inbox&timeout=0").getStatus());
            String token = Tokens.subscriber("alice", "users/alice/");
            String ticket = PrivateTopicsTest.ticket(server, token, "users/alice/inbox");
            assertEquals(200, get(server, "topic=users/alice/inbox&timeout=0&ticket=" + ticket).getStatus());
            assertEquals(401, get(server, "topic=users/alice/inbox&timeout=0&ticket=" + ticket).getStatus(),
                    "a ticket opens one poll");
            ContentResponse bearer = server.client().newRequest(server.uri("/poll?topic=users/alice/inbox&timeout=0"))
                    .headers(h -> h.put("Authorization", "Bearer " + token)).timeout(10, TimeUnit.SECONDS).send();
            assertEquals(200, bearer.getStatus());
        }
    }

    @Test
    void shutdownAnswersTheWaitingPolls() throws Exception {
        try (TestServer server = TestServer.start()) {
            String cursor = server.runnel().hub().headId();
            CompletableFuture<ContentResponse> waiting = getAsync(server, "topic=news&timeout=20s&cursor=" + cursor);
            awaitWaiting(server, 1);
            server.undeploy();
            ContentResponse answer = waiting.get(10, TimeUnit.SECONDS);
            assertEquals(200, answer.getStatus(), answer.getContentAsString());
            assertEquals(cursor, json(answer).get("cursor").getAsString(), "nothing came: the same cursor again");
        }
    }
}
