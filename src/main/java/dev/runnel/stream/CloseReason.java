package dev.runnel.stream;

/**
 * Why a stream closed, in a few kinds an operator can count and alert on (the {@code reason} label of
 * {@code runnel_streams_closed_total}, the {@code reason} of the close log line); the stream's own
 * {@link SseStream#closeReason} keeps the detail. Judged from that detail, whose prefixes the close
 * paths of this package write.
 *
 * <p>Threading: immutable.
 */
public enum CloseReason {
    /** Every topic was finite and has ended: the stream completed as it should. */
    ENDED("ended"),
    /** The client went away: a failed write, the container's error, timeout or completion. */
    CLIENT("client"),
    /** Evicted: a live frame did not fit in {@code runnel.stream.queueBytes}. */
    QUEUE("queue"),
    /** Evicted: a write waited longer than {@code runnel.stream.writeTimeout}. */
    WRITE_TIMEOUT("write_timeout"),
    /** Its token expired or {@code runnel.stream.maxLifetime} passed. */
    DEADLINE("deadline"),
    /** The server shut down (or its dispatcher stopped). */
    SHUTDOWN("shutdown"),
    /** An operator closed it ({@code DELETE /admin/streams/<id>}). */
    OPERATOR("operator"),
    /** A bug: an {@link Error} while writing it, or the fan-out failed to hand it an event. */
    ERROR("error"),
    /** Anything else (tests, for instance). */
    OTHER("other");

    /** The detail an operator's close carries (its prefix is what {@link #of} recognises). */
    public static final String BY_OPERATOR = "operator: closed from the admin console";

    private final String label;

    CloseReason(String label) {
        this.label = label;
    }

    /** The label value: lower case, {@code [a-z_]}. */
    public String label() {
        return label;
    }

    /** The kind of a close whose detail is {@code detail} (null: the stream ended on its own). */
    public static CloseReason of(String detail) {
        if (detail == null) {
            return ENDED;
        }
        if (detail.startsWith("evicted: a write waited")) {
            return WRITE_TIMEOUT;
        }
        if (detail.startsWith("evicted")) {
            return QUEUE;
        }
        if (detail.startsWith("write failed") || detail.startsWith("completed by the container")
                || detail.startsWith("timed out") || detail.startsWith("container error")
                || detail.startsWith("websocket error")) {
            return CLIENT;
        }
        if (detail.startsWith("deadline")) {
            return DEADLINE;
        }
        if (detail.startsWith("shutdown") || detail.startsWith("dispatcher stopped")
                || detail.startsWith("the server is shutting down") || detail.startsWith("refused")) {
            return SHUTDOWN;
        }
        if (detail.startsWith("operator")) {
            return OPERATOR;
        }
        if (detail.startsWith("drain failed") || detail.startsWith("the fan-out failed")) {
            return ERROR;
        }
        return OTHER;
    }
}
