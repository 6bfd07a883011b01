package dev.runnel.chat;

import com.google.gson.JsonObject;

/**
 * A tool call the model asks for, assembled from its streamed pieces: the {@code index} among the
 * answer's calls, the call's {@code id}, the function's {@code name} and its {@code arguments} (JSON
 * text, as the model wrote it).
 *
 * <p>Threading: immutable.
 */
public record ToolCall(int index, String id, String name, String arguments) {
    JsonObject toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("index", index);
        json.addProperty("id", id);
        json.addProperty("name", name);
        json.addProperty("arguments", arguments);
        return json;
    }
}
