package dev.runnel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What one node registers of an answer is what another node shows: every field of {@code GET
 * /chat/<id>} survives the trip, and the text stays in the answer's topic.
 */
class AnswerRegistryEntryTest {

    @Test
    void aFailedAnswerComesBackWithItsFailureAndOwner() {
        AnswerView failed = new AnswerView("abc123", "chat/abc123", null, "Why?", "fake", 1_700_000_000_123L,
                AnswerView.State.FAILED, 3, "Because", "", List.of(), "failed", null,
                new Failure(Failure.RATE_LIMITED, 429, 20, "Rate limit reached"), false);
        AnswerRegistry.Entry back = AnswerRegistry.Entry.decode(new AnswerRegistry.Entry(failed, "sub:alice").encode());
        assertEquals("sub:alice", back.owner());
        assertEquals(new AnswerView("abc123", "chat/abc123", null, "Why?", "fake", 1_700_000_000_123L,
                AnswerView.State.FAILED, 3, "", "", List.of(), "failed", null,
                new Failure(Failure.RATE_LIMITED, 429, 20, "Rate limit reached"), false), back.answer());
    }

    @Test
    void aFinishedAnswerComesBackWithItsUsageAndConversation() {
        AnswerView done = new AnswerView("def456", "chat/def456", "conv1", "Hi", "fake", 5L, AnswerView.State.CANCELLED,
                7, "Hello there", "thinking", List.of(), "cancelled", Usage.of(4, 7), null, false);
        AnswerRegistry.Entry back = AnswerRegistry.Entry.decode(new AnswerRegistry.Entry(done, "secret").encode());
        assertEquals(new AnswerView("def456", "chat/def456", "conv1", "Hi", "fake", 5L, AnswerView.State.CANCELLED,
                7, "", "", List.of(), "cancelled", Usage.of(4, 7), null, false), back.answer());
        assertEquals("secret", back.owner());
    }
}
