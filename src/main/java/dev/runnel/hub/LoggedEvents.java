package dev.runnel.hub;

import dev.runnel.protocol.SseEncoder;

/**
 * Builds a {@link LoggedEvent} for a log that lives outside this package (the shared log in
 * {@code dev.runnel.redis}): each node rebuilds the events it reads from the shared log and encodes
 * every frame once, exactly as the in-memory log does when it appends.
 *
 * <p>Threading: stateless.
 */
public final class LoggedEvents {
    private LoggedEvents() {}

    /**
     * An event at {@code sequence} of its log, its frame encoded now.
     *
     * @param event    the event name, or null for the default {@code message}
     * @param stateKey for state topics, the key under which newer events replace older ones; else null
     */
    public static LoggedEvent of(long sequence, String id, String topic, String event, String data, boolean last,
            long timeMillis, String stateKey) {
        byte[] frame = SseEncoder.encode(event, id, -1, data);
        return new LoggedEvent(sequence, id, topic, event, data, last, timeMillis, frame,
                stateKey == null ? null : coalesceKey(topic, stateKey));
    }

    /** The key under which the hub coalesces a state topic's events: the topic and the state key joined. */
    public static String coalesceKey(String topic, String stateKey) {
        return topic + '\u0000' + stateKey;
    }

    /** A state topic's key for a publication: its key, else its event name, else {@code message}. */
    public static String stateKey(Publication p) {
        if (p.key() != null) {
            return p.key();
        }
        return p.event() != null ? p.event() : "message";
    }
}
