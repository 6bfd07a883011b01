package dev.runnel.feed;

import static dev.runnel.feed.StockFeedHttpTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.stream.EventStream;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.util.List;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatFeedHttpTest {
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("runnel.chat.tokensPerSecond", "500", "runnel.chat.maxRunning", "2");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    /** What one reader saw of an answer. */
    private record Reading(String text, int tokens, String finishReason) {}

    @Test
    void answerStreamsNumberedTokensThenDoneAndTheReconnectGets204() throws Exception {
        JsonObject answer = ask("{\"prompt\":\"Tell me about the river\"}");
        String topic = answer.get("topic").getAsString();
        assertEquals("chat/" + answer.get("id").getAsString(), topic);
        assertTrue(answer.get("conversation").getAsString().matches("[a-z0-9]{16}"));
        try (EventRecorder stream = server.subscribe(topic)) {
            stream.connected();
            Reading reading = read(stream, 0);
            assertTrue(reading.tokens() > 20, "a real answer: " + reading);
            assertTrue(List.of("stop", "length").contains(reading.finishReason()), reading.finishReason());
            assertTrue(Character.isUpperCase(reading.text().strip().charAt(0)), reading.text());
            if (reading.finishReason().equals("stop")) {
                assertTrue(reading.text().strip().matches("(?s).*[.!?]"), "whole sentences: " + reading.text());
            }
            stream.awaitEnd(EventRecorder.TIMEOUT);
            try (EventRecorder again = server.resume(stream.lastEventId(), topic)) {
                assertEquals(204, again.status());
            }
        }
        JsonObject state = get("/chat/" + answer.get("id").getAsString());
        assertEquals("done", state.get("state").getAsString());
    }

    @Test
    void readerCutOffByTheServerResumesToTheSameTextAsAnUninterruptedReader() throws Exception {
        server.close();
        server = TestServer.start("runnel.chat.tokensPerSecond", "100");
        String topic = ask("{\"prompt\":\"How do streams keep their order?\"}").get("topic").getAsString();
        try (EventRecorder whole = server.subscribe(topic); EventRecorder cut = server.subscribe(topic)) {
            whole.connected();
            String connection = json(cut.connected()).get("connection").getAsString();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                SseEvent e = cut.next();
                assertEquals("token", e.event());
                assertEquals(i, json(e).get("index").getAsInt());
                text.append(json(e).get("text").getAsString());
            }
            for (EventStream s : server.runnel().streams().snapshot()) {
                if (s.id().equals(connection)) {
                    s.close("test: the server drops this reader mid-answer");
                }
            }
            cut.awaitEnd(EventRecorder.TIMEOUT);
            int received = 10;
            for (SseEvent e : cut.drainReceived()) { // frames that were already on their way
                assertEquals(received++, json(e).get("index").getAsInt());
                text.append(json(e).get("text").getAsString());
            }
            try (EventRecorder resumed = server.resume(cut.lastEventId(), topic)) {
                resumed.connected();
                Reading rest = read(resumed, received);
                text.append(rest.text());
                Reading uninterrupted = read(whole, 0);
                assertEquals(uninterrupted.text(), text.toString());
                assertEquals(uninterrupted.tokens(), rest.tokens());
            }
        }
    }

    @Test
    void deleteStopsTheAnswerWithFinishReasonCancelled() throws Exception {
        server.close();
        server = TestServer.start("runnel.chat.tokensPerSecond", "20");
        JsonObject answer = ask("{\"prompt\":\"A long story, please\"}");
        String id = answer.get("id").getAsString();
        try (EventRecorder stream = server.subscribe("chat/" + id)) {
            stream.connected();
            assertEquals("token", stream.next().event());
            ContentResponse stop = server.send(HttpMethod.DELETE, "/chat/" + id);
            assertEquals(200, stop.getStatus(), stop.getContentAsString());
            SseEvent e;
            do {
                e = stream.next();
            } while (e.event().equals("token"));
            assertEquals("done", e.event());
            assertEquals("cancelled", json(e).get("finishReason").getAsString());
            stream.awaitEnd(EventRecorder.TIMEOUT);
        }
        assertEquals("cancelled", get("/chat/" + id).get("state").getAsString());
    }

    @Test
    void conversationIdIsIssuedAndKeptAcrossQuestions() throws Exception {
        JsonObject first = ask("{\"prompt\":\"Hello\"}");
        String conversation = first.get("conversation").getAsString();
        server.send(HttpMethod.DELETE, "/chat/" + first.get("id").getAsString());
        JsonObject second = ask("{\"prompt\":\"And then?\",\"conversation\":\"" + conversation + "\"}");
        assertEquals(conversation, second.get("conversation").getAsString());
        server.send(HttpMethod.DELETE, "/chat/" + second.get("id").getAsString());
        assertStatus(404, "{\"prompt\":\"hi\",\"conversation\":\"conv-1\"}", "no conversation");
    }

    @Test
    void badPromptsAndTooManyAnswersAreRefused() throws Exception {
        assertStatus(400, "{}", "prompt: missing");
        assertStatus(400, "{\"prompt\":\"   \"}", "prompt: missing");
        assertStatus(413, "{\"prompt\":\"" + "x".repeat(16385) + "\"}", "prompt: 16385 bytes");
        assertStatus(404, "{\"prompt\":\"hi\",\"conversation\":\"a b\"}", "no conversation");
        assertStatus(400, "{\"prompt\":42}", "prompt: a JSON number (expected: a string)");
        server.close();
        server = TestServer.start("runnel.chat.tokensPerSecond", "1", "runnel.chat.maxRunning", "1");
        String id = ask("{\"prompt\":\"one\"}").get("id").getAsString();
        ContentResponse second = server.postJson("/chat", "{\"prompt\":\"two\"}");
        assertEquals(429, second.getStatus());
        assertTrue(Long.parseLong(second.getHeaders().get("Retry-After")) >= 1);
        server.send(HttpMethod.DELETE, "/chat/" + id);
        assertEquals(404, server.send(HttpMethod.DELETE, "/chat/unknown").getStatus());
    }

    /** Reads token events (the first must have index {@code from}) up to and including {@code done}. */
    private static Reading read(EventRecorder stream, int from) {
        StringBuilder text = new StringBuilder();
        int index = from;
        for (;;) {
            SseEvent e = stream.next();
            JsonObject data = json(e);
            if (e.event().equals("done")) {
                assertEquals(index, data.get("tokens").getAsInt(), "done counts every token");
                return new Reading(text.toString(), data.get("tokens").getAsInt(),
                        data.get("finishReason").getAsString());
            }
            assertEquals("token", e.event());
            assertEquals(index++, data.get("index").getAsInt(), "tokens arrive once each, in order");
            text.append(data.get("text").getAsString());
        }
    }

    private void assertStatus(int status, String body, String detail) throws Exception {
        ContentResponse response = server.postJson("/chat", body);
        assertEquals(status, response.getStatus(), body);
        assertTrue(response.getContentAsString().contains(detail), response.getContentAsString());
    }

    private JsonObject ask(String body) throws Exception {
        ContentResponse response = server.postJson("/chat", body);
        assertEquals(201, response.getStatus(), response.getContentAsString());
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }

    private JsonObject get(String path) throws Exception {
        ContentResponse response = server.send(HttpMethod.GET, path);
        assertEquals(200, response.getStatus(), response.getContentAsString());
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }
}
