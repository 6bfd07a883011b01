package dev.runnel.hub;

/**
 * The hub's answer to one publish: the event is in the log, with its id, or it is not, and why. Every
 * publisher gets one ({@link Hub#publish} completes with it) and decides what a refusal means for
 * it: {@link #status()} is an enum, so a {@code switch} expression over it must name every outcome.
 *
 * <p>Only {@link Status#ACCEPTED} means the event was logged; nothing else ever reaches a subscriber.
 *
 * <p>Threading: immutable.
 *
 * @param id       the event's id ({@code <epoch>-<sequence>}) when accepted, else null
 * @param sequence the event's position when accepted (for {@link Status#ENDED}: the final event's), else 0
 * @param detail   for a refusal, a reason for people; else null
 */
public record Receipt(Status status, String id, long sequence, String detail) {
    /** What became of a publication. */
    public enum Status {
        /** In the log; subscribers receive it. */
        ACCEPTED(false),
        /** The finite topic has already ended ({@code sequence}: its final event). Not logged, ever. */
        ENDED(false),
        /** A new key or state topic beyond the state limits. Not logged; a retry needs room first. */
        STATE_LIMIT(false),
        /** The fan-out is behind by its bound for longer than a publish may be held back. Not logged; retry soon. */
        BACKLOGGED(true),
        /** The log's store cannot be reached (the shared log's Redis). Not logged; retry soon. */
        UNAVAILABLE(true),
        /** The hub is shutting down. Not logged. */
        CLOSED(true),
        /** Held back, and replaced by a newer value for the same state key before it was logged. */
        SUPERSEDED(false);

        private final boolean retryLater;

        Status(boolean retryLater) {
            this.retryLater = retryLater;
        }

        /** Whether the same publication may succeed a little later (an HTTP {@code 503}). */
        public boolean retryLater() {
            return retryLater;
        }
    }

    public static Receipt accepted(String id, long sequence) {
        return new Receipt(Status.ACCEPTED, id, sequence, null);
    }

    public static Receipt accepted(LoggedEvent event) {
        return new Receipt(Status.ACCEPTED, event.id(), event.sequence(), null);
    }

    public static Receipt refused(Status status, String detail) {
        if (status == Status.ACCEPTED) {
            throw new IllegalArgumentException("status: ACCEPTED (expected: a refusal)");
        }
        return new Receipt(status, null, 0, detail);
    }

    /** A publish to the ended finite topic {@code topic}, whose final event is {@code endId}. */
    public static Receipt ended(String topic, String endId, long endSequence) {
        return new Receipt(Status.ENDED, null, endSequence, "topic \"" + topic + "\" has ended with " + endId
                + " (finite topics take no event after their final one)");
    }

    public boolean isAccepted() {
        return status == Status.ACCEPTED;
    }
}
