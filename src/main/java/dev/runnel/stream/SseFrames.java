package dev.runnel.stream;

import dev.runnel.hub.LoggedEvent;
import dev.runnel.protocol.SseEncoder;
import java.util.List;

/**
 * Server-Sent Events: items are byte arrays, the frames of {@link ControlFrames}, and the events' own
 * frames ({@link LoggedEvent#frame}), encoded once when the log took them.
 *
 * <p>Threading: stateless.
 */
final class SseFrames implements Frames {
    static final SseFrames INSTANCE = new SseFrames();

    private SseFrames() {}

    static byte[] bytesOf(Object item) {
        return item instanceof LoggedEvent event ? event.frame() : (byte[]) item;
    }

    @Override
    public int size(Object item) {
        return bytesOf(item).length;
    }

    @Override
    public Object connected(String connection, List<String> topics, String cursor) {
        return ControlFrames.connected(connection, topics, cursor);
    }

    @Override
    public Object reset(String reason, String detail) {
        return ControlFrames.reset(reason, detail);
    }

    @Override
    public Object pin(String id) {
        return SseEncoder.idOnly(id);
    }

    @Override
    public Object heartbeat(String id) {
        return id == null ? ControlFrames.HEARTBEAT : ControlFrames.heartbeat(id);
    }

    @Override
    public Object goingAway(long retryMillis) {
        return ControlFrames.retry(retryMillis);
    }
}
