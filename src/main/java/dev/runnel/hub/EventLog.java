package dev.runnel.hub;

import java.util.List;
import java.util.function.Predicate;

/**
 * The hub's ordered record of recent events: it assigns every event its position and id, and it is
 * the replay source for {@code Last-Event-ID}. The in-memory {@link MemoryEventLog} is the default;
 * nothing outside the hub knows which implementation runs.
 *
 * <p>Threading: implementations need not be thread-safe; the {@link Hub} calls them under its lock,
 * which is what makes "append" and "register a subscriber" one consistent order.
 */
public interface EventLog {
    /** The epoch of this log: part of every id, new at each start. */
    String epoch();

    /**
     * Appends an event at the next position and encodes its frame once.
     *
     * @param coalesceKey for state topics, the key under which newer events replace older ones; else null
     */
    LoggedEvent append(Publication publication, String coalesceKey);

    /** Judges a client's {@code Last-Event-ID}: null or empty gives {@link Cursor#NONE}. */
    Cursor cursor(String lastEventId);

    /**
     * The logged events after {@code sequence} whose topic passes the filter, oldest first. Only reads:
     * what {@link #cursor} has just judged covered is all still there.
     */
    List<LoggedEvent> after(long sequence, Predicate<String> topics);

    /** Sequence of the newest event, 0 when nothing was ever appended. */
    long headSequence();

    /** Sequence of the oldest event still held; {@code headSequence() + 1} when the log is empty. */
    long oldestSequence();

    /** The id a client holds when it has seen everything up to {@code sequence}. */
    String idOf(long sequence);

    /** Events currently held. */
    int size();

    /** About how much heap the held events take: their frames plus a fixed cost per event. */
    long bytes();
}
