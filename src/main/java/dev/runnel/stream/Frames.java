package dev.runnel.stream;

import java.util.List;

/**
 * A transport's encoding of what goes through a stream's queue: the size of each item, counted
 * against {@code runnel.stream.queueBytes}, and the control items Runnel itself sends. A control item
 * is an opaque object only the same transport writes. Pure: no I/O, no state.
 *
 * <p>Threading: stateless.
 */
public interface Frames {
    /** Bytes {@code item} (an event or a control item of this encoding) takes on the wire. */
    int size(Object item);

    /** The {@code connected} item: the connection's id, its topics, where it joined (null: none). */
    Object connected(String connection, List<String> topics, String cursor);

    /** The {@code reset} item: the reason and, or null, its detail. */
    Object reset(String reason, String detail);

    /** A position handed to the client without an event, or null when this transport has none to send. */
    Object pin(String id);

    /** The heartbeat; with {@code id} (or null) the position the client has everything up to. */
    Object heartbeat(String id);

    /** The last item before a stream ends at a deadline or at shutdown: the client comes back after it. */
    Object goingAway(long retryMillis);
}
