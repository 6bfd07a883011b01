package dev.runnel.stream;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.runnel.protocol.SseEncoder;
import java.util.List;

/**
 * The frames Runnel itself sends, as opposed to published events. None carries an {@code id:}, so
 * none moves the client's cursor.
 * <pre>
 * retry: 3187
 *
 * event: connected
 * data: {"connection":"k3f9-12","topics":["news","stocks"]}
 *
 * event: reset
 * data: {"reason":"history-lost","detail":"…"}
 *
 * : keep-alive
 * </pre>
 *
 * <p>Threading: stateless.
 */
public final class ControlFrames {
    /** The heartbeat: a comment, which the client's parser skips, but which proves the socket alive. */
    public static final byte[] HEARTBEAT = SseEncoder.comment("keep-alive");

    private ControlFrames() {}

    public static byte[] retry(long millis) {
        return SseEncoder.retry(millis);
    }

    public static byte[] connected(String connectionId, List<String> topics) {
        JsonObject data = new JsonObject();
        data.addProperty("connection", connectionId);
        JsonArray names = new JsonArray();
        topics.forEach(names::add);
        data.add("topics", names);
        return SseEncoder.encode("connected", null, -1, data.toString());
    }

    public static byte[] reset(String reason, String detail) {
        JsonObject data = new JsonObject();
        data.addProperty("reason", reason);
        if (detail != null) {
            data.addProperty("detail", detail);
        }
        return SseEncoder.encode("reset", null, -1, data.toString());
    }
}
