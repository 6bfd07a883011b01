package dev.runnel.hub;

import dev.runnel.protocol.SseEncoder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The default {@link EventLog}: a ring buffer of the last {@code capacity} events, holding at most
 * {@code maxBytes} of them (each event counts its frame, its payload and {@link #ENTRY_OVERHEAD_BYTES}) and none
 * older than {@code maxAgeMillis}: whichever bound is reached first drops the oldest events. The
 * newest event is always held, however large. Ids are {@code <epoch>-<sequence>}; the epoch is random
 * per instance, so an id from before a restart is recognisably foreign.
 *
 * <p>Age is measured on a monotonic clock ({@link System#nanoTime}), never on wall-clock time: a
 * clock step (NTP, a suspended VM) must neither empty the log nor keep old events for ever.
 *
 * <p>Because sequences are contiguous, the position of any held sequence in the ring is computed,
 * not searched: a replay seeks in O(1) and then scans only what it returns or filters out.
 *
 * <p>Threading: not thread-safe; the {@link Hub} serializes every call.
 */
public final class MemoryEventLog implements EventLog {
    private static final int MAX_SEQUENCE_DIGITS = 18;
    /**
     * What a held event costs besides its frame's bytes, on a 64-bit JVM with compressed references:
     * the {@link LoggedEvent} (about 56 bytes), its id string (about 56), the frame array's header
     * (16), the topic, event name and state key strings when not shared with other events (about 40
     * each plus their characters), and its ring slot. Rounded up, so the bound errs on the safe side.
     */
    public static final int ENTRY_OVERHEAD_BYTES = 256;

    private final String epoch;
    private final LoggedEvent[] ring;
    private final long maxBytes;
    private final long maxAgeMillis;
    private final LongSupplier clock;
    private long head;      // sequence of the newest event, 0 if none
    private long oldest = 1; // sequence of the oldest held event; head + 1 when empty
    private long bytes;     // held events' frames plus their overhead

    /** A log bounded by count and age only (benchmarks and tests). */
    public MemoryEventLog(int capacity, long maxAgeMillis) {
        this(capacity, Long.MAX_VALUE, maxAgeMillis);
    }

    /** The production log: a fresh epoch, age on the monotonic clock. */
    public MemoryEventLog(int capacity, long maxBytes, long maxAgeMillis) {
        this(capacity, maxBytes, maxAgeMillis, MemoryEventLog::monotonicMillis, newEpoch());
    }

    /** For tests: a given clock and epoch, no byte bound. */
    public MemoryEventLog(int capacity, long maxAgeMillis, LongSupplier clock, String epoch) {
        this(capacity, Long.MAX_VALUE, maxAgeMillis, clock, epoch);
    }

    /**
     * @param clock milliseconds on a clock that only moves forward; only differences are used, so
     *              it may start anywhere (even below zero, as {@link System#nanoTime} may)
     */
    public MemoryEventLog(int capacity, long maxBytes, long maxAgeMillis, LongSupplier clock, String epoch) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
        }
        if (maxAgeMillis <= 0) {
            throw new IllegalArgumentException("maxAgeMillis: " + maxAgeMillis + " (expected: > 0)");
        }
        if (!isEpochShaped(epoch)) {
            throw new IllegalArgumentException("epoch: \"" + epoch + "\" (expected: 1 to 16 of 0-9 a-z)");
        }
        this.ring = new LoggedEvent[capacity];
        this.maxBytes = maxBytes;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
        this.epoch = epoch;
    }

    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /** A fresh epoch: 10 base-36 characters of randomness. */
    public static String newEpoch() {
        long bits = new SecureRandom().nextLong() >>> 12;
        String s = Long.toString(bits, 36);
        return s.length() > 10 ? s.substring(0, 10) : s;
    }

    @Override
    public String epoch() {
        return epoch;
    }

    @Override
    public LoggedEvent append(Publication p, String coalesceKey) {
        long now = clock.getAsLong();
        long sequence = head + 1;
        String id = idOf(sequence);
        byte[] frame = SseEncoder.encode(p.event(), id, -1, p.data());
        LoggedEvent event = new LoggedEvent(sequence, id, p.topic(), p.event(), p.data(), p.last(), now, frame, coalesceKey);
        if (sequence - oldest >= ring.length) {
            dropOldest();
        }
        ring[slot(sequence)] = event;
        head = sequence;
        bytes += footprint(event);
        while (bytes > maxBytes && oldest < head) {
            dropOldest();
        }
        expire(now);
        return event;
    }

    @Override
    public Cursor cursor(String lastEventId) {
        // Expire here, and not again in after(): a cursor judged valid must keep its whole replay.
        expire(clock.getAsLong());
        if (lastEventId == null || lastEventId.isEmpty()) {
            return Cursor.NONE;
        }
        int dash = lastEventId.lastIndexOf('-');
        if (dash <= 0 || !isEpochShaped(lastEventId.substring(0, dash))) {
            return Cursor.invalid(Cursor.Status.MALFORMED, "not an id of the form <epoch>-<sequence>");
        }
        String sequenceText = lastEventId.substring(dash + 1);
        if (sequenceText.isEmpty() || sequenceText.length() > MAX_SEQUENCE_DIGITS || !allDigits(sequenceText)) {
            return Cursor.invalid(Cursor.Status.MALFORMED, "the sequence after '-' is not a decimal number");
        }
        if (!lastEventId.regionMatches(0, epoch, 0, dash) || dash != epoch.length()) {
            return Cursor.invalid(Cursor.Status.UNKNOWN_EPOCH,
                    "the id is from another epoch of the log (the server restarted); current epoch " + epoch);
        }
        long sequence = Long.parseLong(sequenceText);
        if (sequence > head) {
            return Cursor.invalid(Cursor.Status.MALFORMED, "the id is ahead of the newest event " + idOf(head));
        }
        if (sequence < oldest - 1) {
            return new Cursor(Cursor.Status.HISTORY_LOST, sequence, "events after " + lastEventId
                    + " are no longer held; the oldest held is " + idOf(oldest));
        }
        return Cursor.valid(sequence);
    }

    @Override
    public List<LoggedEvent> after(long sequence, Predicate<String> topics) {
        long from = Math.max(sequence + 1, oldest);
        List<LoggedEvent> out = new ArrayList<>();
        for (long s = from; s <= head; s++) {
            LoggedEvent event = ring[slot(s)];
            if (topics.test(event.topic())) {
                out.add(event);
            }
        }
        return out;
    }

    @Override
    public long headSequence() {
        return head;
    }

    @Override
    public long oldestSequence() {
        return oldest;
    }

    @Override
    public String idOf(long sequence) {
        return epoch + "-" + sequence;
    }

    @Override
    public int size() {
        return (int) (head - oldest + 1);
    }

    @Override
    public long bytes() {
        return bytes;
    }

    /**
     * What one held event counts against {@code maxBytes}: its frame, its payload (a character a byte,
     * as a Latin-1 string holds it; the other encodings are made from it) and the fixed overhead.
     */
    static long footprint(LoggedEvent event) {
        return event.frame().length + (long) event.data().length() + ENTRY_OVERHEAD_BYTES;
    }

    private void expire(long now) {
        while (oldest <= head && now - ring[slot(oldest)].timeMillis() > maxAgeMillis) {
            dropOldest();
        }
    }

    private void dropOldest() {
        int slot = slot(oldest);
        bytes -= footprint(ring[slot]);
        ring[slot] = null;
        oldest++;
    }

    private int slot(long sequence) {
        return (int) (sequence % ring.length);
    }

    private static boolean isEpochShaped(String s) {
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

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "MemoryEventLog[epoch=%s, held=%d..%d]", epoch, oldest, head);
    }
}
