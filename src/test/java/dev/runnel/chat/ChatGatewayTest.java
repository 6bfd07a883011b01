package dev.runnel.chat;

import static dev.runnel.chat.GatewayRig.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.chat.GatewayRig.Reader;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The answer lifecycle whatever the model: a model that throws or stalls, the watchdog's limits, the
 * running-answer limit, idempotency keys, conversations and who owns them, token budgets and the
 * question's size limits. The models here are small stand-ins for the seam, each doing one thing.
 */
class ChatGatewayTest {
    private GatewayRig rig;

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    /** A model that answers every prompt at once with {@code text} in one piece and the given usage. */
    private static ChatModel answering(String text, Usage usage, List<ChatModel.Prompt> seen) {
        return new ChatModel() {
            @Override
            public Generation generate(Prompt prompt, Sink sink) {
                seen.add(prompt);
                sink.content(text);
                sink.finished("stop", usage);
                return () -> { };
            }

            @Override
            public String name() {
                return "answering";
            }
        };
    }

    /** A model that accepts the question and then never says anything. */
    private static ChatModel stalling() {
        return new ChatModel() {
            @Override
            public Generation generate(Prompt prompt, Sink sink) {
                return () -> { };
            }

            @Override
            public String name() {
                return "stalling";
            }
        };
    }

    private AnswerView ask(String caller, String prompt) {
        return rig.gateway.ask(caller, Question.of(prompt, null));
    }

    @Test
    void aModelThatThrowsEndsTheAnswerFailedAndFreesItsSlot() {
        rig = new GatewayRig(s -> new ChatModel() {
            @Override
            public Generation generate(Prompt prompt, Sink sink) {
                throw new IllegalStateException("model broke");
            }

            @Override
            public String name() {
                return "broken";
            }
        }, GatewayRig.limits(1, Duration.ZERO, Duration.ZERO), new ChatGateway.Budget(0, 0));
        AnswerView first = ask("anonymous", "one");
        assertEquals(AnswerView.State.FAILED, first.state());
        SseEvent failed = Reader.last(rig.read(first.id()).toEnd());
        assertEquals("failed", failed.event());
        assertEquals("upstream-error", json(failed).get("reason").getAsString());
        assertTrue(json(failed).get("detail").getAsString().contains("model broke"), failed.data());
        AnswerView second = ask("anonymous", "two"); // refused with 429 before the slot was given back
        assertEquals(AnswerView.State.FAILED, second.state());
        assertEquals(0, rig.gateway.runningCount());
    }

    @Test
    void aModelThatStallsIsEndedByTheIdleLimitAndFreesItsSlot() throws Exception {
        rig = new GatewayRig(s -> stalling(), GatewayRig.limits(1, Duration.ofMillis(200), Duration.ZERO),
                new ChatGateway.Budget(0, 0));
        AnswerView answer = ask("anonymous", "hello?");
        SseEvent failed = Reader.last(rig.read(answer.id()).toEnd());
        assertEquals("timeout", json(failed).get("reason").getAsString());
        assertTrue(json(failed).get("detail").getAsString().contains("runnel.chat.idleTimeout"), failed.data());
        assertEquals(AnswerView.State.FAILED, rig.gateway.find(answer.id()).orElseThrow().state());
        // The slot is given back right after the final event is out, on the watchdog's thread.
        Eventually.await(GatewayRig.TIMEOUT, "the slot is free", () -> rig.gateway.runningCount() == 0);
    }

    @Test
    void anAnswerThatRunsTooLongIsEndedByTheTotalLimitKeepingItsText() {
        rig = new GatewayRig(s -> new MarkovChatModel(MarkovChain.fromResource("/dev/runnel/chat/corpus.txt"), s, 50,
                4096, new java.util.Random(1)), GatewayRig.limits(1, Duration.ofSeconds(10), Duration.ofMillis(300)),
                new ChatGateway.Budget(0, 0));
        AnswerView answer = ask("anonymous", "Tell me about the river");
        List<SseEvent> events = rig.read(answer.id()).toEnd();
        SseEvent failed = Reader.last(events);
        assertEquals("timeout", json(failed).get("reason").getAsString());
        assertTrue(json(failed).get("detail").getAsString().contains("runnel.chat.maxDuration"), failed.data());
        assertTrue(Reader.text(events).length() > 0, "the text written so far stays in the log");
    }

    @Test
    void moreRunningAnswersThanTheLimitAreRefusedWithRetryAfter() {
        rig = new GatewayRig(s -> stalling(), GatewayRig.limits(1, Duration.ZERO, Duration.ZERO),
                new ChatGateway.Budget(0, 0));
        AnswerView first = ask("anonymous", "one");
        ChatRefused refused = assertThrows(ChatRefused.class, () -> ask("anonymous", "two"));
        assertEquals(429, refused.kind().status);
        assertTrue(refused.retryAfterSeconds() >= 1);
        rig.gateway.cancel("anonymous", first.id());
        ask("anonymous", "three");
    }

    @Test
    void theSameIdempotencyKeyFromTheSameCallerFindsTheSameAnswer() {
        List<ChatModel.Prompt> seen = new CopyOnWriteArrayList<>();
        rig = new GatewayRig(s -> answering("Once.", Usage.of(3, 1), seen), GatewayRig.limits(4, Duration.ZERO,
                Duration.ZERO), new ChatGateway.Budget(0, 0));
        Question q = new Question("Hi", null, null, null, "key-1");
        AnswerView first = rig.gateway.ask("sub:alice", q);
        AnswerView again = rig.gateway.ask("sub:alice", q);
        assertEquals(first.id(), again.id());
        assertTrue(again.replayed());
        assertEquals(1, seen.size(), "one generation");
        AnswerView bobs = rig.gateway.ask("sub:bob", q);
        assertNotEquals(first.id(), bobs.id(), "keys belong to their caller");
        ChatRefused reused = assertThrows(ChatRefused.class, () -> rig.gateway.ask("sub:alice",
                new Question("Something else", null, null, null, "key-1")));
        assertEquals(409, reused.kind().status);
    }

    @Test
    void aKeyWhoseQuestionWasRefusedStartsTheAnswerWhenRetriedLater() {
        rig = new GatewayRig(s -> stalling(), GatewayRig.limits(1, Duration.ZERO, Duration.ZERO),
                new ChatGateway.Budget(0, 0));
        AnswerView busy = ask("sub:alice", "one");
        Question q = new Question("two", null, null, null, "retry-after-429");
        assertEquals(429, assertThrows(ChatRefused.class, () -> rig.gateway.ask("sub:alice", q)).kind().status);
        rig.gateway.cancel("sub:alice", busy.id());
        AnswerView started = rig.gateway.ask("sub:alice", q);
        assertEquals(AnswerView.State.RUNNING, started.state(), "the refused attempt did not keep the key");
        assertEquals(started.id(), rig.gateway.ask("sub:alice", q).id());
    }

    @Test
    void aConversationCarriesItsHistoryAndBelongsToItsCaller() {
        List<ChatModel.Prompt> seen = new CopyOnWriteArrayList<>();
        rig = new GatewayRig(s -> answering("Answer.", null, seen), GatewayRig.limits(4, Duration.ZERO, Duration.ZERO),
                new ChatGateway.Budget(0, 0));
        AnswerView first = rig.gateway.ask("sub:alice", Question.of("First question", null));
        AnswerView second = rig.gateway.ask("sub:alice", Question.of("Follow-up", first.conversation()));
        assertEquals(first.conversation(), second.conversation());
        assertEquals(List.of("user: First question", "assistant: Answer.", "user: Follow-up"),
                seen.get(1).messages().stream().map(m -> m.role() + ": " + m.content()).toList());
        ChatRefused foreign = assertThrows(ChatRefused.class, () -> rig.gateway.ask("sub:mallory",
                Question.of("Let me in", first.conversation())));
        assertEquals(404, foreign.kind().status);
        ChatRefused invented = assertThrows(ChatRefused.class, () -> rig.gateway.ask("sub:alice",
                Question.of("Mine?", "conv-1")));
        assertEquals(404, invented.kind().status, "conversation ids are issued, never chosen");
    }

    @Test
    void aCallerOverItsTokenBudgetIsRefusedUntilTheWindowEnds() {
        rig = new GatewayRig(s -> answering("Costly.", Usage.of(80, 40), new CopyOnWriteArrayList<>()),
                GatewayRig.limits(4, Duration.ZERO, Duration.ZERO), new ChatGateway.Budget(100, 0));
        ask("sub:alice", "one");
        ChatRefused over = assertThrows(ChatRefused.class, () -> ask("sub:alice", "two"));
        assertEquals(429, over.kind().status);
        assertTrue(over.getMessage().contains("120 of its 100 tokens this minute"), over.getMessage());
        assertTrue(over.retryAfterSeconds() >= 1 && over.retryAfterSeconds() <= 60, "" + over.retryAfterSeconds());
        ask("sub:bob", "one"); // budgets are per caller
    }

    @Test
    void piecesThatComeFasterThanTheCoalescingIntervalJoinIntoFewerTokenEvents() {
        rig = new GatewayRig(s -> new ChatModel() {
            @Override
            public Generation generate(Prompt prompt, Sink sink) {
                for (int i = 0; i < 50; i++) {
                    sink.content(" w" + i);
                }
                sink.finished("stop", null);
                return () -> { };
            }

            @Override
            public String name() {
                return "fast";
            }
        }, new ChatGateway.Limits(4, 4096, 1024, Duration.ZERO, Duration.ZERO, Duration.ofHours(1),
                Duration.ofSeconds(5)), new ChatGateway.Budget(0, 0));
        List<SseEvent> events = rig.read(ask("anonymous", "go").id()).toEnd();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            expected.append(" w").append(i);
        }
        assertEquals(expected.toString(), Reader.text(events), "every piece, in order, once");
        assertEquals(List.of("token", "token", "done"), events.stream().map(SseEvent::event).toList(),
                "the first piece at once; the rest, held back, before the end");
        assertEquals(2, json(Reader.last(events)).get("tokens").getAsInt());
    }

    @Test
    void aPromptOverTheSizeLimitOrTooManyTokensAreRefused() {
        rig = new GatewayRig(s -> stalling(), new ChatGateway.Limits(4, 100, 10, Duration.ZERO, Duration.ZERO,
                Duration.ofHours(1), Duration.ZERO), new ChatGateway.Budget(0, 0));
        ChatRefused large = assertThrows(ChatRefused.class, () -> ask("anonymous", "x".repeat(11)));
        assertEquals(413, large.kind().status);
        assertTrue(large.getMessage().contains("runnel.chat.maxPromptBytes"), large.getMessage());
        ChatRefused tokens = assertThrows(ChatRefused.class, () -> rig.gateway.ask("anonymous",
                new Question("hi", null, null, 101, null)));
        assertEquals(400, tokens.kind().status);
        assertTrue(tokens.getMessage().startsWith("max_tokens: 101 (expected: 1 to 100"), tokens.getMessage());
        assertEquals(400, assertThrows(ChatRefused.class, () -> ask("anonymous", " ")).kind().status);
    }
}
