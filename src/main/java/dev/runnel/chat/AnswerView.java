package dev.runnel.chat;

import java.util.List;
import java.util.Locale;

/**
 * An answer as seen from outside, at one moment: what {@code GET /chat/<id>} shows and what the
 * non-streaming OpenAI endpoint renders.
 *
 * @param conversation the conversation it belongs to, or null (OpenAI clients send their history)
 * @param prompt       the question it answers (the last user message)
 * @param tokens       the {@code token} events published so far
 * @param finishReason once ended: {@code stop}, {@code length}, {@code tool_calls}, {@code content_filter},
 *                     {@code cancelled} or {@code failed}
 * @param usage        token counts, once known
 * @param failure      why it failed, or null
 * @param replayed     true when an {@code Idempotency-Key} found this answer instead of starting one
 *
 * <p>Threading: immutable.
 */
public record AnswerView(String id, String topic, String conversation, String prompt, String model, long createdMillis,
        State state, int tokens, String text, String reasoning, List<ToolCall> toolCalls, String finishReason,
        Usage usage, Failure failure, boolean replayed) {

    /** Where an answer is in its life. */
    public enum State {
        RUNNING, DONE, CANCELLED, FAILED;

        /** As the JSON shows it: {@code running}, {@code done}, {@code cancelled}, {@code failed}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AnswerView {
        toolCalls = List.copyOf(toolCalls);
    }

    public boolean ended() {
        return state != State.RUNNING;
    }

    AnswerView asReplayed() {
        return new AnswerView(id, topic, conversation, prompt, model, createdMillis, state, tokens, text, reasoning,
                toolCalls, finishReason, usage, failure, true);
    }
}
