package dev.runnel.chat;

import com.google.gson.JsonObject;

/**
 * Token counts of one answer, as the model reports them ({@code usage} of an OpenAI response).
 *
 * <p>Threading: immutable.
 */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("usage: negative count " + promptTokens + "/" + completionTokens + "/"
                    + totalTokens + " (expected: >= 0)");
        }
    }

    public static Usage of(long promptTokens, long completionTokens) {
        return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
    }

    /** {@code {"promptTokens":…,"completionTokens":…,"totalTokens":…}}, as Runnel's events carry it. */
    JsonObject toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("promptTokens", promptTokens);
        json.addProperty("completionTokens", completionTokens);
        json.addProperty("totalTokens", totalTokens);
        return json;
    }

    /** The usage in an event's JSON, or null. */
    public static Usage fromJson(JsonObject json) {
        if (json == null) {
            return null;
        }
        return new Usage(json.get("promptTokens").getAsLong(), json.get("completionTokens").getAsLong(),
                json.get("totalTokens").getAsLong());
    }
}
