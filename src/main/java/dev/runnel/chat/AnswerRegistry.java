package dev.runnel.chat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Optional;

/**
 * Where the nodes that share one log make their answers known to each other, so that
 * {@code GET}/{@code DELETE /chat/<id>} and the {@code /v1} resume work on a node other than the one
 * that writes the answer. {@link ChatGateway} announces each of its answers at its start and at its
 * end; the registry keeps the running ones fresh and tells the gateway which one another node asked
 * to stop. {@link #NONE} when one node holds every answer.
 *
 * <p>Threading: implementations are thread-safe; {@link #announce} never blocks, {@link #elsewhere}
 * and {@link #requestCancel} may wait on the registry (container threads) and throw an unchecked
 * exception the web layer answers ({@code 503}) when it cannot be reached.
 */
public interface AnswerRegistry extends AutoCloseable {
    /** One node: every answer is this node's. */
    AnswerRegistry NONE = new AnswerRegistry() {
        @Override
        public void announce(Entry answer) {
        }

        @Override
        public Optional<Entry> elsewhere(String id) {
            return Optional.empty();
        }

        @Override
        public boolean requestCancel(String id) {
            return false;
        }

        @Override
        public void close() {
        }
    };

    /**
     * An answer and the caller it belongs to (who may stop it).
     *
     * <p>Threading: immutable.
     */
    record Entry(AnswerView answer, String owner) {
        /**
         * What another node needs of it, as JSON: what {@code GET /chat/<id>} shows and what a resume
         * renders its stream with. Not the text, reasoning or tool calls: those are in the answer's topic.
         */
        public String encode() {
            AnswerView a = answer;
            JsonObject json = new JsonObject();
            json.addProperty("owner", owner);
            json.addProperty("id", a.id());
            json.addProperty("topic", a.topic());
            json.addProperty("conversation", a.conversation());
            json.addProperty("prompt", a.prompt());
            json.addProperty("model", a.model());
            json.addProperty("created", a.createdMillis());
            json.addProperty("state", a.state().name());
            json.addProperty("tokens", a.tokens());
            json.addProperty("finishReason", a.finishReason());
            if (a.usage() != null) {
                json.add("usage", a.usage().toJson());
            }
            if (a.failure() != null) {
                json.add("failure", a.failure().toJson());
            }
            return json.toString();
        }

        /** The entry {@link #encode} wrote. */
        public static Entry decode(String encoded) {
            JsonObject j = JsonParser.parseString(encoded).getAsJsonObject();
            Failure failure = null;
            if (j.has("failure")) {
                JsonObject f = j.getAsJsonObject("failure");
                failure = new Failure(f.get("reason").getAsString(), f.has("status") ? f.get("status").getAsInt() : 0,
                        f.has("retryAfter") ? f.get("retryAfter").getAsLong() : -1, f.get("detail").getAsString());
            }
            AnswerView answer = new AnswerView(j.get("id").getAsString(), j.get("topic").getAsString(), string(j,
                    "conversation"), string(j, "prompt"), string(j, "model"), j.get("created").getAsLong(),
                    AnswerView.State.valueOf(j.get("state").getAsString()), j.get("tokens").getAsInt(), "", "", List.of(),
                    string(j, "finishReason"), Usage.fromJson(j.getAsJsonObject("usage")), failure, false);
            return new Entry(answer, j.get("owner").getAsString());
        }

        private static String string(JsonObject j, String name) {
            return j.has(name) && !j.get(name).isJsonNull() ? j.get(name).getAsString() : null;
        }
    }

    /** This node's answer, as it now is: the other nodes may look it up. Queued, never waited for. */
    void announce(Entry answer);

    /** An answer another node writes or wrote, as that node last announced it; empty when none has it. */
    Optional<Entry> elsewhere(String id);

    /**
     * Asks the node that writes the answer to stop it, which it does within a fraction of a second;
     * false when no node has the answer registered.
     */
    boolean requestCancel(String id);

    @Override
    void close();
}
