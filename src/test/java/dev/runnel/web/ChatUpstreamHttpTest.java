package dev.runnel.web;

import static dev.runnel.testing.FakeUpstream.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.FakeUpstream;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /chat} with an OpenAI-compatible upstream, over real HTTP on both sides: who may spend
 * the upstream, one upstream call per answer whatever the readers do (reloads, resumes, idempotent
 * retries), a stop that reaches the upstream, and failures the readers see typed.
 */
class ChatUpstreamHttpTest {
    private static final String SECRET = "publish-secret-for-chat-tests-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private FakeUpstream fake;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        fake = FakeUpstream.start();
        server = TestServer.start("runnel.chat.upstream.url", fake.url().toString(), "runnel.chat.upstream.model",
                "fake", "runnel.chat.upstream.apiKey", "sk-upstream", "runnel.publish.secret", SECRET,
                "runnel.jwt.secret", Tokens.SECRET, "runnel.chat.upstream.retries", "0");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        fake.close();
    }

    private ContentResponse post(String body, String... headers) throws Exception {
        return server.postJson("/chat", body, headers);
    }

    private JsonObject ask(String prompt, String... extraHeaders) throws Exception {
        String[] headers = new String[extraHeaders.length + 2];
        headers[0] = "Authorization";
        headers[1] = "Bearer " + SECRET;
        System.arraycopy(extraHeaders, 0, headers, 2, extraHeaders.length);
        ContentResponse r = post("{\"prompt\":\"" + prompt + "\"}", headers);
        assertTrue(r.getStatus() == 201 || r.getStatus() == 200, r.getStatus() + " " + r.getContentAsString());
        return JsonParser.parseString(r.getContentAsString()).getAsJsonObject();
    }

    /** Reads an answer's topic to its end; returns the text. */
    private static String read(EventRecorder stream) {
        StringBuilder text = new StringBuilder();
        for (SseEvent e = stream.next(); !e.event().equals("done") && !e.event().equals("failed"); e = stream.next()) {
            text.append(JsonParser.parseString(e.data()).getAsJsonObject().get("text").getAsString());
        }
        return text.toString();
    }

    @Test
    void startingAnAnswerNeedsTheSecretOrATokenWithTheChatClaim() throws Exception {
        ContentResponse none = post("{\"prompt\":\"hi\"}");
        assertEquals(401, none.getStatus(), none.getContentAsString());
        assertTrue(none.getContentAsString().contains("chat"), none.getContentAsString());
        ContentResponse noClaim = post("{\"prompt\":\"hi\"}", "Authorization", "Bearer " + Tokens.publisher("bob", "news"));
        assertEquals(403, noClaim.getStatus(), noClaim.getContentAsString());
        ContentResponse withClaim = post("{\"prompt\":\"hi\"}", "Authorization",
                "Bearer " + Tokens.hs256(Tokens.claims("alice", 600).claim("chat", true).build()));
        assertEquals(201, withClaim.getStatus(), withClaim.getContentAsString());
        fake.nextCall(WAIT);
        assertEquals(1, fake.calls().size(), "only the credentialed request reached the upstream");
        assertEquals("Bearer sk-upstream", fake.calls().get(0).authorization);
    }

    @Test
    void readersThatReloadAndResumeShareOneUpstreamCall() throws Exception {
        fake.then(script().pace(Duration.ofMillis(30)).content("One", " answer", ",", " read", " three", " ways", ".")
                .usage(5, 7).done());
        String topic = ask("Read me").get("topic").getAsString();
        String whole;
        String resumedText;
        try (EventRecorder first = server.subscribe(topic); EventRecorder cut = server.subscribe(topic)) {
            first.connected();
            cut.connected();
            SseEvent token = cut.next();
            String before = JsonParser.parseString(token.data()).getAsJsonObject().get("text").getAsString();
            cut.abort(); // a reload
            try (EventRecorder resumed = server.resume(token.id(), topic)) {
                resumed.connected();
                resumedText = before + read(resumed);
            }
            whole = read(first);
        }
        assertEquals("One answer, read three ways.", whole);
        assertEquals(whole, resumedText);
        try (EventRecorder late = server.subscribe(topic)) { // a reader after the end gets the whole answer
            late.connected();
            assertEquals(whole, read(late));
        }
        assertEquals(1, fake.calls().size(), "one generation for every reader");
    }

    @Test
    void theSameIdempotencyKeyStartsNoSecondGeneration() throws Exception {
        JsonObject first = ask("Once only", "Idempotency-Key", "retry-1");
        ContentResponse again = post("{\"prompt\":\"Once only\"}", "Authorization", "Bearer " + SECRET,
                "Idempotency-Key", "retry-1");
        assertEquals(200, again.getStatus(), again.getContentAsString());
        assertEquals("true", again.getHeaders().get("Idempotent-Replayed"));
        assertEquals(first.get("id").getAsString(),
                JsonParser.parseString(again.getContentAsString()).getAsJsonObject().get("id").getAsString());
        ContentResponse other = post("{\"prompt\":\"Another question\"}", "Authorization", "Bearer " + SECRET,
                "Idempotency-Key", "retry-1");
        assertEquals(409, other.getStatus(), other.getContentAsString());
        fake.nextCall(WAIT);
        assertEquals(1, fake.calls().size());
    }

    @Test
    void deleteAbortsTheUpstreamRequestAndABrowserThatLeavesDoesNot() throws Exception {
        String[] many = new String[300];
        java.util.Arrays.fill(many, " more");
        fake.then(script().pace(Duration.ofMillis(20)).content(many).done());
        JsonObject answer = ask("Talk");
        String id = answer.get("id").getAsString();
        FakeUpstream.Call call = fake.nextCall(WAIT);
        try (EventRecorder stream = server.subscribe(answer.get("topic").getAsString())) {
            stream.connected();
            stream.next();
            stream.abort(); // the reader leaves: the answer goes on
        }
        assertTrue(!call.awaitEnd(Duration.ofMillis(300)), "the upstream keeps writing for the answer");
        ContentResponse anonymousStop = server.send(HttpMethod.DELETE, "/chat/" + id);
        assertEquals(401, anonymousStop.getStatus());
        long beforeStop = System.nanoTime();
        assertTrue(!call.clientGone(), "the reader leaving closed nothing upstream");
        ContentResponse stop = server.client().newRequest(server.uri("/chat/" + id)).method(HttpMethod.DELETE)
                .headers(h -> h.put("Authorization", "Bearer " + SECRET)).timeout(10, TimeUnit.SECONDS).send();
        assertEquals(200, stop.getStatus(), stop.getContentAsString());
        assertTrue(call.awaitEnd(WAIT), "the upstream stopped writing");
        assertTrue(call.clientGone(), "the upstream saw its connection close");
        assertTrue(call.clientGoneNanos() - beforeStop > 0, "after the DELETE, not when the reader left");
        try (EventRecorder stream = server.subscribe(answer.get("topic").getAsString())) {
            stream.connected();
            SseEvent e;
            do {
                e = stream.next();
            } while (e.event().equals("token"));
            assertEquals("done", e.event());
            JsonObject done = JsonParser.parseString(e.data()).getAsJsonObject();
            assertEquals("cancelled", done.get("finishReason").getAsString());
            assertTrue(done.getAsJsonObject("usage").get("completionTokens").getAsInt() >= 1, done.toString());
        }
    }

    @Test
    void anUpstreamRefusalEndsTheAnswerWithATypedFailure() throws Exception {
        fake.then(script().status(429, "Rate limit reached").header("retry-after", "7"));
        JsonObject answer = ask("Too many");
        try (EventRecorder stream = server.subscribe(answer.get("topic").getAsString())) {
            stream.connected();
            SseEvent failed = stream.next();
            assertEquals("failed", failed.event());
            JsonObject data = JsonParser.parseString(failed.data()).getAsJsonObject();
            assertEquals("rate-limited", data.get("reason").getAsString());
            assertEquals(7, data.get("retryAfter").getAsInt());
            stream.awaitEnd(EventRecorder.TIMEOUT);
        }
        ContentResponse state = server.send(HttpMethod.GET, "/chat/" + answer.get("id").getAsString());
        JsonObject json = JsonParser.parseString(state.getContentAsString()).getAsJsonObject();
        assertEquals("failed", json.get("state").getAsString());
        assertEquals("rate-limited", json.getAsJsonObject("failure").get("reason").getAsString());
    }
}
