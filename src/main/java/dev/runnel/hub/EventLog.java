package dev.runnel.hub;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The ordered log a {@link Hub} fans out: it assigns every event its position and id (the sequencer),
 * delivers every event, in that one order, to the hub's {@link Tail} (this node's own appends too, and
 * only that way), and answers what a subscription needs: cursors, replay, the latest values of state
 * topics and what it knows of finite ones. Two implementations: the in-memory {@link MemoryEventLog} of a
 * single node (a local sequencer and a local tail) and the shared log of several nodes in Redis
 * ({@code dev.runnel.redis.SharedEventLog}: the sequencer is a Redis script, the tail reads the Redis
 * stream). Nothing outside the hub knows which one runs.
 *
 * <p>Positions are {@code 1, 2, 3, …} within an epoch, contiguous; an id is {@code <epoch>-<sequence>}.
 * The hub's consistency point is the position its tail has reached ({@code D}): a subscription reads
 * what it needs up to {@code D} under the hub's dispatch lock and receives what comes after {@code D}
 * live. So the reads marked <em>local</em> below are called under that lock and must never wait on a
 * network; the others may, and are called outside it.
 *
 * <p>Threading: thread-safe. {@link Tail} is called one call at a time, in log order.
 */
public interface EventLog extends AutoCloseable {
    /**
     * Starts delivering the log to {@code tail}: first {@link Tail#onEpoch} with the position delivery
     * starts after (at once for a local log; once the store is reached for a shared one), then events.
     * Called once.
     */
    void start(Tail tail);

    /** Whether the log takes and delivers events now: false until its store was reached, and while it is unreachable. */
    boolean available();

    /** The current epoch, or null before the log first reached its store. */
    String epoch();

    /** The id a client holds when it has seen everything up to {@code sequence} of the current epoch. */
    String idOf(long sequence);

    /** The newest position this node knows the log to hold (the sequencer's for a local log). */
    long head();

    /**
     * Logs a publication; never blocks. Completes with {@link Receipt.Status#ACCEPTED} (its id and position)
     * once the log holds it, or with {@link Receipt.Status#ENDED}, {@link Receipt.Status#STATE_LIMIT} or
     * {@link Receipt.Status#UNAVAILABLE}. The event reaches the tail afterwards, like everyone else's.
     *
     * @param kind           the topic's kind: the sequencer enforces finite ends and state limits
     * @param idempotencyKey null, or a key under which a repeated publish answers the first one's id and
     *                       logs nothing (remembered for the log's window)
     */
    CompletionStage<Receipt> append(Publication publication, TopicKind kind, String idempotencyKey);

    /** Judges a client's {@code Last-Event-ID} against the epoch and the range held. May wait on the store. */
    Cursor cursor(String lastEventId);

    /**
     * Makes what the local reads need of one topic local: a shared log loads a state topic's values or a
     * finite topic's record the first time a subscription names it. May wait on the store.
     */
    void prepare(String topic, TopicKind kind);

    /**
     * The events after {@code after} up to {@code upTo} (inclusive) whose topic passes, oldest first, read
     * from wherever the log keeps them. May wait on the store. Incomplete when the log no longer holds
     * all of them: the caller then resets the client instead of replaying with a hole.
     */
    Replay replay(long after, long upTo, Predicate<String> topics);

    /** Local: as {@link #replay}, from what this node holds; null when it does not hold all of them. */
    List<LoggedEvent> recent(long after, long upTo, Predicate<String> topics);

    /**
     * Local: the latest event per key of a state topic among those at or before {@code upTo}, oldest
     * first (a key whose latest value came later is left out: that value arrives live). Null when the
     * topic was not {@link #prepare prepared}.
     */
    List<LoggedEvent> state(String topic, long upTo);

    /** Local: what the log knows of a finite topic, or null when it knows no event of it. */
    FiniteTopic finite(String topic);

    /**
     * Local: true when no topic of {@code topics} is known to have published after {@code sequence}; a
     * topic the log does not remember is judged strictly (as if it had).
     */
    boolean quietSince(Collection<String> topics, long sequence);

    /** Local: the oldest position the log still holds; {@code head() + 1} when it holds none. */
    long oldest();

    /**
     * Events in the log whose {@link Tail#onEvents} call has not returned yet (this node's fan-out lag,
     * in events).
     */
    long backlog();

    /** How long the oldest of {@link #backlog} has waited for the tail, in milliseconds; 0 without one. */
    long lagMillis();

    /** What the log holds, for {@code /stats}. */
    Figures figures();

    /**
     * Waits until every event this node appended has been delivered to the tail (the tail's call has
     * returned): at shutdown, before the streams get their final frame.
     *
     * @return false if {@code timeoutMillis} passed first
     */
    boolean awaitTail(long timeoutMillis) throws InterruptedException;

    /** Stops delivering and appending; every thread the log started has ended when this returns. */
    @Override
    void close();

    /** A replay: the events in log order, and whether they are all that were logged in the range. */
    record Replay(List<LoggedEvent> events, boolean complete) {
        public static final Replay NONE = new Replay(List.of(), true);
        public static final Replay LOST = new Replay(List.of(), false);
    }

    /**
     * A finite topic as the log knows it.
     *
     * @param first its first event's position; {@code 1} when it published before what the log remembers
     * @param last  its newest event's position
     * @param end   its final event's position, 0 while it is open
     */
    record FiniteTopic(long first, long last, long end) {
        public boolean ended() {
            return end > 0;
        }
    }

    /** What the log holds: events and their bytes (this node's share for a shared log), state topics and keys. */
    record Figures(long events, long bytes, int stateTopics, long stateKeys) {}

    /** Receives the log, one call at a time, in log order: the hub's fan-out. */
    interface Tail {
        /** From now on the log is in {@code epoch}, and the next events follow position {@code after}. */
        void onEpoch(String epoch, long after);

        /**
         * {@code events[0..n)}: the next events of the current epoch, contiguous with what came before,
         * frames encoded. The array belongs to the log: read it during the call only.
         */
        void onEvents(LoggedEvent[] events, int n);

        /** Events after {@code after} and before {@code next} left the log before this node read them. */
        void onGap(long after, long next);

        /**
         * The events of the last {@link #onEvents} call no longer count in {@link EventLog#backlog} and
         * {@link EventLog#lagMillis}: the moment to let held publishes in.
         */
        void onDelivered();
    }
}
