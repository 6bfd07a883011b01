package dev.runnel.stream;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.runnel.hub.EventEncoding;
import dev.runnel.hub.LoggedEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The WebSocket transport's messages: JSON text, one message per event or control item.
 * <pre>
 * {"type":"connected","connection":"k3f9-w1","topics":["news"],"cursor":"k3f9-1041"}
 * {"type":"reset","reason":"history-lost","detail":"…"}
 * {"type":"event","topic":"news","event":"headline","id":"k3f9-1042","data":"…"}
 * {"type":"end","topics":["tasks/7"]}          after the final event of a finite topic
 * {"type":"cursor","id":"k3f9-2210"}           what SSE's bare id: carries (a snapshot's pin, a heartbeat's position)
 * </pre>
 * Heartbeats are pings; the going-away item is a close frame (1001). An event's message is made once
 * per event ({@link #EVENT}, memoised in the event) and shared by every WebSocket subscriber.
 *
 * <p>Threading: stateless; the items are immutable.
 */
public final class WebSocketFrames implements Frames {
    public static final WebSocketFrames INSTANCE = new WebSocketFrames();

    /** The event's message, and for the final event of a finite topic the {@code end} after it. */
    public static final EventEncoding<Message> EVENT = EventEncoding.of("websocket", WebSocketFrames::encode);

    /** A text message (or two: an event and the end of its topic); {@code bytes} is their UTF-8 length. */
    public record Message(String text, String then, int bytes) {
        static Message of(String text) {
            return new Message(text, null, utf8Length(text));
        }
    }

    /** A ping; with the position of a heartbeat, followed by a {@code cursor} message. */
    record Ping(Message cursor) {}

    /** A close frame: the connection ends after it. */
    record Close(int code, String reason) {}

    private static final Ping PING = new Ping(null);
    /** What a ping costs on the wire (a two-byte header, no payload). */
    private static final int PING_BYTES = 2;

    private WebSocketFrames() {}

    private static Message encode(LoggedEvent e) {
        JsonObject m = new JsonObject();
        m.addProperty("type", "event");
        m.addProperty("topic", e.topic());
        m.addProperty("event", e.event() == null ? "message" : e.event());
        m.addProperty("id", e.id());
        m.addProperty("data", e.data());
        String text = m.toString();
        if (!e.last()) {
            return Message.of(text);
        }
        String end = end(List.of(e.topic()));
        return new Message(text, end, utf8Length(text) + utf8Length(end));
    }

    /** The {@code end} message: these finite topics have ended. */
    public static String end(List<String> topics) {
        JsonObject m = new JsonObject();
        m.addProperty("type", "end");
        m.add("topics", array(topics));
        return m.toString();
    }

    /** The {@code error} message: the HTTP status and error code an HTTP answer would have had. */
    public static String error(int status, String error, String detail) {
        JsonObject m = new JsonObject();
        m.addProperty("type", "error");
        m.addProperty("status", status);
        m.addProperty("error", error);
        m.addProperty("detail", detail);
        return m.toString();
    }

    @Override
    public int size(Object item) {
        if (item instanceof LoggedEvent event) {
            return event.encoded(EVENT).bytes();
        }
        if (item instanceof Message message) {
            return message.bytes();
        }
        if (item instanceof Ping ping) {
            return PING_BYTES + (ping.cursor() == null ? 0 : ping.cursor().bytes());
        }
        return PING_BYTES + utf8Length(((Close) item).reason());
    }

    @Override
    public Object connected(String connection, List<String> topics, String cursor) {
        JsonObject m = new JsonObject();
        m.addProperty("type", "connected");
        m.addProperty("connection", connection);
        m.add("topics", array(topics));
        if (cursor != null) {
            m.addProperty("cursor", cursor);
        }
        return Message.of(m.toString());
    }

    @Override
    public Object reset(String reason, String detail) {
        JsonObject m = new JsonObject();
        m.addProperty("type", "reset");
        m.addProperty("reason", reason);
        if (detail != null) {
            m.addProperty("detail", detail);
        }
        return Message.of(m.toString());
    }

    @Override
    public Object pin(String id) {
        return cursor(id);
    }

    @Override
    public Object heartbeat(String id) {
        return id == null ? PING : new Ping(cursor(id));
    }

    @Override
    public Object goingAway(long retryMillis) {
        return new Close(1001, "going away; reconnect in " + retryMillis + " ms");
    }

    private static Message cursor(String id) {
        JsonObject m = new JsonObject();
        m.addProperty("type", "cursor");
        m.addProperty("id", id);
        return Message.of(m.toString());
    }

    private static JsonArray array(List<String> names) {
        JsonArray a = new JsonArray();
        names.forEach(a::add);
        return a;
    }

    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** A close reason fits the 123 bytes a close frame has for it. */
    static String fit(String reason) {
        if (reason == null) {
            return "";
        }
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 123) {
            return reason;
        }
        int n = 120;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--; // not in the middle of a character
        }
        return new String(b, 0, n, StandardCharsets.UTF_8) + "…";
    }
}
