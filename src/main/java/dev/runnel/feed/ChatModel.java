package dev.runnel.feed;

import java.util.List;

/**
 * Something that writes answers token by token: the built-in {@link MarkovChatModel}, or an upstream
 * language model service. {@link ChatFeed} turns what it produces into events.
 *
 * <p>Threading: {@link #generate} is called from request threads and must not block; the model calls
 * its {@link TokenSink} from any thread, one call at a time, and calls {@code finished} or
 * {@code failed} exactly once, last, unless the generation was cancelled first.
 */
public interface ChatModel {

    /** Starts writing an answer to {@code prompt}; returns at once. */
    Generation generate(Prompt prompt, TokenSink sink);

    /**
     * What the model is asked.
     *
     * @param text    the user's new message
     * @param history earlier turns of the conversation, oldest first
     */
    record Prompt(String text, List<Turn> history) {
        public Prompt {
            history = List.copyOf(history);
        }
    }

    /** One turn of a conversation: {@code role} is {@code user} or {@code assistant}. */
    record Turn(String role, String text) {}

    /** A running generation. */
    interface Generation {
        /** Stops producing tokens; the sink hears nothing more. Idempotent. */
        void cancel();
    }

    /** Receives an answer. */
    interface TokenSink {
        /** The next piece of text (a word piece, punctuation, white space). */
        void token(String text);

        /** The answer is complete: {@code stop} (it ended naturally) or {@code length} (it hit the limit). */
        void finished(String finishReason);

        /** The answer cannot be completed; {@code reason} is shown to the user. */
        void failed(String reason);
    }
}
