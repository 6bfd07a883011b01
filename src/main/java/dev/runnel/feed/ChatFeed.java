package dev.runnel.feed;

import com.google.gson.JsonObject;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Chat answers streamed on the finite topic {@code chat/<id>}: one {@code token} event per token,
 * then {@code done}.
 * <pre>
 * event: token
 * data: {"index":0,"text":" River"}
 *
 * event: done
 * data: {"tokens":87,"finishReason":"stop"}
 * </pre>
 * The answer is written by a {@link ChatModel} on the server, independent of any connection; every
 * token is an event in the hub's log, so a reader that drops and reconnects with {@code Last-Event-ID}
 * continues at the next token. {@code finishReason} is {@code stop}, {@code length}, {@code cancelled}
 * or {@code error} (then with {@code "error"}). Conversations keep their last {@value #MAX_TURNS}
 * turns, for models that use them.
 *
 * <p>Threading: thread-safe. An answer's state changes and their publication happen under the
 * answer's lock, so nothing can follow its {@code done}.
 */
public final class ChatFeed implements AutoCloseable {
    public static final String TOPIC_PREFIX = "chat/";
    public static final int MAX_PROMPT = 4000;
    static final int MAX_TURNS = 20;
    static final int MAX_CONVERSATIONS = 1000;
    static final int KEEP_FINISHED = 1000;
    private static final Pattern CONVERSATION = Pattern.compile("[A-Za-z0-9._~-]{1,64}");

    public enum State { RUNNING, DONE, CANCELLED, FAILED }

    /** An answer as seen from outside. */
    public record AnswerView(String id, String topic, String conversation, State state, int tokens,
            String finishReason) {}

    private final Hub hub;
    private final ChatModel model;
    private final int maxRunning;
    private final Object lock = new Object();
    private final Map<String, Answer> answers = new HashMap<>();        // guarded by lock
    private final ArrayDeque<String> finished = new ArrayDeque<>();     // guarded by lock
    private final Map<String, ArrayDeque<ChatModel.Turn>> conversations =
            new LinkedHashMap<>(16, 0.75f, true) {                      // guarded by lock; LRU
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<ChatModel.Turn>> eldest) {
                    return size() > MAX_CONVERSATIONS;
                }
            };
    private int running;   // guarded by lock
    private boolean closed; // guarded by lock

    /** One answer. Its own fields are guarded by the answer itself. */
    private final class Answer implements ChatModel.TokenSink {
        final String id;
        final String conversation;
        final StringBuilder text = new StringBuilder();
        State state = State.RUNNING;
        int tokens;
        String finishReason;
        ChatModel.Generation generation;

        Answer(String id, String conversation) {
            this.id = id;
            this.conversation = conversation;
        }

        String topic() {
            return TOPIC_PREFIX + id;
        }

        @Override
        public synchronized void token(String piece) {
            if (state != State.RUNNING) {
                return;
            }
            JsonObject data = new JsonObject();
            data.addProperty("index", tokens);
            data.addProperty("text", piece);
            hub.publish(new Publication(topic(), "token", data.toString(), null, false));
            tokens++;
            text.append(piece);
        }

        @Override
        public void finished(String reason) {
            end(State.DONE, reason, null);
        }

        @Override
        public void failed(String reason) {
            end(State.FAILED, "error", reason);
        }

        /** Returns false when the answer had already ended. */
        boolean end(State newState, String reason, String error) {
            String said;
            synchronized (this) {
                if (state != State.RUNNING) {
                    return false;
                }
                state = newState;
                finishReason = reason;
                said = text.toString();
                JsonObject data = new JsonObject();
                data.addProperty("tokens", tokens);
                data.addProperty("finishReason", reason);
                if (error != null) {
                    data.addProperty("error", error);
                }
                hub.publish(new Publication(topic(), "done", data.toString(), null, true));
            }
            answerEnded(this, said);
            return true;
        }

        synchronized AnswerView view() {
            return new AnswerView(id, topic(), conversation, state, tokens, finishReason);
        }
    }

    public ChatFeed(Hub hub, ChatModel model, int maxRunning) {
        if (maxRunning < 1) {
            throw new IllegalArgumentException("runnel.chat.maxRunning: " + maxRunning + " (expected: >= 1)");
        }
        this.hub = hub;
        this.model = model;
        this.maxRunning = maxRunning;
    }

    /**
     * Starts an answer to {@code prompt} in {@code conversation} (a new conversation when null).
     *
     * @throws IllegalArgumentException the prompt or conversation id is not acceptable
     * @throws LimitReachedException    {@code maxRunning} answers are being written
     */
    public AnswerView ask(String prompt, String conversation) {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("prompt: missing (expected: 1 to " + MAX_PROMPT + " characters)");
        }
        if (prompt.length() > MAX_PROMPT) {
            throw new IllegalArgumentException("prompt: " + prompt.length() + " characters (expected: at most "
                    + MAX_PROMPT + ")");
        }
        if (conversation != null && !CONVERSATION.matcher(conversation).matches()) {
            throw new IllegalArgumentException("conversation: \"" + conversation
                    + "\" (expected: 1 to 64 of A-Z a-z 0-9 . _ ~ -)");
        }
        String conversationId = conversation == null ? Ids.random() : conversation;
        Answer answer = new Answer(Ids.random(), conversationId);
        List<ChatModel.Turn> history;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the chat feed is shut down");
            }
            if (running >= maxRunning) {
                throw new LimitReachedException(running + " answers are being written (limit " + maxRunning
                        + ", runnel.chat.maxRunning)", 2);
            }
            running++;
            answers.put(answer.id, answer);
            ArrayDeque<ChatModel.Turn> turns = conversations.computeIfAbsent(conversationId, c -> new ArrayDeque<>());
            history = List.copyOf(turns);
            addTurn(turns, new ChatModel.Turn("user", prompt));
        }
        synchronized (answer) {
            answer.generation = model.generate(new ChatModel.Prompt(prompt, history), answer);
        }
        return answer.view();
    }

    public Optional<AnswerView> get(String id) {
        Answer answer;
        synchronized (lock) {
            answer = answers.get(id);
        }
        return answer == null ? Optional.empty() : Optional.of(answer.view());
    }

    /**
     * Stops an answer: it ends with {@code done} {@code "finishReason":"cancelled"}. Returns the answer
     * as it now is (one that had already ended keeps its state), or empty for an unknown id.
     */
    public Optional<AnswerView> cancel(String id) {
        Answer answer;
        synchronized (lock) {
            answer = answers.get(id);
        }
        if (answer == null) {
            return Optional.empty();
        }
        ChatModel.Generation generation;
        synchronized (answer) {
            generation = answer.generation;
        }
        if (answer.end(State.CANCELLED, "cancelled", null) && generation != null) {
            generation.cancel();
        }
        return Optional.of(answer.view());
    }

    /** Stops every answer being written; nothing more is published. */
    @Override
    public void close() {
        List<Answer> open;
        synchronized (lock) {
            closed = true;
            open = answers.values().stream().toList();
        }
        for (Answer answer : open) {
            ChatModel.Generation generation;
            synchronized (answer) {
                answer.state = answer.state == State.RUNNING ? State.CANCELLED : answer.state;
                generation = answer.generation;
            }
            if (generation != null) {
                generation.cancel();
            }
        }
    }

    private void answerEnded(Answer answer, String text) {
        synchronized (lock) {
            running--;
            finished.add(answer.id);
            while (finished.size() > KEEP_FINISHED) {
                answers.remove(finished.poll());
            }
            ArrayDeque<ChatModel.Turn> turns = conversations.get(answer.conversation);
            if (turns != null && !text.isEmpty()) {
                addTurn(turns, new ChatModel.Turn("assistant", text));
            }
        }
    }

    private static void addTurn(ArrayDeque<ChatModel.Turn> turns, ChatModel.Turn turn) {
        turns.add(turn);
        while (turns.size() > MAX_TURNS) {
            turns.poll();
        }
    }
}
