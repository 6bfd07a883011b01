package dev.runnel.chat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.protocol.SseParser;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an OpenAI streaming response ({@code chat.completion.chunk} events, then {@code data: [DONE]})
 * as {@link SseParser} hands its events over, and passes what it means to the answer's sink:
 * {@code delta.content} as content (leading spaces intact), {@code delta.reasoning_content} (or
 * {@code delta.reasoning}, as some servers call it) as reasoning, {@code delta.tool_calls} pieces
 * assembled per index and handed over whole when the answer finishes. It remembers the
 * {@code finish_reason} and the {@code usage} chunk.
 * <pre>
 * data: {"choices":[{"index":0,"delta":{"content":" River"},"finish_reason":null}]}
 *
 * data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":87,"total_tokens":96}}
 *
 * data: [DONE]
 * </pre>
 *
 * <p>Threading: confined to the thread reading one response (Jetty calls one response's listeners one
 * at a time).
 */
final class ChunkReader implements SseParser.Listener {
    /** The upstream sent something that is not a chunk; the answer fails with {@code bad-response}. */
    static final class BadChunk extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadChunk(String message) {
            super(message, null, false, false);
        }
    }

    /** The upstream reported an error inside the stream ({@code data: {"error": …}}). */
    static final class StreamError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StreamError(String message) {
            super(message, null, false, false);
        }
    }

    private final ChatModel.Sink sink;
    private final Map<Integer, String[]> toolCalls = new TreeMap<>(); // index -> {id, name, arguments}
    private int pieces;
    private boolean done;
    private String finishReason;
    private Usage usage;

    ChunkReader(ChatModel.Sink sink) {
        this.sink = sink;
    }

    @Override
    public void onEvent(SseEvent event) {
        if (done) {
            return;
        }
        String data = event.data();
        if (data.strip().equals("[DONE]")) {
            done = true;
            return;
        }
        JsonObject chunk;
        try {
            JsonElement parsed = JsonParser.parseString(data);
            if (!parsed.isJsonObject()) {
                throw new BadChunk("a chunk that is not a JSON object: " + abbreviate(data));
            }
            chunk = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new BadChunk("a chunk that is not JSON: " + abbreviate(data));
        }
        try {
            read(chunk);
        } catch (ClassCastException | IllegalStateException | UnsupportedOperationException e) {
            throw new BadChunk("a chunk of an unexpected shape: " + abbreviate(data));
        }
    }

    private void read(JsonObject chunk) {
        if (chunk.has("error") && !chunk.get("error").isJsonNull()) {
            JsonElement error = chunk.get("error");
            String message = error.isJsonObject() && error.getAsJsonObject().has("message")
                    ? error.getAsJsonObject().get("message").getAsString() : error.toString();
            throw new StreamError(message);
        }
        if (chunk.has("usage") && chunk.get("usage").isJsonObject()) {
            JsonObject u = chunk.getAsJsonObject("usage");
            long prompt = number(u, "prompt_tokens");
            long completion = number(u, "completion_tokens");
            long total = u.has("total_tokens") ? number(u, "total_tokens") : prompt + completion;
            usage = new Usage(prompt, completion, total);
        }
        JsonElement choices = chunk.get("choices");
        if (choices == null || choices.isJsonNull()) {
            if (usage == null) {
                throw new BadChunk("a chunk with neither choices nor usage");
            }
            return;
        }
        JsonArray array = choices.getAsJsonArray();
        for (JsonElement c : array) {
            JsonObject choice = c.getAsJsonObject();
            if (choice.has("index") && choice.get("index").getAsInt() != 0) {
                continue; // n > 1 is never asked for
            }
            JsonElement delta = choice.get("delta");
            if (delta != null && delta.isJsonObject()) {
                delta(delta.getAsJsonObject());
            }
            JsonElement reason = choice.get("finish_reason");
            if (reason != null && !reason.isJsonNull()) {
                finishReason = reason.getAsString();
            }
        }
    }

    private void delta(JsonObject delta) {
        String reasoning = string(delta, "reasoning_content");
        if (reasoning == null) {
            reasoning = string(delta, "reasoning");
        }
        if (reasoning != null && !reasoning.isEmpty()) {
            pieces++;
            sink.reasoning(reasoning);
        }
        String content = string(delta, "content");
        if (content != null && !content.isEmpty()) {
            pieces++;
            sink.content(content);
        }
        JsonElement calls = delta.get("tool_calls");
        if (calls != null && calls.isJsonArray()) {
            for (JsonElement e : calls.getAsJsonArray()) {
                JsonObject call = e.getAsJsonObject();
                int index = call.has("index") ? call.get("index").getAsInt() : toolCalls.size();
                String[] parts = toolCalls.computeIfAbsent(index, i -> new String[] {null, null, ""});
                if (string(call, "id") != null) {
                    parts[0] = string(call, "id");
                }
                JsonElement function = call.get("function");
                if (function != null && function.isJsonObject()) {
                    String name = string(function.getAsJsonObject(), "name");
                    if (name != null) {
                        parts[1] = parts[1] == null ? name : parts[1] + name;
                    }
                    String arguments = string(function.getAsJsonObject(), "arguments");
                    if (arguments != null) {
                        parts[2] += arguments;
                    }
                }
                pieces++;
            }
        }
    }

    /** Hands the assembled tool calls over, in index order; call once, when the answer finishes. */
    void flushToolCalls() {
        for (Map.Entry<Integer, String[]> e : toolCalls.entrySet()) {
            String[] p = e.getValue();
            sink.toolCall(new ToolCall(e.getKey(), p[0], p[1], p[2]));
        }
        toolCalls.clear();
    }

    /** Content, reasoning and tool-call pieces received: once one has, the answer cannot be retried. */
    int pieces() {
        return pieces;
    }

    /** {@code data: [DONE]} arrived. */
    boolean done() {
        return done;
    }

    String finishReason() {
        return finishReason;
    }

    Usage usage() {
        return usage;
    }

    private static String string(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static long number(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? 0 : e.getAsLong();
    }

    static String abbreviate(String s) {
        String oneLine = s.replaceAll("[\\r\\n]+", " ");
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 120) + "…";
    }
}
