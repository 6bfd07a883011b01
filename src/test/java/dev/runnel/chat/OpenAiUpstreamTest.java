package dev.runnel.chat;

import static dev.runnel.chat.GatewayRig.json;
import static dev.runnel.testing.FakeUpstream.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.runnel.chat.GatewayRig.Reader;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.FakeUpstream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream client against the scripted fake OpenAI server, over real HTTP: what becomes of each
 * kind of chunk, which failures are retried before the first token and which end the answer, and
 * that a stop closes the upstream connection.
 */
class OpenAiUpstreamTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private FakeUpstream fake;
    private GatewayRig rig;

    @BeforeEach
    void start() throws Exception {
        fake = FakeUpstream.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
        fake.close();
    }

    private void gateway(Duration firstToken, Duration idle, int retries) {
        UpstreamConfig config = new UpstreamConfig(fake.url(), "fake-model", "sk-test", Duration.ofSeconds(5), firstToken,
                idle, Duration.ofSeconds(30), 4, retries, Duration.ofSeconds(5));
        rig = new GatewayRig(scheduler -> OpenAiUpstream.start(config, scheduler),
                GatewayRig.limits(8, Duration.ZERO, Duration.ZERO), new ChatGateway.Budget(0, 0));
    }

    private void gateway() {
        gateway(Duration.ofSeconds(10), Duration.ofSeconds(10), 2);
    }

    private List<SseEvent> ask(String prompt) {
        AnswerView answer = rig.gateway.ask("secret", Question.of(prompt, null));
        return rig.read(answer.id()).toEnd();
    }

    @Test
    void pacedTokensKeepTheirLeadingSpacesAndDoneCarriesTheUsage() throws Exception {
        gateway();
        fake.then(script().pace(Duration.ofMillis(20)).content("Hello", " world", ",", "  twice").usage(7, 4).done());
        List<SseEvent> events = ask("Say hello");
        assertEquals("Hello world,  twice", Reader.text(events));
        SseEvent done = Reader.last(events);
        assertEquals("done", done.event());
        assertEquals("stop", json(done).get("finishReason").getAsString());
        assertEquals(4, json(done).get("tokens").getAsInt());
        JsonObject usage = json(done).getAsJsonObject("usage");
        assertEquals(7, usage.get("promptTokens").getAsInt());
        assertEquals(4, usage.get("completionTokens").getAsInt());
        assertEquals(11, usage.get("totalTokens").getAsInt());

        FakeUpstream.Call call = fake.calls().get(0);
        assertEquals("Bearer sk-test", call.authorization);
        assertEquals("fake-model", call.body.get("model").getAsString());
        assertTrue(call.body.get("stream").getAsBoolean());
        assertTrue(call.body.getAsJsonObject("stream_options").get("include_usage").getAsBoolean());
        assertEquals("Say hello", call.body.getAsJsonArray("messages").get(0).getAsJsonObject().get("content")
                .getAsString());
    }

    @Test
    void reasoningIsItsOwnEventAndAToolCallIsPublishedWhole() {
        gateway();
        fake.then(script().reasoning("The user", " wants weather.").content("Checking.")
                .toolCall(0, "call_1", "weather", "{\"city\":\"Oslo\"}").finish("tool_calls").done());
        List<SseEvent> events = ask("Weather in Oslo?");
        assertEquals(List.of("reasoning", "reasoning", "token", "tool_call", "done"),
                events.stream().map(SseEvent::event).toList());
        assertEquals(" wants weather.", json(events.get(1)).get("text").getAsString());
        JsonObject call = json(events.get(3));
        assertEquals("call_1", call.get("id").getAsString());
        assertEquals("weather", call.get("name").getAsString());
        assertEquals("{\"city\":\"Oslo\"}", call.get("arguments").getAsString());
        assertEquals("tool_calls", json(events.get(4)).get("finishReason").getAsString());
    }

    @Test
    void rateLimitAndServerErrorsBeforeTheFirstTokenAreRetriedHonouringRetryAfter() {
        gateway();
        fake.then(script().status(429, "slow down").header("retry-after", "1"))
                .then(script().status(529, "overloaded"));
        List<SseEvent> events = ask("Hello?");
        assertEquals("done", Reader.last(events).event());
        assertEquals("Hello from upstream.", Reader.text(events));
        assertEquals(3, fake.calls().size(), "two refusals, then the answer");
    }

    @Test
    void aRateLimitThatOutlastsTheRetriesFailsTheAnswerWithItsRetryAfter() {
        gateway(Duration.ofSeconds(10), Duration.ofSeconds(10), 0);
        fake.then(script().status(429, "quota exceeded").header("retry-after", "30"));
        SseEvent failed = Reader.last(ask("Hello?"));
        assertEquals("failed", failed.event());
        JsonObject data = json(failed);
        assertEquals("rate-limited", data.get("reason").getAsString());
        assertEquals(429, data.get("status").getAsInt());
        assertEquals(30, data.get("retryAfter").getAsInt());
        assertTrue(data.get("detail").getAsString().contains("quota exceeded"), data.toString());
        assertEquals(1, fake.calls().size());
    }

    @Test
    void aServerErrorEveryTimeFailsAfterTheRetries() {
        gateway();
        fake.byDefault(script().status(500, "boom"));
        SseEvent failed = Reader.last(ask("Hello?"));
        assertEquals("upstream-error", json(failed).get("reason").getAsString());
        assertEquals(500, json(failed).get("status").getAsInt());
        assertEquals(3, fake.calls().size(), "the first attempt and two retries");
    }

    @Test
    void unauthorizedIsNotRetriedAndTheKeyIsNotInTheDetail() {
        gateway();
        fake.then(script().status(401, "Incorrect API key provided"));
        SseEvent failed = Reader.last(ask("Hello?"));
        assertEquals("unauthorized", json(failed).get("reason").getAsString());
        assertFalse(failed.data().contains("sk-test"));
        assertEquals(1, fake.calls().size());
    }

    @Test
    void aConnectionDroppedMidAnswerFailsKeepingThePartialTextAndIsNeverRetried() {
        gateway();
        fake.then(script().content("Half", " an").drop());
        List<SseEvent> events = ask("Tell me");
        assertEquals("Half an", Reader.text(events));
        SseEvent failed = Reader.last(events);
        assertEquals("failed", failed.event());
        assertEquals("upstream-error", json(failed).get("reason").getAsString());
        assertEquals(2, json(failed).get("tokens").getAsInt());
        assertEquals(1, fake.calls().size(), "text was published: a retry would repeat it");
    }

    @Test
    void aMalformedChunkFailsTheAnswerAsABadResponse() {
        gateway();
        fake.then(script().content("Fine").raw("data: {\"choices\": [oops\n\n").content("never"));
        List<SseEvent> events = ask("Tell me");
        assertEquals("Fine", Reader.text(events));
        assertEquals("bad-response", json(Reader.last(events)).get("reason").getAsString());
    }

    @Test
    void anUpstreamThatFallsSilentMidAnswerEndsWithATimeout() throws Exception {
        gateway(Duration.ofSeconds(10), Duration.ofMillis(300), 2);
        fake.then(script().content("Before").silence(Duration.ofSeconds(5)).content("after"));
        List<SseEvent> events = ask("Tell me");
        assertEquals("Before", Reader.text(events));
        assertEquals("timeout", json(Reader.last(events)).get("reason").getAsString());
        assertEquals(1, fake.calls().size());
    }

    @Test
    void aSlowFirstTokenIsRetriedAndThenAnswered() {
        gateway(Duration.ofMillis(300), Duration.ofSeconds(10), 1);
        fake.then(script().silence(Duration.ofSeconds(3)).content("late").done());
        List<SseEvent> events = ask("Hello?");
        assertEquals("Hello from upstream.", Reader.text(events), "the second attempt answered");
        assertEquals(2, fake.calls().size());
    }

    @Test
    void aStopClosesTheUpstreamConnectionAndEndsCancelledWithTheUsageSoFar() throws Exception {
        gateway();
        String[] many = new String[200];
        java.util.Arrays.fill(many, " word");
        fake.then(script().pace(Duration.ofMillis(20)).content(many).done());
        AnswerView answer = rig.gateway.ask("secret", Question.of("Talk a lot", null));
        Reader reader = rig.read(answer.id());
        assertEquals("token", reader.next().event());
        FakeUpstream.Call call = fake.nextCall(WAIT);
        assertEquals(AnswerView.State.CANCELLED, rig.gateway.cancel("secret", answer.id()).orElseThrow().state());
        List<SseEvent> rest = reader.toEnd();
        SseEvent done = Reader.last(rest);
        assertEquals("cancelled", json(done).get("finishReason").getAsString());
        assertTrue(json(done).getAsJsonObject("usage").get("completionTokens").getAsInt() >= 1, done.data());
        assertTrue(call.awaitEnd(WAIT), "the fake stopped writing");
        assertTrue(call.clientGone(), "the upstream saw its client go away");
        assertTrue(call.chunksWritten() < 200, "the upstream stopped generating: " + call.chunksWritten());
        Eventually.await(WAIT, "the slot is free", () -> rig.gateway.runningCount() == 0);
    }
}
