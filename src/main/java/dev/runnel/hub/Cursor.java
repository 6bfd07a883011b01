package dev.runnel.hub;

/**
 * Where a subscriber asks to resume, as the log judges it. Made by {@link EventLog#cursor(String)}.
 *
 * @param status   what the id means to this log
 * @param sequence for {@link Status#VALID} and {@link Status#HISTORY_LOST}, the sequence of the last
 *                 event the client has
 * @param detail   for the other statuses, a human-readable reason
 */
public record Cursor(Status status, long sequence, String detail) {
    public enum Status {
        /** No cursor was given: a fresh subscription. */
        NONE(null),
        /** The log holds every event after this position. */
        VALID(null),
        /** The log no longer holds every event after this position. */
        HISTORY_LOST("history-lost"),
        /** The id belongs to another epoch of the log (before a restart, or another log). */
        UNKNOWN_EPOCH("unknown-epoch"),
        /** The id is not one this log could have issued. */
        MALFORMED("malformed-id");

        private final String resetReason;

        Status(String resetReason) {
            this.resetReason = resetReason;
        }

        /** The {@code reason} of the {@code reset} event this status causes, or null for none. */
        public String resetReason() {
            return resetReason;
        }
    }

    public static final Cursor NONE = new Cursor(Status.NONE, 0, null);

    public static Cursor valid(long sequence) {
        return new Cursor(Status.VALID, sequence, null);
    }

    public static Cursor invalid(Status status, String detail) {
        return new Cursor(status, 0, detail);
    }

    public boolean isValid() {
        return status == Status.VALID;
    }
}
