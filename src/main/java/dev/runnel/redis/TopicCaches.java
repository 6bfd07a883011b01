package dev.runnel.redis;

import dev.runnel.hub.EventLog;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.TopicHeads;
import dev.runnel.hub.TopicKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one node keeps of the shared log's topics, fed by the tail: each topic's newest position
 * ({@link TopicHeads}, strict about anything before the position the tail started at), the latest
 * value per key of the state topics subscriptions named, and the record of the finite topics they
 * named. A state or finite topic is loaded from Redis once ({@link SharedEventLog#prepare}); its entry
 * exists from before the read, so the tail's updates meanwhile are kept, and the read is merged by
 * position (the newer wins): nothing the tail delivered is lost, nothing Redis held is missed.
 *
 * <p>Bounded: at most {@code maxState} state topics and {@value #MAX_FINITE} finite topics, the least
 * recently named leaving first (a topic named again is simply read again).
 *
 * <p>Threading: thread-safe (one monitor; the tail updates, subscribing threads read).
 */
final class TopicCaches {
    static final int MAX_FINITE = 10_000;

    private final int maxState;
    private final LinkedHashMap<String, State> state = new LinkedHashMap<>(16, 0.75f, true); // access order
    private final LinkedHashMap<String, Finite> finite = new LinkedHashMap<>(16, 0.75f, true);
    private TopicHeads heads = new TopicHeads(TopicHeads.CAPACITY, Long.MAX_VALUE);
    private long keys;
    private String epoch;

    private static final class State {
        final Map<String, LoggedEvent> byKey = new HashMap<>();
        boolean loaded;
    }

    private static final class Finite {
        long first;
        long last;
        long end;
        boolean loaded;
    }

    TopicCaches(int maxState) {
        if (maxState <= 0) {
            throw new IllegalArgumentException("maxState: " + maxState + " (expected: > 0)");
        }
        this.maxState = maxState;
    }

    /** A new epoch, or the first: nothing is known of any topic, and nothing before {@code after}. */
    synchronized void clear(String epoch, long after) {
        this.epoch = epoch;
        state.clear();
        finite.clear();
        keys = 0;
        heads = new TopicHeads(TopicHeads.CAPACITY, after);
    }

    /** Whether {@code topic} is loaded; if not, an entry now collects what the tail delivers meanwhile. */
    synchronized boolean loaded(String topic, TopicKind kind) {
        if (kind == TopicKind.STATE) {
            State s = state.get(topic);
            if (s == null) {
                state.put(topic, new State());
                while (state.size() > maxState) {
                    evictEldestState();
                }
                return false;
            }
            return s.loaded;
        }
        Finite f = finite.get(topic);
        if (f == null) {
            finite.put(topic, new Finite());
            if (finite.size() > MAX_FINITE) {
                finite.remove(finite.keySet().iterator().next());
            }
            return false;
        }
        return f.loaded;
    }

    /** Merges a state hash read from Redis in {@code epoch}. */
    synchronized void loadState(String epoch, String topic, List<LoggedEvent> values) {
        State s = state.get(topic);
        if (s == null || !epoch.equals(this.epoch)) {
            return; // let go meanwhile, or the epoch moved on: the next subscription reads it again
        }
        for (LoggedEvent v : values) {
            put(s, v);
        }
        s.loaded = true;
    }

    /** Merges a finite topic's record read from Redis ({@code null}: Redis knows no event of it). */
    synchronized void loadFinite(String epoch, String topic, SharedLog.FiniteRecord record) {
        Finite f = finite.get(topic);
        if (f == null || !epoch.equals(this.epoch)) {
            return;
        }
        if (record != null) {
            f.first = f.first == 0 ? record.first() : Math.min(f.first, record.first());
            f.last = Math.max(f.last, record.last());
            f.end = Math.max(f.end, record.end());
        }
        f.loaded = true;
    }

    /** The tail delivered {@code events}, in order. */
    synchronized void delivered(List<LoggedEvent> events) {
        for (LoggedEvent e : events) {
            heads.published(e.topic(), e.sequence());
            if (e.coalesceKey() != null) {
                State s = state.get(e.topic());
                if (s != null) {
                    put(s, e);
                }
            } else {
                Finite f = finite.get(e.topic());
                if (f != null) {
                    if (f.first == 0) {
                        f.first = e.sequence();
                    }
                    f.last = Math.max(f.last, e.sequence());
                    if (e.last()) {
                        f.end = e.sequence();
                    }
                }
            }
        }
    }

    /** The latest value per key at or before {@code upTo}, oldest first; null unless loaded. */
    synchronized List<LoggedEvent> state(String topic, long upTo) {
        State s = state.get(topic);
        if (s == null || !s.loaded) {
            return null;
        }
        List<LoggedEvent> out = new ArrayList<>(s.byKey.size());
        for (LoggedEvent e : s.byKey.values()) {
            if (e.sequence() <= upTo) {
                out.add(e);
            }
        }
        out.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        return out;
    }

    /** What is known of a loaded finite topic, or null (never published, or not loaded). */
    synchronized EventLog.FiniteTopic finite(String topic) {
        Finite f = finite.get(topic);
        return f == null || !f.loaded || f.last == 0 ? null : new EventLog.FiniteTopic(f.first, f.last, f.end);
    }

    synchronized boolean quietSince(Collection<String> topics, long sequence) {
        return heads.quietSince(topics, sequence);
    }

    synchronized int stateTopics() {
        return state.size();
    }

    synchronized long stateKeys() {
        return keys;
    }

    private void put(State s, LoggedEvent e) {
        LoggedEvent held = s.byKey.get(e.coalesceKey());
        if (held == null) {
            keys++;
            s.byKey.put(e.coalesceKey(), e);
        } else if (held.sequence() < e.sequence()) {
            s.byKey.put(e.coalesceKey(), e);
        }
    }

    private void evictEldestState() {
        String eldest = state.keySet().iterator().next();
        keys -= state.remove(eldest).byKey.size();
    }
}
