package dev.runnel.stream;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.runnel.protocol.SseEncoder;
import java.util.List;

/**
 * The frames Runnel itself sends, as opposed to published events. Only the heartbeat may carry an
 * {@code id:} (with no data, so no event fires): a position the stream has sent everything up to.
 * <pre>
 * retry: 3187
 *
 * event: connected
 * data: {"connection":"k3f9-12","topics":["news","stocks"],"cursor":"k3f9-1041"}
 *
 * event: reset
 * data: {"reason":"history-lost","detail":"…"}
 *
 * : keep-alive
 *
 * : keep-alive
 * id: k3f9-2210
 *
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

    /**
     * @param cursor where the stream joined the log, for a page that reopens the stream itself before
     *               any event came: its {@code last_event_id}; null leaves the field out
     */
    public static byte[] connected(String connectionId, List<String> topics, String cursor) {
        JsonObject data = new JsonObject();
        data.addProperty("connection", connectionId);
        JsonArray names = new JsonArray();
        topics.forEach(names::add);
        data.add("topics", names);
        if (cursor != null) {
            data.addProperty("cursor", cursor);
        }
        return SseEncoder.encode("connected", null, -1, data.toString());
    }

    /** The heartbeat with a bare {@code id:}: WHATWG sets the last event ID and, with no data, fires nothing. */
    public static byte[] heartbeat(String id) {
        byte[] idOnly = SseEncoder.idOnly(id);
        byte[] frame = java.util.Arrays.copyOf(HEARTBEAT, HEARTBEAT.length + idOnly.length);
        System.arraycopy(idOnly, 0, frame, HEARTBEAT.length, idOnly.length);
        return frame;
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
