package dev.runnel.web.openai;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.protocol.SseEncoder;
import dev.runnel.protocol.SseEvent;
import dev.runnel.protocol.SseParser;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An answer's events as OpenAI {@code chat.completion.chunk} frames: the view of the answer's log that
 * {@code /v1/chat/completions} streams. Each frame keeps the event's {@code id:} (so a client resumes
 * with {@code Last-Event-ID}) and has no {@code event:} line, as OpenAI clients expect.
 * <pre>
 * id: k3x9-12
 * data: {"id":"chatcmpl-…","object":"chat.completion.chunk","created":…,"model":"…",
 *        "choices":[{"index":0,"delta":{"role":"assistant","content":" River"},"finish_reason":null}]}
 *
 * id: k3x9-40
 * data: {…,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}
 *
 * data: {…,"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":87,"total_tokens":96}}
 *
 * data: [DONE]
 * </pre>
 * A {@code failed} answer ends with {@code data: {"error": {…}}} and {@code data: [DONE]}. A stopped
 * answer finishes with {@code "stop"} (OpenAI has no word for it; Runnel's own events say
 * {@code cancelled}).
 *
 * <p>Threading: immutable; {@link #apply} may run on any thread.
 */
final class CompletionChunks implements UnaryOperator<LoggedEvent> {
    private final String completionId;
    private final String model;
    private final long created;
    private final boolean includeUsage;

    CompletionChunks(String answerId, String model, long createdSeconds, boolean includeUsage) {
        this.completionId = OpenAiJson.completionId(answerId);
        this.model = model;
        this.created = createdSeconds;
        this.includeUsage = includeUsage;
    }

    @Override
    public LoggedEvent apply(LoggedEvent e) {
        SseEvent event = parse(e.frame());
        if (event == null) {
            return e.withFrame(SseEncoder.idOnly(e.id()));
        }
        JsonObject data = JsonParser.parseString(event.data()).getAsJsonObject();
        List<String> blocks = new ArrayList<>();
        switch (event.event()) {
            case "token" -> blocks.add(chunk(delta(data, "content"), null).toString());
            case "reasoning" -> blocks.add(chunk(delta(data, "reasoning_content"), null).toString());
            case "tool_call" -> blocks.add(chunk(toolCall(data), null).toString());
            case "done" -> {
                blocks.add(chunk(new JsonObject(), OpenAiJson.finishReason(data.get("finishReason").getAsString()))
                        .toString());
                if (includeUsage && data.has("usage")) {
                    JsonObject usage = chunk(null, null);
                    usage.add("choices", new JsonArray());
                    usage.add("usage", OpenAiJson.usage(data.getAsJsonObject("usage")));
                    blocks.add(usage.toString());
                }
                blocks.add("[DONE]");
            }
            case "failed" -> {
                JsonObject error = new JsonObject();
                error.add("error", OpenAiJson.error(data));
                blocks.add(error.toString());
                blocks.add("[DONE]");
            }
            default -> {
                return e.withFrame(SseEncoder.idOnly(e.id()));
            }
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        for (int i = 0; i < blocks.size(); i++) {
            frame.writeBytes(SseEncoder.encode(null, i == 0 ? e.id() : null, -1, blocks.get(i)));
        }
        return e.withFrame(frame.toByteArray());
    }

    /** {@code {"role":"assistant"?, name: text}}: the role comes with the first piece of each kind. */
    private static JsonObject delta(JsonObject data, String name) {
        JsonObject delta = new JsonObject();
        if (data.get("index").getAsInt() == 0) {
            delta.addProperty("role", "assistant");
        }
        delta.add(name, data.get("text"));
        return delta;
    }

    private static JsonObject toolCall(JsonObject data) {
        JsonObject delta = new JsonObject();
        JsonArray calls = new JsonArray();
        calls.add(OpenAiJson.toolCall(data, true));
        delta.add("tool_calls", calls);
        return delta;
    }

    private JsonObject chunk(JsonObject delta, String finishReason) {
        JsonObject chunk = new JsonObject();
        chunk.addProperty("id", completionId);
        chunk.addProperty("object", "chat.completion.chunk");
        chunk.addProperty("created", created);
        chunk.addProperty("model", model);
        if (delta != null) {
            JsonObject choice = new JsonObject();
            choice.addProperty("index", 0);
            choice.add("delta", delta);
            choice.add("finish_reason", finishReason == null ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(
                    finishReason));
            JsonArray choices = new JsonArray();
            choices.add(choice);
            chunk.add("choices", choices);
        }
        return chunk;
    }

    /** The one event a hub frame holds, or null for a frame without data (an id pin). */
    private static SseEvent parse(byte[] frame) {
        SseEvent[] found = new SseEvent[1];
        new SseParser(e -> found[0] = e).feed(frame);
        return found[0];
    }
}
