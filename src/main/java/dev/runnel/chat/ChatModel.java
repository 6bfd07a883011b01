package dev.runnel.chat;

import java.util.List;
import java.util.Objects;

/**
 * What writes an answer: the built-in offline {@link MarkovChatModel}, or an OpenAI-compatible
 * upstream ({@link OpenAiUpstream}), chosen by configuration. {@link ChatGateway} turns what the model
 * produces into the events of the answer's finite topic; the model never sees the hub.
 *
 * <p>Threading: {@link #generate} is called from request threads and must not block; it may throw,
 * and the answer then fails. The model calls its {@link Sink} from any thread, one call at a time, and
 * calls {@code finished} or {@code failed} at most once, last. After {@link Generation#cancel} the sink
 * may still hear calls; the answer ignores them.
 */
public interface ChatModel {

    /** Starts writing an answer; returns at once. */
    Generation generate(Prompt request, Sink sink);

    /** The model's name as {@code GET /v1/models} lists it. */
    String name();

    /** Releases what the model holds (an HTTP client and its threads); running generations end. */
    default void close() {
    }

    /**
     * What the model is asked.
     *
     * @param messages  the conversation so far, oldest first, ending with the user's new message
     * @param maxTokens the longest answer wanted, in tokens
     */
    record Prompt(List<Message> messages, int maxTokens) {
        public Prompt {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("messages: empty (expected: at least the user's message)");
            }
        }

        /** The user's new message: the last one. */
        public String prompt() {
            return messages.get(messages.size() - 1).content();
        }
    }

    /** One message: {@code role} is {@code system}, {@code user} or {@code assistant}. */
    record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }
    }

    /** A running generation. */
    interface Generation {
        /** Stops producing tokens and releases what the generation holds (an upstream connection). Idempotent. */
        void cancel();

        /** Token counts so far, as far as the model knows them (used when an answer is cancelled). */
        default Usage usageSoFar() {
            return null;
        }
    }

    /** Receives an answer. */
    interface Sink {
        /** The next piece of the answer's text, leading white space intact. */
        void content(String text);

        /** A piece of the model's reasoning, for models that show it ({@code reasoning_content}). */
        default void reasoning(String text) {
        }

        /** A complete tool call the model asks for. */
        default void toolCall(ToolCall call) {
        }

        /**
         * The answer is complete: {@code stop}, {@code length}, {@code tool_calls} or {@code content_filter};
         * {@code usage} may be null when the model does not count.
         */
        void finished(String finishReason, Usage usage);

        /** The answer cannot be completed. */
        void failed(Failure failure);
    }
}
