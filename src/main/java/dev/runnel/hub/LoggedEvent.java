package dev.runnel.hub;

/**
 * An event as the log holds it: its position, its id and its SSE frame, encoded once and shared by
 * every subscriber that receives it (the frame array is never modified after construction).
 *
 * <p>Threading: immutable.
 */
public final class LoggedEvent {
    private final long sequence;
    private final String id;
    private final String topic;
    private final String event;
    private final boolean last;
    private final long timeMillis;
    private final byte[] frame;
    private final String coalesceKey;

    LoggedEvent(long sequence, String id, String topic, String event, boolean last, long timeMillis,
            byte[] frame, String coalesceKey) {
        this.sequence = sequence;
        this.id = id;
        this.topic = topic;
        this.event = event;
        this.last = last;
        this.timeMillis = timeMillis;
        this.frame = frame;
        this.coalesceKey = coalesceKey;
    }

    /** Position in the log: 1, 2, 3, … within one epoch. */
    public long sequence() {
        return sequence;
    }

    /** The opaque id written in the frame's {@code id:} field. */
    public String id() {
        return id;
    }

    public String topic() {
        return topic;
    }

    /** The event name, or null for the default {@code message}. */
    public String event() {
        return event;
    }

    /** True for the final event of a finite topic. */
    public boolean last() {
        return last;
    }

    /**
     * When the log took the event, in milliseconds of the log's own monotonic clock: good for ages
     * (differences), not a date.
     */
    public long timeMillis() {
        return timeMillis;
    }

    /** The encoded frame. Shared: callers must not modify it. */
    public byte[] frame() {
        return frame;
    }

    /** For state topics, topic and key joined: a newer event with the same key replaces this one. */
    public String coalesceKey() {
        return coalesceKey;
    }

    /**
     * The same event (position, id, topic, kind of end) with another encoding: a view of the log in
     * another wire format. {@code frame} is shared from now on and must not be modified.
     */
    public LoggedEvent withFrame(byte[] frame) {
        return new LoggedEvent(sequence, id, topic, event, last, timeMillis, frame, coalesceKey);
    }

    @Override
    public String toString() {
        return "LoggedEvent[" + id + " " + topic + (event == null ? "" : " " + event) + (last ? " last" : "") + "]";
    }
}
