package dev.runnel.web;

import static dev.runnel.testing.FakeUpstream.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.FakeUpstream;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A chat answer is written on the node that took its {@code POST}, over the scripted upstream; on the
 * other node of the same real {@code redis-server}, {@code GET /chat/<id>} shows it, its topic and its
 * {@code /v1} resume stream it, and {@code DELETE /chat/<id>} by its owner stops it on its node (the
 * upstream sees its connection close, every reader on both nodes gets {@code done} {@code cancelled}),
 * while another credential is refused there as on the answer's own node. Skipped with the reason when
 * {@code redis-server} is missing (failed under {@code RUNNEL_REQUIRE_ALL=true}).
 */
class ChatAcrossNodesTest {
    private static final String SECRET = "publish-secret-for-chat-tests-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ALICE = "Bearer " + Tokens.hs256(Tokens.claims("alice", 3600).claim("chat", true).build());
    private static final String BOB = "Bearer " + Tokens.hs256(Tokens.claims("bob", 3600).claim("chat", true).build());

    private final List<TestServer> nodes = new ArrayList<>();
    private FakeUpstream fake;
    private TestServer a;
    private TestServer b;

    @BeforeEach
    void start() throws Exception {
        RedisServer redis = RedisServer.shared();
        String prefix = RedisServer.freshPrefix();
        fake = FakeUpstream.start();
        for (int i = 0; i < 2; i++) {
            nodes.add(TestServer.startNode(redis, prefix, "runnel.chat.upstream.url", fake.url().toString(),
                    "runnel.chat.upstream.model", "fake", "runnel.chat.upstream.apiKey", "sk-upstream",
                    "runnel.publish.secret", SECRET, "runnel.jwt.secret", Tokens.SECRET,
                    "runnel.chat.upstream.retries", "0"));
        }
        a = nodes.get(0);
        b = nodes.get(1);
    }

    @AfterEach
    void stop() throws Exception {
        for (TestServer node : nodes) {
            node.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void anAnswerWrittenOnOneNodeIsShownStreamedAndResumedOnTheOther() throws Exception {
        CountDownLatch goOn = new CountDownLatch(1);
        fake.then(script().content("One", " answer").until(goOn).content(" from", " node", " A.").usage(5, 5).done());
        JsonObject asked = ask(a, "Where are you?", ALICE);
        String id = asked.get("id").getAsString();
        String topic = asked.get("topic").getAsString();

        JsonObject[] shown = new JsonObject[1];
        Eventually.await(WAIT, "node B shows the answer running on A with its tokens so far", () -> {
            ContentResponse r = b.send(HttpMethod.GET, "/chat/" + id);
            shown[0] = r.getStatus() == 200 ? json(r) : null;
            return shown[0] != null && shown[0].get("state").getAsString().equals("running")
                    && shown[0].get("tokens").getAsInt() == 2;
        });
        assertEquals(topic, shown[0].get("topic").getAsString());
        assertEquals("fake", shown[0].get("model").getAsString());
        assertEquals("Where are you?", shown[0].get("prompt").getAsString());

        try (EventRecorder onB = b.subscribe(topic)) {
            onB.connected();
            SseEvent first = onB.next(WAIT);
            assertEquals("One", text(first));
            try (EventRecorder resumed = EventRecorder.open(b.client(),
                    b.uri("/v1/chat/completions/" + id + "/stream"), first.id())) {
                assertEquals(200, resumed.status());
                assertEquals(id, resumed.responseHeaders().get("X-Runnel-Answer"));
                goOn.countDown();
                assertEquals("One answer from node A.", "One" + readText(onB));
                StringBuilder rest = new StringBuilder();
                for (SseEvent e = resumed.next(WAIT); !e.data().equals("[DONE]"); e = resumed.next(WAIT)) {
                    JsonObject chunk = JsonParser.parseString(e.data()).getAsJsonObject();
                    if (!chunk.getAsJsonArray("choices").isEmpty()) {
                        JsonObject delta = chunk.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("delta");
                        if (delta.has("content")) {
                            rest.append(delta.get("content").getAsString());
                        }
                    }
                }
                assertEquals(" answer from node A.", rest.toString(), "the /v1 resume on B picks up after the cursor");
                resumed.awaitEnd(WAIT);
                try (EventRecorder atTheEnd = EventRecorder.open(b.client(),
                        b.uri("/v1/chat/completions/" + id + "/stream"), resumed.lastEventId())) {
                    assertEquals(204, atTheEnd.status(), "at the end: 204 on the other node too");
                }
            }
        }
        String onA = a.send(HttpMethod.GET, "/chat/" + id).getContentAsString();
        assertEquals("done", JsonParser.parseString(onA).getAsJsonObject().get("state").getAsString(), onA);
        Eventually.await(WAIT, "node B shows the ended answer exactly as A does", () ->
                b.send(HttpMethod.GET, "/chat/" + id).getContentAsString().equals(onA));
        assertEquals(1, fake.calls().size(), "one upstream call, on A, for every reader on both nodes");
    }

    @Test
    void deleteOnTheOtherNodeAbortsTheUpstreamRequestAndEveryReaderSeesCancelled() throws Exception {
        String[] many = new String[1000]; // 20 s of answer: far longer than the test needs
        Arrays.fill(many, " more");
        fake.then(script().pace(Duration.ofMillis(20)).content(many).done());
        JsonObject asked = ask(a, "Talk", ALICE);
        String id = asked.get("id").getAsString();
        String topic = asked.get("topic").getAsString();
        FakeUpstream.Call call = fake.nextCall(WAIT);
        try (EventRecorder onA = a.subscribe(topic); EventRecorder onB = b.subscribe(topic)) {
            onA.connected();
            onB.connected();
            assertEquals("token", onA.next(WAIT).event());
            assertEquals("token", onB.next(WAIT).event());
            Eventually.await(WAIT, "node B knows the answer", () -> b.send(HttpMethod.GET, "/chat/" + id).getStatus() == 200);

            for (TestServer node : nodes) {
                ContentResponse anonymous = delete(node, id, null);
                assertEquals(401, anonymous.getStatus(), anonymous.getContentAsString());
                ContentResponse bob = delete(node, id, BOB);
                assertEquals(404, bob.getStatus(), "another credential's answer is none of its business, on every node: "
                        + bob.getContentAsString());
                assertEquals("not-found", json(bob).get("error").getAsString());
            }
            assertFalse(call.clientGone(), "nothing refused reached the upstream");

            ContentResponse stop = delete(b, id, ALICE);
            assertEquals(202, stop.getStatus(), stop.getContentAsString());
            assertEquals(id, json(stop).get("id").getAsString());
            assertTrue(call.awaitEnd(WAIT), "the upstream stopped writing");
            assertTrue(call.clientGone(), "A aborted the upstream request: the fake saw its connection close");
            for (EventRecorder reader : List.of(onA, onB)) {
                SseEvent e;
                do {
                    e = reader.next(WAIT);
                } while (e.event().equals("token"));
                assertEquals("done", e.event());
                assertEquals("cancelled", JsonParser.parseString(e.data()).getAsJsonObject().get("finishReason").getAsString());
                assertTrue(reader.nextOrEnd(WAIT) == null, "the answer's end ends the stream");
            }
        }
        assertEquals("cancelled", json(a.send(HttpMethod.GET, "/chat/" + id)).get("state").getAsString());
        Eventually.await(WAIT, "node B shows the answer cancelled", () ->
                json(b.send(HttpMethod.GET, "/chat/" + id)).get("state").getAsString().equals("cancelled"));
        for (TestServer node : nodes) {
            ContentResponse again = delete(node, id, ALICE);
            assertEquals(200, again.getStatus(), "stopped already, the same on every node: " + again.getContentAsString());
            assertEquals("cancelled", json(again).get("state").getAsString());
        }
        assertEquals(1, fake.calls().size());
    }

    @Test
    void anUnknownAnswerIsAJson404OnEveryNode() throws Exception {
        String answer = ask(a, "Something to register", ALICE).get("id").getAsString();
        ContentResponse started = a.postJson("/tasks", "{\"steps\":1000,\"stepMillis\":100}");
        assertEquals(201, started.getStatus(), started.getContentAsString());
        String task = json(started).get("id").getAsString();
        Eventually.await(WAIT, "node B knows the answer and the task", () ->
                b.send(HttpMethod.GET, "/chat/" + answer).getStatus() == 200
                        && b.send(HttpMethod.GET, "/tasks/" + task).getStatus() == 200);
        // Tasks and answers are registered side by side: neither is found as the other.
        for (ContentResponse r : List.of(b.send(HttpMethod.GET, "/chat/" + task), delete(b, task, ALICE),
                b.send(HttpMethod.GET, "/tasks/" + answer), b.send(HttpMethod.DELETE, "/tasks/" + answer))) {
            assertEquals(404, r.getStatus(), r.getContentAsString());
        }
        for (TestServer node : nodes) {
            for (ContentResponse r : List.of(node.send(HttpMethod.GET, "/chat/nosuchanswer0000"),
                    delete(node, "nosuchanswer0000", ALICE), node.send(HttpMethod.GET, "/chat/Not-An-Id"))) {
                assertEquals(404, r.getStatus(), r.getContentAsString());
                assertEquals("not-found", json(r).get("error").getAsString(), r.getContentAsString());
            }
            ContentResponse resume = node.client().newRequest(node.uri("/v1/chat/completions/nosuchanswer0000/stream"))
                    .headers(h -> h.put("Accept", "text/event-stream")).timeout(10, TimeUnit.SECONDS).send();
            assertEquals(404, resume.getStatus(), resume.getContentAsString());
            assertEquals("not_found", json(resume).getAsJsonObject("error").get("code").getAsString());
        }
    }

    private static JsonObject ask(TestServer node, String prompt, String authorization) throws Exception {
        ContentResponse r = node.postJson("/chat", "{\"prompt\":\"" + prompt + "\"}", "Authorization", authorization);
        assertEquals(201, r.getStatus(), r.getContentAsString());
        return json(r);
    }

    private static ContentResponse delete(TestServer node, String id, String authorization) throws Exception {
        Request request = node.client().newRequest(node.uri("/chat/" + id)).method(HttpMethod.DELETE);
        if (authorization != null) {
            request.headers(h -> h.put("Authorization", authorization));
        }
        return request.timeout(10, TimeUnit.SECONDS).send();
    }

    /** The text of an answer's events to its end, which must be {@code done}. */
    private static String readText(EventRecorder stream) {
        StringBuilder text = new StringBuilder();
        SseEvent e;
        for (e = stream.next(WAIT); e.event().equals("token"); e = stream.next(WAIT)) {
            text.append(text(e));
        }
        assertEquals("done", e.event(), e.data());
        return text.toString();
    }

    private static String text(SseEvent token) {
        return JsonParser.parseString(token.data()).getAsJsonObject().get("text").getAsString();
    }

    private static JsonObject json(ContentResponse response) {
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }
}
