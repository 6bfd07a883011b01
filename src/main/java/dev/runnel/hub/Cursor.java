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

    private static final int MAX_SEQUENCE_DIGITS = 18;

    /**
     * Judges a client's id against a log in {@code epoch} that holds the events {@code oldest..head}:
     * null or empty gives {@link #NONE}; an id that is not {@code <epoch>-<sequence>} or is ahead of the
     * head is malformed, one of another epoch unknown, one before {@code oldest - 1} history-lost.
     */
    public static Cursor judge(String lastEventId, String epoch, long oldest, long head) {
        if (lastEventId == null || lastEventId.isEmpty()) {
            return NONE;
        }
        int dash = lastEventId.lastIndexOf('-');
        if (dash <= 0 || !isEpoch(lastEventId.substring(0, dash))) {
            return invalid(Status.MALFORMED, "not an id of the form <epoch>-<sequence>");
        }
        String sequenceText = lastEventId.substring(dash + 1);
        if (sequenceText.isEmpty() || sequenceText.length() > MAX_SEQUENCE_DIGITS || !allDigits(sequenceText)) {
            return invalid(Status.MALFORMED, "the sequence after '-' is not a decimal number");
        }
        if (dash != epoch.length() || !lastEventId.regionMatches(0, epoch, 0, dash)) {
            return invalid(Status.UNKNOWN_EPOCH, "the id is from another epoch of the log (the server restarted,"
                    + " or the shared log lost its data); current epoch " + epoch);
        }
        long sequence = Long.parseLong(sequenceText);
        if (sequence > head) {
            return invalid(Status.MALFORMED, "the id is ahead of the newest event " + epoch + "-" + head);
        }
        if (sequence < oldest - 1) {
            return new Cursor(Status.HISTORY_LOST, sequence, "events after " + lastEventId
                    + " are no longer held; the oldest held is " + epoch + "-" + oldest);
        }
        return valid(sequence);
    }

    /** The sequence of {@code lastEventId} when it is an id of {@code epoch}, else -1. */
    public static long sequenceIn(String lastEventId, String epoch) {
        if (lastEventId == null || lastEventId.length() <= epoch.length() + 1 || !lastEventId.startsWith(epoch)
                || lastEventId.charAt(epoch.length()) != '-') {
            return -1;
        }
        String digits = lastEventId.substring(epoch.length() + 1);
        return digits.length() <= MAX_SEQUENCE_DIGITS && allDigits(digits) ? Long.parseLong(digits) : -1;
    }

    /** Whether {@code s} can be an epoch: 1 to 16 of {@code 0-9 a-z}. */
    public static boolean isEpoch(String s) {
        if (s.isEmpty() || s.length() > 16) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
