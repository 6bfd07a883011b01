package dev.runnel.hub;

/**
 * The receiving end of a subscription: in practice one SSE connection.
 *
 * <p>Threading: {@link #open} is called once, by the subscribing thread under the hub's lock, before
 * any {@link #offer}; {@link #offer}, {@link #end} and {@link #close} are then called by the hub's
 * fan-out, one call at a time. None of them may block or do I/O: they enqueue and return.
 */
public interface Subscriber {
    /** The opening of the stream: an optional reset, then snapshot or replay, then an optional id pin. */
    void open(Opening opening);

    /**
     * Takes a live event. Returns false when it was not accepted: the subscriber is closed, or it
     * could not keep up and closes itself (it is then unsubscribed; the client resumes from the log).
     */
    boolean offer(LoggedEvent event);

    /**
     * Takes the live events {@code events[from..to)}, in order, as consecutive {@link #offer} calls
     * would, stopping at the first one not accepted. Returns whether all were accepted. The fan-out
     * hands a subscriber a run of queued events at once so that it touches each subscriber once per
     * run instead of once per event; implementations may override it to take the run in one step.
     */
    default boolean offerAll(LoggedEvent[] events, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!offer(events[i])) {
                return false;
            }
        }
        return true;
    }

    /** Every topic of the subscription is finite and has ended: finish after what is queued. */
    void end();

    /**
     * The hub has dropped this subscriber because taking an event failed (it threw): close, so that
     * the client comes back and resumes from the log instead of waiting on a subscription that gets
     * nothing. Idempotent.
     */
    void close(String reason);
}
