package dev.runnel.hub;

/** How a topic treats its events. */
public enum TopicKind {
    /** Every event matters; a subscriber that falls too far behind is evicted and resumes from the log. */
    STREAM,
    /** Only the latest value per key matters: snapshot on subscribe, coalescing for slow subscribers. */
    STATE,
    /** Ends with a final event; the response then completes and a reconnect at the end gets 204. */
    FINITE
}
