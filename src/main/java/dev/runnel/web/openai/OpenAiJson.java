package dev.runnel.web.openai;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.runnel.chat.AnswerView;
import dev.runnel.chat.Failure;
import dev.runnel.chat.ToolCall;
import dev.runnel.chat.Usage;

/**
 * The JSON shapes of the OpenAI chat API that Runnel answers with: the non-streaming
 * {@code chat.completion}, errors ({@code {"error": {"message","type","code","param"}}}), usage and
 * tool calls; and which HTTP status a failed answer is reported with before its first chunk.
 *
 * <p>Threading: stateless.
 */
final class OpenAiJson {
    private OpenAiJson() {}

    static String completionId(String answerId) {
        return "chatcmpl-" + answerId;
    }

    /** OpenAI's finish reasons; a stopped answer is a {@code stop} there. */
    static String finishReason(String runnel) {
        return runnel.equals("cancelled") || runnel.equals("failed") ? "stop" : runnel;
    }

    static JsonObject usage(JsonObject runnel) {
        JsonObject usage = new JsonObject();
        usage.add("prompt_tokens", runnel.get("promptTokens"));
        usage.add("completion_tokens", runnel.get("completionTokens"));
        usage.add("total_tokens", runnel.get("totalTokens"));
        return usage;
    }

    static JsonObject usage(Usage u) {
        JsonObject usage = new JsonObject();
        usage.addProperty("prompt_tokens", u.promptTokens());
        usage.addProperty("completion_tokens", u.completionTokens());
        usage.addProperty("total_tokens", u.totalTokens());
        return usage;
    }

    /** A tool call from a {@code tool_call} event's data; {@code withIndex} for a streamed delta. */
    static JsonObject toolCall(JsonObject data, boolean withIndex) {
        JsonObject function = new JsonObject();
        function.add("name", data.get("name"));
        function.add("arguments", data.get("arguments"));
        JsonObject call = new JsonObject();
        if (withIndex) {
            call.add("index", data.get("index"));
        }
        call.add("id", data.get("id"));
        call.addProperty("type", "function");
        call.add("function", function);
        return call;
    }

    /** An OpenAI error object: {@code {"message","type","code","param"}}. */
    static JsonObject error(String message, String type, String code) {
        JsonObject error = new JsonObject();
        error.addProperty("message", message);
        error.addProperty("type", type);
        error.addProperty("code", code);
        error.add("param", JsonNull.INSTANCE);
        return error;
    }

    /** The error object for a {@code failed} event's data. */
    static JsonObject error(JsonObject failed) {
        String reason = failed.get("reason").getAsString();
        return error(failed.get("detail").getAsString(), type(reason), reason);
    }

    static JsonObject error(Failure f) {
        return error(f.detail(), type(f.reason()), f.reason());
    }

    /** The status a failure is answered with when nothing was streamed yet. */
    static int status(Failure f) {
        return switch (f.reason()) {
            case Failure.RATE_LIMITED -> 429;
            case Failure.OVERLOADED -> 503;
            case Failure.TIMEOUT -> 504;
            default -> 502;
        };
    }

    private static String type(String reason) {
        return switch (reason) {
            case Failure.RATE_LIMITED -> "rate_limit_error";
            case Failure.OVERLOADED -> "overloaded_error";
            case Failure.TIMEOUT -> "timeout_error";
            default -> "upstream_error";
        };
    }

    /** The non-streaming {@code chat.completion} of an ended answer. */
    static JsonObject completion(AnswerView a) {
        JsonObject message = new JsonObject();
        message.addProperty("role", "assistant");
        message.addProperty("content", a.text());
        if (!a.reasoning().isEmpty()) {
            message.addProperty("reasoning_content", a.reasoning());
        }
        if (!a.toolCalls().isEmpty()) {
            JsonArray calls = new JsonArray();
            for (ToolCall c : a.toolCalls()) {
                JsonObject data = new JsonObject();
                data.addProperty("id", c.id());
                data.addProperty("name", c.name());
                data.addProperty("arguments", c.arguments());
                calls.add(toolCall(data, false));
            }
            message.add("tool_calls", calls);
        }
        JsonObject choice = new JsonObject();
        choice.addProperty("index", 0);
        choice.add("message", message);
        choice.addProperty("finish_reason", finishReason(a.finishReason()));
        JsonArray choices = new JsonArray();
        choices.add(choice);
        JsonObject completion = new JsonObject();
        completion.addProperty("id", completionId(a.id()));
        completion.addProperty("object", "chat.completion");
        completion.addProperty("created", a.createdMillis() / 1000);
        completion.addProperty("model", a.model());
        completion.add("choices", choices);
        if (a.usage() != null) {
            completion.add("usage", usage(a.usage()));
        }
        return completion;
    }
}
