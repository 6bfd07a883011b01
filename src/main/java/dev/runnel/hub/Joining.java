package dev.runnel.hub;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One subscription on its way in: what it needs before live events, worked out in two steps around
 * the hub's consistency point, the dispatch position {@code D}. {@link #plan} and {@link #readEarly}
 * run outside any lock (they may wait on a shared log: the cursor, a replay older than this node's
 * cache, in bounded batches); {@link #join} runs under the hub's dispatch lock, takes the rest from the
 * log's local cache up to {@code D}, and says where live delivery starts. Events after {@code D} can
 * only reach the subscriber through the fan-out, after it has joined, so the hand-over has no gap and
 * no duplicate.
 *
 * <p>The opening is one of: a replay after a valid cursor; nothing, for a cursor the log no longer
 * covers but whose topics were quiet since; or a resync: an optional {@code reset}, the snapshot (the
 * latest value per key of state topics, the held history of finite ones) and an id pin.
 *
 * <p>Threading: confined to the subscribing thread.
 */
final class Joining {
    private enum Way { REPLAY, QUIET, RESYNC }

    /** What {@link #join} decided: the opening, and where live delivery starts for the subscription. */
    record Joined(Opening opening, long startAfter, Set<String> openFinite) {}

    private final EventLog log;
    private final List<String> names;
    private final Set<String> nameSet;
    private final List<String> finite = new ArrayList<>();
    private final List<String> state = new ArrayList<>();
    private final boolean allFinite;
    private final Cursor cursor;
    private Way way;
    private long from = -1;                 // replay the events after this position, or -1 for none
    private Predicate<String> replayed;     // of these topics
    private String cut;                     // a finite topic whose first events left the log
    private EventLog.Replay early = EventLog.Replay.NONE;
    private long earlyUpTo;

    private Joining(EventLog log, List<String> names, TopicKinds kinds, Cursor cursor) {
        this.log = log;
        this.names = names;
        this.nameSet = new HashSet<>(names);
        this.cursor = cursor;
        for (String name : names) {
            switch (kinds.kindOf(name)) {
                case FINITE -> finite.add(name);
                case STATE -> state.add(name);
                case STREAM -> { }
            }
        }
        this.allFinite = finite.size() == names.size();
    }

    /** Step one, outside any lock: how the subscription opens, and what must be replayed for it. */
    static Joining plan(EventLog log, List<String> names, TopicKinds kinds, Cursor cursor) {
        Joining j = new Joining(log, names, kinds, cursor);
        if (cursor.isValid()) {
            j.way = Way.REPLAY;
            j.from = cursor.sequence();
            j.replayed = j.nameSet::contains;
        } else if (cursor.status() == Cursor.Status.HISTORY_LOST && log.quietSince(names, cursor.sequence())) {
            // The log lost events after the cursor, but none of these topics': nothing of theirs was
            // published since, so there is nothing to replay and nothing was lost.
            j.way = Way.QUIET;
        } else {
            j.way = Way.RESYNC;
            j.planSnapshot();
        }
        return j;
    }

    /** The held history of the finite topics, from their first event on (not the whole log). */
    private void planSnapshot() {
        long oldest = log.oldest();
        Set<String> withHistory = new HashSet<>();
        long first = Long.MAX_VALUE;
        for (String name : finite) {
            EventLog.FiniteTopic f = log.finite(name);
            if (f == null) {
                continue;
            }
            if (f.first() < oldest && cut == null) {
                cut = name;
            }
            if (f.last() >= oldest) {
                withHistory.add(name);
                // Of a topic cut by the log, what it still holds: a store that trims approximately
                // (Redis's MAXLEN ~) may hold more, and a history with a hole is no history.
                first = Math.min(first, Math.max(f.first(), oldest));
            }
        }
        if (!withHistory.isEmpty()) {
            from = first - 1;
            replayed = withHistory::contains;
        }
    }

    /** Step two, outside any lock: what must be replayed up to {@code upTo}, read from wherever the log keeps it. */
    void readEarly(long upTo) {
        earlyUpTo = upTo;
        if (from >= 0 && from < upTo) {
            early = log.replay(from, upTo, replayed);
        }
    }

    /**
     * Step three, under the dispatch lock at position {@code d}: the rest of the replay from the log's
     * cache, the snapshot, where live delivery starts. Null when the replay came out incomplete (the
     * log trimmed it meanwhile, or the cache moved past what was read early) or a state topic is not
     * loaded: the caller plans again. On the {@code last} attempt it resyncs with what it has instead,
     * with a {@code history-lost} reset when the replay was incomplete.
     */
    Joined join(long d, boolean last) {
        List<LoggedEvent> events = List.of();
        boolean complete = early.complete();
        if (from >= 0) {
            List<LoggedEvent> rest = log.recent(Math.max(from, earlyUpTo), d, replayed);
            complete &= rest != null;
            if (complete) {
                events = early.events().isEmpty() ? rest : concat(early.events(), rest);
            }
        }
        if (!complete && !last) {
            return null;
        }
        return switch (way) {
            case REPLAY -> complete ? replay(events, d) : resync(List.of(), false, d, true);
            case QUIET -> quiet(d);
            case RESYNC -> resync(events, complete, d, last);
        };
    }

    private Joined replay(List<LoggedEvent> events, long d) {
        long start = Math.max(d, cursor.sequence());
        Set<String> open = openFinite(start);
        List<LoggedEvent> replay = latestPerKey(events);
        // With nothing to replay, where it joined is as good a place to resume as the cursor, and
        // fresher; finite topics keep the client's own id, which identifies their run.
        String joinId = replay.isEmpty() && !allFinite ? log.idOf(start) : log.idOf(cursor.sequence());
        return new Joined(new Opening(null, null, replay, null, allFinite && open.isEmpty(), joinId), start, open);
    }

    private Joined quiet(long d) {
        long start = Math.max(d, cursor.sequence());
        Set<String> open = openFinite(start);
        return new Joined(new Opening(null, null, List.of(), null, allFinite && open.isEmpty(),
                allFinite ? log.idOf(cursor.sequence()) : log.idOf(start)), start, open);
    }

    /**
     * The opening without a usable cursor: an optional reset, the snapshot, a pin. A finite topic whose
     * first events have left the log gets a {@code history-lost} reset even without a cursor: what
     * follows is only the end of its history.
     */
    private Joined resync(List<LoggedEvent> finiteHistory, boolean historyComplete, long d, boolean last) {
        List<LoggedEvent> snapshot = new ArrayList<>(finiteHistory);
        for (String name : state) {
            List<LoggedEvent> values = log.state(name, d);
            if (values == null && !last) {
                return null; // not loaded (a shared log's cache let it go meanwhile): plan again
            }
            snapshot.addAll(values == null ? List.of() : values);
        }
        snapshot.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        Set<String> open = openFinite(d);
        boolean ended = allFinite && open.isEmpty();
        String reason = cursor.status().resetReason();
        String detail = cursor.detail();
        if (cursor.isValid()) {
            reason = Cursor.Status.HISTORY_LOST.resetReason(); // a replay that came out incomplete
            detail = "events after " + log.idOf(cursor.sequence()) + " left the log while they were being read";
        } else if (reason == null && (cut != null || !historyComplete)) {
            reason = Cursor.Status.HISTORY_LOST.resetReason();
            detail = cut != null ? "the first events of \"" + cut + "\" have left the log; what follows is the rest of its history"
                    : "the history of these topics left the log while it was being read";
        }
        long lastInSnapshot = snapshot.isEmpty() ? 0 : snapshot.get(snapshot.size() - 1).sequence();
        long lastEnding = lastEnding(d);
        // Finite topics need no pin: the history's last event is the newest on them and its own id is
        // the right cursor (a finite topic's id identifies its run, as the poem relies on). Unless the
        // ending left the log too: then the pin is the end, so that the reconnect is told 204.
        String pin = null;
        if (!allFinite && (snapshot.isEmpty() || lastInSnapshot < d)) {
            pin = log.idOf(d);
        } else if (ended && lastInSnapshot < lastEnding) {
            pin = log.idOf(lastEnding);
        }
        return new Joined(new Opening(reason, detail, snapshot, pin, ended, allFinite ? null : log.idOf(d)), d, open);
    }

    /** The finite topics that have not ended at or before {@code start}; only subscriptions of finite topics alone track them. */
    private Set<String> openFinite(long start) {
        if (!allFinite) {
            return Set.of();
        }
        Set<String> open = new LinkedHashSet<>();
        for (String name : finite) {
            EventLog.FiniteTopic f = log.finite(name);
            if (f == null || !f.ended() || f.end() > start) {
                open.add(name);
            }
        }
        return open;
    }

    /** The newest ending at or before {@code d} among the finite topics. */
    private long lastEnding(long d) {
        long last = 0;
        for (String name : finite) {
            EventLog.FiniteTopic f = log.finite(name);
            if (f != null && f.ended() && f.end() <= d) {
                last = Math.max(last, f.end());
            }
        }
        return last;
    }

    /** Keeps, for each state key, only its newest event: a replay coalesces the way a live queue does. */
    private static List<LoggedEvent> latestPerKey(List<LoggedEvent> events) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<LoggedEvent> kept = new ArrayDeque<>(events.size());
        for (int i = events.size() - 1; i >= 0; i--) {
            LoggedEvent e = events.get(i);
            if (e.coalesceKey() == null || seen.add(e.coalesceKey())) {
                kept.addFirst(e);
            }
        }
        return kept.size() == events.size() ? events : new ArrayList<>(kept);
    }

    private static List<LoggedEvent> concat(List<LoggedEvent> a, List<LoggedEvent> b) {
        List<LoggedEvent> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }
}
