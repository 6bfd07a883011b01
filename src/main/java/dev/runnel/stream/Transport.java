package dev.runnel.stream;

import java.io.IOException;

/**
 * The writer of one kind of connection: what differs between transports under one {@link EventStream}
 * (servlet output with {@code WriteListener}, WebSocket async sends). It follows the servlet's
 * non-blocking contract whatever the transport: after {@link #isReady} answered false, the transport
 * owes its stream one {@link EventStream#onWritePossible}; it reports a failed write with
 * {@link EventStream#onError}. The stream calls it from one owner at a time, never concurrently.
 *
 * <p>Queue items are {@link dev.runnel.hub.LoggedEvent}s and the control items of {@link #frames}.
 *
 * <p>Threading: called by the thread that owns the stream's output; {@link #start} once, by the
 * subscribing thread; {@link #complete} at most once, never while a write of the stream is under way.
 */
public interface Transport {
    /** The encoding of this transport's items: sizes and control frames. */
    Frames frames();

    /** Starts the writes: the transport calls {@code stream.onWritePossible()} once it can take some. */
    void start(EventStream stream);

    boolean isReady() throws IOException;

    /** Writes {@code items[0..count)} in order; returns the bytes it handed to the connection. */
    long write(Object[] items, int count) throws IOException;

    void flush() throws IOException;

    /** Ends the connection; {@code ending} says why, {@code reason} in words (for a close frame, say). */
    void complete(Ending ending, String reason);

    /** How a stream ended, for transports whose close carries it (a WebSocket close code). */
    enum Ending {
        /** Everything was sent: finite topics ended, or a final frame after a deadline or at shutdown. */
        FINISHED,
        /** The client could not keep up (queue bound, write timeout): it resumes from the log. */
        EVICTED,
        /** A write failed, or the container reported an error: the connection is gone. */
        FAILED,
        /** Closed on purpose, dropping what was queued (shutdown grace over, the hub dropped it). */
        CLOSED
    }
}
