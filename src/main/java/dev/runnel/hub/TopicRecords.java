package dev.runnel.hub;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the in-memory log knows of its topics besides their events: each finite topic's first, newest
 * and final position, the latest value per key of each state topic (counted against {@link StateLimits}),
 * and the newest position of every topic published recently ({@link TopicHeads}). The sequencer asks it
 * whether a publication is admitted (a finite topic that ended takes nothing more; a new state key or
 * topic must fit the limits) and tells it every event it appended; subscriptions read it.
 *
 * <p>Finite topics are remembered while an event of theirs is in the log, and the last
 * {@value #MAX_REMEMBERED_ENDINGS} endings beyond that, so that a late reconnect still gets its
 * {@code 204} and a late publisher its refusal.
 *
 * <p>Threading: not thread-safe; guarded by the {@link MemoryEventLog}'s lock.
 */
final class TopicRecords {
    /** Ended finite topics remembered after their events leave the log (for 204 and the refusal). */
    static final int MAX_REMEMBERED_ENDINGS = 10_000;

    private final Map<String, EventLog.FiniteTopic> finite = new HashMap<>();
    private final Set<String> endings = new LinkedHashSet<>(); // oldest ending first
    private final Map<String, LatestValues> state = new HashMap<>();
    private final StateLedger ledger;
    private final TopicHeads heads = new TopicHeads(TopicHeads.CAPACITY, 0);

    TopicRecords(StateLedger ledger) {
        this.ledger = ledger;
    }

    StateLedger ledger() {
        return ledger;
    }

    /**
     * Why {@code p} may not be appended, or null when it may.
     *
     * @param coalesceKey the state key joined to the topic, for state topics
     */
    Receipt refusal(Publication p, TopicKind kind, String coalesceKey, long now, EventLog log) {
        if (kind == TopicKind.FINITE) {
            EventLog.FiniteTopic f = finite.get(p.topic());
            if (f != null && f.ended()) {
                return Receipt.ended(p.topic(), log.idOf(f.end()), f.end());
            }
        } else if (kind == TopicKind.STATE) {
            LatestValues latest = state.get(p.topic());
            if (ledger.refusesNewTopics(latest)) {
                forgetStaleState(now);
            }
            try {
                ledger.admit(p, coalesceKey, latest, now);
            } catch (StateLimitException e) {
                return Receipt.refused(Receipt.Status.STATE_LIMIT, e.getMessage());
            }
        }
        return null;
    }

    /** The sequencer appended {@code event}, the newest in the log. */
    void appended(LoggedEvent event, TopicKind kind, long now) {
        String topic = event.topic();
        boolean publishedBefore = heads.knows(topic);
        heads.published(topic, event.sequence());
        if (kind == TopicKind.FINITE) {
            EventLog.FiniteTopic f = finite.get(topic);
            // A topic forgotten after its events left the log, publishing again: its start is gone.
            long first = f != null ? f.first() : publishedBefore ? 1 : event.sequence();
            long end = event.last() ? event.sequence() : 0;
            finite.put(topic, new EventLog.FiniteTopic(first, event.sequence(), end));
            if (end > 0) {
                rememberEnding(topic);
            }
        } else if (kind == TopicKind.STATE) {
            ledger.put(state.computeIfAbsent(topic, t -> new LatestValues()), event.coalesceKey(), event, now);
        }
    }

    /**
     * Forgets finite topics whose events have all left the log (but the most recent endings) and state
     * keys past their age.
     */
    void prune(long oldest, long now) {
        finite.entrySet().removeIf(e -> e.getValue().last() < oldest && !endings.contains(e.getKey()));
        forgetStaleState(now);
    }

    EventLog.FiniteTopic finite(String topic) {
        return finite.get(topic);
    }

    /** The latest value per key of {@code topic} at or before {@code upTo}, oldest first; stale keys forgotten first. */
    List<LoggedEvent> state(String topic, long upTo, long now) {
        LatestValues latest = state.get(topic);
        if (latest == null) {
            return List.of();
        }
        ledger.forgetStale(latest, now);
        List<LoggedEvent> values = new ArrayList<>(latest.size());
        latest.addEventsTo(values);
        values.removeIf(e -> e.sequence() > upTo);
        values.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        if (latest.isEmpty()) {
            state.remove(topic);
        }
        return values;
    }

    boolean quietSince(Collection<String> topics, long sequence) {
        return heads.quietSince(topics, sequence);
    }

    private void rememberEnding(String topic) {
        endings.add(topic);
        if (endings.size() > MAX_REMEMBERED_ENDINGS) {
            Iterator<String> eldest = endings.iterator();
            eldest.next();
            eldest.remove();
        }
    }

    private void forgetStaleState(long now) {
        if (!ledger.forgets()) {
            return;
        }
        for (Iterator<LatestValues> it = state.values().iterator(); it.hasNext(); ) {
            LatestValues latest = it.next();
            ledger.forgetStale(latest, now);
            if (latest.isEmpty()) {
                it.remove();
            }
        }
    }
}
