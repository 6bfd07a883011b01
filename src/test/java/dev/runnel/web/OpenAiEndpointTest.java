package dev.runnel.web;

import static dev.runnel.testing.FakeUpstream.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.protocol.SseParser;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.FakeUpstream;
import dev.runnel.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runnel's {@code /v1/chat/completions} on the wire: chunks with {@code id:} lines and no
 * {@code event:} line, the usage chunk when asked for, {@code [DONE]}; an upstream refusal before the
 * first token as a real status; a failure after it inside the stream; resume without a second
 * upstream call; the non-streaming completion; {@code /v1/models}.
 */
class OpenAiEndpointTest {
    private static final String SECRET = "publish-secret-for-openai-tests-0123456789";
    private FakeUpstream fake;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        fake = FakeUpstream.start();
        server = TestServer.start("runnel.chat.upstream.url", fake.url().toString(), "runnel.chat.upstream.model",
                "fake-model", "runnel.publish.secret", SECRET, "runnel.chat.upstream.retries", "0");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        fake.close();
    }

    /** A streamed response: its head, its raw bytes and the events the strict parser found. */
    private record Streamed(Response response, String raw, List<SseEvent> events) {
        List<String> data() {
            return events.stream().map(SseEvent::data).toList();
        }

        JsonObject chunk(int i) {
            return JsonParser.parseString(events.get(i).data()).getAsJsonObject();
        }
    }

    private Streamed post(String body, String... headers) throws Exception {
        return read(server.client().newRequest(server.uri("/v1/chat/completions")).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8)), headers);
    }

    private Streamed read(Request request, String... headers) throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        List<SseEvent> events = new CopyOnWriteArrayList<>();
        SseParser parser = new SseParser(events::add);
        CompletableFuture<Response> done = new CompletableFuture<>();
        request.headers(h -> {
            h.put("Authorization", "Bearer " + SECRET);
            for (int i = 0; i + 1 < headers.length; i += 2) {
                h.put(headers[i], headers[i + 1]);
            }
        }).onResponseContent((r, content) -> {
            byte[] bytes = new byte[content.remaining()];
            content.get(bytes);
            synchronized (raw) {
                raw.writeBytes(bytes);
            }
            parser.feed(bytes);
        }).timeout(20, TimeUnit.SECONDS).send(result -> done.complete(result.getResponse()));
        Response response = done.get(30, TimeUnit.SECONDS);
        return new Streamed(response, raw.toString(StandardCharsets.UTF_8), events);
    }

    private static String streaming(boolean usage) {
        return "{\"model\":\"fake-model\",\"stream\":true" + (usage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    }

    @Test
    void aStreamedAnswerIsOpenAiChunksWithIdsThenUsageThenDone() throws Exception {
        fake.then(script().content("Hi", " there").usage(3, 2).done());
        Streamed s = post(streaming(true));
        assertEquals(200, s.response().getStatus());
        assertTrue(s.response().getHeaders().get("Content-Type").startsWith("text/event-stream"));
        String answer = s.response().getHeaders().get("X-Runnel-Answer");
        assertNotNull(answer, "the answer's id from the first byte");
        assertFalse(s.raw().contains("event:"), "OpenAI clients expect no event lines:\n" + s.raw());
        assertEquals(5, s.events().size(), s.raw());
        JsonObject first = s.chunk(0);
        assertEquals("chatcmpl-" + answer, first.get("id").getAsString());
        assertEquals("chat.completion.chunk", first.get("object").getAsString());
        assertEquals("fake-model", first.get("model").getAsString());
        JsonObject delta = first.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("delta");
        assertEquals("assistant", delta.get("role").getAsString());
        assertEquals("Hi", delta.get("content").getAsString());
        assertEquals(" there", s.chunk(1).getAsJsonArray("choices").get(0).getAsJsonObject()
                .getAsJsonObject("delta").get("content").getAsString(), "leading spaces intact");
        assertEquals("stop", s.chunk(2).getAsJsonArray("choices").get(0).getAsJsonObject().get("finish_reason")
                .getAsString());
        assertEquals(5, s.chunk(3).getAsJsonObject("usage").get("total_tokens").getAsInt());
        assertEquals(0, s.chunk(3).getAsJsonArray("choices").size());
        assertEquals("[DONE]", s.events().get(4).data());
        for (int i = 0; i < 3; i++) {
            assertFalse(s.events().get(i).id().isEmpty(), "every chunk carries an id: " + s.raw());
        }

        Streamed plain = post(streaming(false));
        assertEquals("[DONE]", plain.events().get(plain.events().size() - 1).data());
        assertFalse(plain.raw().contains("\"usage\""), "no usage chunk unless asked for:\n" + plain.raw());
    }

    @Test
    void anUpstreamRateLimitBeforeTheFirstTokenIsA429WithRetryAfter() throws Exception {
        fake.then(script().status(429, "Rate limit reached for requests").header("retry-after", "12"));
        Streamed s = post(streaming(true));
        assertEquals(429, s.response().getStatus(), s.raw());
        assertEquals("12", s.response().getHeaders().get("Retry-After"));
        JsonObject error = JsonParser.parseString(s.raw()).getAsJsonObject().getAsJsonObject("error");
        assertEquals("rate_limit_error", error.get("type").getAsString());
        assertTrue(error.get("message").getAsString().contains("Rate limit reached"), error.toString());
        assertTrue(error.has("code") && error.has("param"), error.toString());
    }

    @Test
    void aFailureAfterTheFirstTokenIsAnErrorChunkThenDone() throws Exception {
        fake.then(script().content("Partial").drop());
        Streamed s = post(streaming(true));
        assertEquals(200, s.response().getStatus());
        assertEquals(3, s.events().size(), s.raw());
        JsonObject error = s.chunk(1).getAsJsonObject("error");
        assertEquals("upstream-error", error.get("code").getAsString());
        assertEquals("[DONE]", s.events().get(2).data());
    }

    @Test
    void aClientThatLostTheStreamResumesTheSameAnswerWithoutANewUpstreamCall() throws Exception {
        fake.then(script().content("A", "B", "C", "D").usage(1, 4).done());
        Streamed whole = post(streaming(false));
        String answer = whole.response().getHeaders().get("X-Runnel-Answer");
        String afterSecond = whole.events().get(1).id();
        try (EventRecorder resumed = EventRecorder.open(server.client(),
                server.uri("/v1/chat/completions/" + answer + "/stream"), afterSecond)) {
            assertEquals(200, resumed.status());
            List<String> rest = resumed.next(5).stream().map(SseEvent::data).toList();
            assertTrue(rest.get(0).contains("\"content\":\"C\""), rest.get(0));
            assertTrue(rest.get(1).contains("\"content\":\"D\""), rest.get(1));
            assertTrue(rest.get(2).contains("\"finish_reason\":\"stop\""), rest.get(2));
            assertTrue(rest.get(3).contains("\"usage\""), "a resume includes the usage: " + rest.get(3));
            assertEquals("[DONE]", rest.get(4));
            resumed.awaitEnd(EventRecorder.TIMEOUT);
            try (EventRecorder again = EventRecorder.open(server.client(),
                    server.uri("/v1/chat/completions/" + answer + "/stream"), resumed.lastEventId())) {
                assertEquals(204, again.status(), "at the end: 204, EventSource stops");
            }
        }
        assertEquals(1, fake.calls().size());
    }

    @Test
    void aResumedStreamOfARunningAnswerGetsItsHeadersBeforeItsNextToken() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        fake.then(script().content("A").until(paused).content("B").usage(1, 2).done());
        CompletableFuture<String> answer = new CompletableFuture<>();
        CompletableFuture<String> firstId = new CompletableFuture<>();
        SseParser parser = new SseParser(e -> firstId.complete(e.id()));
        server.client().newRequest(server.uri("/v1/chat/completions")).method(HttpMethod.POST)
                .headers(h -> h.put("Authorization", "Bearer " + SECRET))
                .body(new StringRequestContent("application/json", streaming(false), StandardCharsets.UTF_8))
                .onResponseHeaders(r -> answer.complete(r.getHeaders().get("X-Runnel-Answer")))
                .onResponseContent((r, content) -> parser.feed(content))
                .send(result -> { });
        String id = answer.get(20, TimeUnit.SECONDS);
        String afterA = firstId.get(20, TimeUnit.SECONDS);

        try (EventRecorder resumed = EventRecorder.open(server.client(),
                server.uri("/v1/chat/completions/" + id + "/stream"), afterA)) {
            // The upstream is paused after "A": nothing is queued for this stream, yet its head arrives.
            assertEquals(200, resumed.status());
            assertEquals(id, resumed.responseHeaders().get("X-Runnel-Answer"));
            paused.countDown();
            assertTrue(resumed.next().data().contains("\"content\":\"B\""));
        }
    }

    @Test
    void theSameIdempotencyKeyStreamsTheSameAnswerFromTheStart() throws Exception {
        fake.then(script().content("Only", " once").done());
        Streamed first = post(streaming(false), "Idempotency-Key", "k-42");
        Streamed again = post(streaming(false), "Idempotency-Key", "k-42");
        assertEquals(first.response().getHeaders().get("X-Runnel-Answer"),
                again.response().getHeaders().get("X-Runnel-Answer"));
        assertEquals(first.data(), again.data());
        assertEquals(1, fake.calls().size());
    }

    @Test
    void withoutStreamTheAnswerIsOneChatCompletion() throws Exception {
        fake.then(script().reasoning("Think").content("Forty", "-two").usage(4, 2).done());
        ContentResponse r = server.client().newRequest(server.uri("/v1/chat/completions")).method(HttpMethod.POST)
                .headers(h -> h.put("Authorization", "Bearer " + SECRET))
                .body(new StringRequestContent("application/json",
                        "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Answer?\"}]}",
                        StandardCharsets.UTF_8)).timeout(20, TimeUnit.SECONDS).send();
        assertEquals(200, r.getStatus(), r.getContentAsString());
        JsonObject c = JsonParser.parseString(r.getContentAsString()).getAsJsonObject();
        assertEquals("chat.completion", c.get("object").getAsString());
        JsonObject message = c.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("message");
        assertEquals("Forty-two", message.get("content").getAsString());
        assertEquals("Think", message.get("reasoning_content").getAsString());
        assertEquals(6, c.getAsJsonObject("usage").get("total_tokens").getAsInt());
    }

    @Test
    void badRequestsAreOpenAiErrors() throws Exception {
        ContentResponse noKey = server.client().newRequest(server.uri("/v1/chat/completions")).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", streaming(true), StandardCharsets.UTF_8)).send();
        assertEquals(401, noKey.getStatus());
        assertEquals("authentication_error", JsonParser.parseString(noKey.getContentAsString()).getAsJsonObject()
                .getAsJsonObject("error").get("type").getAsString());
        Streamed wrongModel = post("{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(404, wrongModel.response().getStatus(), wrongModel.raw());
        Streamed noMessages = post("{\"model\":\"fake-model\",\"messages\":[]}");
        assertEquals(400, noMessages.response().getStatus(), noMessages.raw());
        assertEquals("messages", JsonParser.parseString(noMessages.raw()).getAsJsonObject().getAsJsonObject("error")
                .get("param").getAsString());
        assertEquals(0, fake.calls().size());
    }

    @Test
    void modelsListsTheOneModel() throws Exception {
        ContentResponse r = server.send(HttpMethod.GET, "/v1/models");
        assertEquals(200, r.getStatus());
        JsonObject list = JsonParser.parseString(r.getContentAsString()).getAsJsonObject();
        assertEquals("fake-model", list.getAsJsonArray("data").get(0).getAsJsonObject().get("id").getAsString());
        assertNull(r.getHeaders().get("Set-Cookie"));
    }
}
