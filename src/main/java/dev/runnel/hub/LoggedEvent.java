package dev.runnel.hub;

/**
 * An event as the log holds it: its position, its id, its payload and its SSE frame, encoded once and
 * shared by every subscriber that receives it (the frame array is never modified after construction).
 * Other transports' encodings (a WebSocket message, a long-poll entry) are made from the payload on
 * first use and memoised here ({@link #encoded}): once per event and transport, however many
 * subscribers receive it.
 *
 * <p>Threading: thread-safe; immutable but for the memo, which publishes each encoding safely.
 */
public final class LoggedEvent {
    private static final Object[] NO_ENCODINGS = new Object[0];

    private final long sequence;
    private final String id;
    private final String topic;
    private final String event;
    private final boolean last;
    private final long timeMillis;
    private final byte[] frame;
    private final String coalesceKey;
    private final String data;
    private volatile Object[] encodings = NO_ENCODINGS; // by EventEncoding slot; replaced, never changed
    private final long loggedNanos;

    LoggedEvent(long sequence, String id, String topic, String event, String data, boolean last, long timeMillis,
            byte[] frame, String coalesceKey) {
        this(sequence, id, topic, event, data, last, timeMillis, frame, coalesceKey, System.nanoTime());
    }

    private LoggedEvent(long sequence, String id, String topic, String event, String data, boolean last,
            long timeMillis, byte[] frame, String coalesceKey, long loggedNanos) {
        this.sequence = sequence;
        this.id = id;
        this.topic = topic;
        this.event = event;
        this.last = last;
        this.timeMillis = timeMillis;
        this.frame = frame;
        this.coalesceKey = coalesceKey;
        this.data = data;
        this.loggedNanos = loggedNanos;
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

    /** The payload as published: the SSE frame's {@code data:} lines joined. */
    public String data() {
        return data;
    }

    /**
     * This event in {@code encoding}: made on first use, then the same object for every caller. Two
     * threads asking at once may both encode it; one result is kept, and encodings are pure.
     */
    @SuppressWarnings("unchecked")
    public <T> T encoded(EventEncoding<T> encoding) {
        int slot = encoding.slot;
        Object[] held = encodings;
        if (slot < held.length && held[slot] != null) {
            return (T) held[slot];
        }
        T value = encoding.encode(this);
        synchronized (this) {
            held = encodings;
            if (slot < held.length && held[slot] != null) {
                return (T) held[slot];
            }
            Object[] grown = java.util.Arrays.copyOf(held, Math.max(held.length, slot + 1));
            grown[slot] = value;
            encodings = grown; // the volatile write publishes the array and what it holds
        }
        return value;

    }

    /**
     * When this node's log took the event ({@link System#nanoTime}): where its delivery latency is
     * measured from. For the in-memory log, the append; for a log shared by several nodes, when this
     * node read the event.
     */
    public long loggedNanos() {
        return loggedNanos;
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
     * another wire format, taken by the log when this one was (its delivery latency counts from then).
     * {@code frame} is shared from now on and must not be modified.
     */
    public LoggedEvent withFrame(byte[] frame) {
        return new LoggedEvent(sequence, id, topic, event, data, last, timeMillis, frame, coalesceKey, loggedNanos);
    }

    @Override
    public String toString() {
        return "LoggedEvent[" + id + " " + topic + (event == null ? "" : " " + event) + (last ? " last" : "") + "]";
    }
}
