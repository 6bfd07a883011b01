package dev.runnel.hub;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The heart of Runnel: publishers hand it events, it gives each one its place in the {@link EventLog}
 * and fans it out to the subscribers of its topic.
 *
 * <p>Consistency: {@link #publish} (append) and {@link #subscribe} (read the log, register) run under
 * one lock, so a subscription joins at an exact log position {@code H}: the opening carries what it
 * needs up to {@code H}, and the fan-out delivers to it only events after {@code H}. Since the fan-out
 * handles events in log order and a subscriber's opening is queued before any event after {@code H}
 * can exist, the hand-over from replay to live has no gap and no duplicate, however busy publishers are.
 *
 * <p>Fan-out runs on the dispatch executor as a single serial task (events leave in log order, also
 * across the topics of one subscription, which a single {@code Last-Event-ID} cursor needs);
 * {@link Subscriber#offer} only enqueues, so the publisher never waits on a socket.
 *
 * <p>Threading: thread-safe.
 */
public final class Hub {
    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    private static final Subscription[] NO_SUBSCRIPTIONS = new Subscription[0];
    private static final int PRUNE_EVERY = 1024;
    /** Ended finite topics remembered after their events leave the log (for 204 and 409). */
    static final int MAX_REMEMBERED_ENDINGS = 10_000;
    private static final int MAX_RUN = 256;

    private final Object lock = new Object();
    private final EventLog log;
    private final TopicKinds kinds;
    private final Executor dispatch;
    private final Map<String, TopicState> topics = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<LoggedEvent> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean fanOutScheduled = new AtomicBoolean();
    private final Runnable fanOutTask = this::fanOut;
    private final LoggedEvent[] run = new LoggedEvent[MAX_RUN]; // confined to the fan-out task
    private final LongAdder published = new LongAdder();
    private final LongAdder subscriptions = new LongAdder();
    private final Set<String> endedTopics = new LinkedHashSet<>(); // guarded by lock; oldest ending first
    private long publishesSincePrune; // guarded by lock
    private boolean closed;           // guarded by lock
    private volatile boolean closing; // set after closed: read by the fan-out without the lock
    private final CountDownLatch fannedOut = new CountDownLatch(1);

    /** Per-topic state. Fields other than {@code subscribers} are guarded by the hub's lock. */
    private static final class TopicState {
        final TopicKind kind;
        volatile Subscription[] subscribers = NO_SUBSCRIPTIONS;
        final Map<String, LoggedEvent> latest;   // state topics: latest event per coalesce key
        long endSequence;                         // finite topics: sequence of the final event, 0 if open
        long lastSequence;                        // newest event of this topic

        TopicState(TopicKind kind) {
            this.kind = kind;
            this.latest = kind == TopicKind.STATE ? new LinkedHashMap<>() : Map.of();
        }
    }

    public Hub(EventLog log, TopicKinds kinds, Executor dispatch) {
        this.log = log;
        this.kinds = kinds;
        this.dispatch = dispatch;
    }

    public TopicKind kindOf(String topic) {
        return kinds.kindOf(topic);
    }

    /**
     * Appends an event to the log and schedules its fan-out.
     *
     * @throws IllegalArgumentException the publication does not fit its topic's kind
     * @throws TopicEndedException      the finite topic has already ended
     * @throws IllegalStateException    the hub is closed
     */
    public LoggedEvent publish(Publication p) {
        TopicKind kind = kinds.kindOf(p.topic());
        if (p.last() && kind != TopicKind.FINITE) {
            throw new IllegalArgumentException("final: topic \"" + p.topic() + "\" is a " + kindName(kind)
                    + " topic (expected: only finite topics end)");
        }
        if (p.key() != null && kind != TopicKind.STATE) {
            throw new IllegalArgumentException("key: topic \"" + p.topic() + "\" is a " + kindName(kind)
                    + " topic (expected: a key only on state topics)");
        }
        String coalesceKey = kind == TopicKind.STATE ? p.topic() + '\u0000' + stateKey(p) : null;
        LoggedEvent event;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the hub is shut down");
            }
            TopicState topic = topics.get(p.topic());
            if (topic == null && kind != TopicKind.STREAM) {
                topic = new TopicState(kind);
                topics.put(p.topic(), topic);
            }
            if (topic != null && topic.endSequence > 0) {
                throw new TopicEndedException(p.topic());
            }
            event = log.append(p, coalesceKey);
            if (topic != null) {
                topic.lastSequence = event.sequence();
                if (coalesceKey != null) {
                    topic.latest.remove(coalesceKey); // re-insert so the map stays in log order
                    topic.latest.put(coalesceKey, event);
                }
                if (p.last()) {
                    topic.endSequence = event.sequence();
                    rememberEnding(p.topic());
                }
            }
            pending.add(event);
            if (++publishesSincePrune >= PRUNE_EVERY) {
                publishesSincePrune = 0;
                pruneFiniteTopics();
            }
        }
        published.increment();
        if (fanOutScheduled.compareAndSet(false, true)) {
            dispatch.execute(fanOutTask);
        }
        return event;
    }

    /**
     * True when every topic is finite and has ended, and the cursor is at or after each ending: the
     * client has everything and should be told {@code 204 No Content}.
     */
    public boolean isFinished(Collection<String> topicNames, String lastEventId) {
        synchronized (lock) {
            Cursor cursor = log.cursor(lastEventId);
            // A cursor the log no longer covers still says how far the client got: at or past an end
            // it has everything, even when the ending itself has left the log.
            boolean known = cursor.isValid() || cursor.status() == Cursor.Status.HISTORY_LOST;
            if (!known || topicNames.isEmpty()) {
                return false;
            }
            for (String name : topicNames) {
                TopicState topic = topics.get(name);
                if (topic == null || topic.endSequence == 0 || cursor.sequence() < topic.endSequence) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Registers a subscriber. Its {@link Subscriber#open} is called before this returns, and live
     * events follow through {@link Subscriber#offer}.
     *
     * @param lastEventId the client's cursor (header {@code Last-Event-ID} or query), or null
     * @throws IllegalStateException the hub is closed
     */
    public Subscription subscribe(List<String> topicNames, String lastEventId, Subscriber subscriber) {
        List<String> names = List.copyOf(new LinkedHashSet<>(topicNames));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("topics: none (expected: at least one)");
        }
        names.forEach(TopicNames::check);
        Set<String> nameSet = new HashSet<>(names);
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the hub is shut down");
            }
            Cursor cursor = log.cursor(lastEventId);
            long head = log.headSequence();
            boolean allFinite = true;
            int remainingFinite = 0;
            for (String name : names) {
                TopicState topic = topics.computeIfAbsent(name, n -> new TopicState(kinds.kindOf(n)));
                if (topic.kind != TopicKind.FINITE) {
                    allFinite = false;
                } else if (topic.endSequence == 0) {
                    remainingFinite++;
                }
            }
            Opening opening;
            if (cursor.isValid()) {
                opening = new Opening(null, null, latestPerKey(log.after(cursor.sequence(), nameSet::contains)),
                        null, allFinite && remainingFinite == 0);
            } else {
                List<LoggedEvent> snapshot = snapshot(names);
                long lastInSnapshot = snapshot.isEmpty() ? 0 : snapshot.get(snapshot.size() - 1).sequence();
                // Finite topics need no pin: the history's last event is the newest on them and its own
                // id is the right cursor (a finite topic's id identifies its run, as the poem relies on).
                String pin = !allFinite && (snapshot.isEmpty() || lastInSnapshot < head) ? log.idOf(head) : null;
                opening = new Opening(cursor.status().resetReason(), cursor.detail(), snapshot, pin,
                        allFinite && remainingFinite == 0);
            }
            Subscription subscription = new Subscription(subscriber, names, head, allFinite, remainingFinite);
            for (String name : names) {
                TopicState topic = topics.get(name);
                Subscription[] old = topic.subscribers;
                Subscription[] grown = Arrays.copyOf(old, old.length + 1);
                grown[old.length] = subscription;
                topic.subscribers = grown;
            }
            subscriptions.increment();
            subscriber.open(opening);
            return subscription;
        }
    }

    /** Removes a subscription; idempotent. */
    public void unsubscribe(Subscription subscription) {
        synchronized (lock) {
            if (!subscription.active) {
                return;
            }
            subscription.active = false;
            subscriptions.decrement();
            for (String name : subscription.topics) {
                TopicState topic = topics.get(name);
                if (topic == null) {
                    continue;
                }
                topic.subscribers = without(topic.subscribers, subscription);
                if (topic.subscribers.length == 0 && isForgettable(topic)) {
                    topics.remove(name);
                }
            }
        }
    }

    /** Refuses further publishing and subscribing. Existing subscribers are closed by their owners. */
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        closing = true;
        // Nothing can be appended any more; if no fan-out is under way, every event has been handed on.
        if (pending.isEmpty() && !fanOutScheduled.get()) {
            fannedOut.countDown();
        }
    }

    /**
     * After {@link #close}: waits until every accepted event has been offered to its subscribers, so
     * that streams finished afterwards carry everything that was published before their final frame.
     *
     * @return false if {@code timeoutMillis} passed first
     */
    public boolean awaitFanOut(long timeoutMillis) throws InterruptedException {
        return fannedOut.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    public String epoch() {
        return log.epoch();
    }

    public long eventsPublished() {
        return published.sum();
    }

    /** Topics the hub currently tracks: subscribed to, or holding state or an ending. */
    public int topicCount() {
        return topics.size();
    }

    public long subscriptionCount() {
        return subscriptions.sum();
    }

    public int logSize() {
        synchronized (lock) {
            return log.size();
        }
    }

    /** The id of the newest event (or {@code <epoch>-0}): where a client that has everything stands. */
    public String headId() {
        synchronized (lock) {
            return log.idOf(log.headSequence());
        }
    }

    private void fanOut() {
        for (;;) {
            LoggedEvent event;
            while ((event = pending.poll()) != null) {
                // A run of consecutive events on one topic goes to each subscriber in one offer: under
                // a backlog the fan-out then touches every subscriber once per run, not once per event.
                int n = 1;
                run[0] = event;
                LoggedEvent next;
                while (n < run.length && (next = pending.peek()) != null && next.topic().equals(event.topic())
                        && !run[n - 1].last()) {
                    run[n++] = pending.poll();
                }
                deliver(run, n);
                Arrays.fill(run, 0, n, null);
            }
            fanOutScheduled.set(false);
            if (pending.isEmpty() || !fanOutScheduled.compareAndSet(false, true)) {
                if (closing && pending.isEmpty()) {
                    fannedOut.countDown();
                }
                return;
            }
        }
    }

    /**
     * Delivers {@code events[0..n)}, all of one topic and in log order, to that topic's subscribers.
     * The subscribers are read after the whole run was taken from the queue, so every subscription
     * registered before the newest of them was appended is seen; each skips what its opening covered.
     */
    private void deliver(LoggedEvent[] events, int n) {
        TopicState topic = topics.get(events[0].topic());
        if (topic == null) {
            return;
        }
        boolean ends = events[n - 1].last();
        for (Subscription s : topic.subscribers) {
            if (!s.active) {
                continue;
            }
            int from = 0;
            while (from < n && events[from].sequence() <= s.startAfter) {
                from++;
            }
            if (from == n) {
                continue;
            }
            try {
                boolean accepted = from == n - 1 ? s.subscriber.offer(events[from])
                        : s.subscriber.offerAll(events, from, n);
                if (accepted && ends && s.allFinite && --s.remainingFinite == 0) {
                    s.subscriber.end();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "subscriber failed to take " + events[from] + (n - from > 1 ? " and "
                        + (n - from - 1) + " more" : "") + "; continuing with the others", e);
            }
        }
    }

    /** Guarded by lock. The latest value per key of state topics and the held history of finite ones. */
    private List<LoggedEvent> snapshot(List<String> names) {
        List<LoggedEvent> events = new ArrayList<>();
        Set<String> finite = new HashSet<>();
        for (String name : names) {
            TopicState topic = topics.get(name);
            if (topic.kind == TopicKind.STATE) {
                events.addAll(topic.latest.values());
            } else if (topic.kind == TopicKind.FINITE && topic.lastSequence >= log.oldestSequence()) {
                finite.add(name);
            }
        }
        if (!finite.isEmpty()) {
            events.addAll(log.after(0, finite::contains));
        }
        events.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        return events;
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

    /**
     * Guarded by lock. Forgets finite topics nobody listens to whose events have all left the log,
     * except the most recent endings: a client that comes back late to an ended topic should still
     * get its 204, and a publisher its 409.
     */
    private void pruneFiniteTopics() {
        long oldest = log.oldestSequence();
        topics.entrySet().removeIf(e -> e.getValue().kind == TopicKind.FINITE
                && e.getValue().subscribers.length == 0 && e.getValue().lastSequence < oldest
                && !endedTopics.contains(e.getKey()));
    }

    /** Guarded by lock. */
    private void rememberEnding(String topic) {
        endedTopics.add(topic);
        if (endedTopics.size() > MAX_REMEMBERED_ENDINGS) {
            Iterator<String> eldest = endedTopics.iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /** Guarded by lock. */
    private boolean isForgettable(TopicState topic) {
        return switch (topic.kind) {
            case STREAM -> true;
            case STATE -> topic.latest.isEmpty();
            case FINITE -> topic.lastSequence == 0;
        };
    }

    private static String stateKey(Publication p) {
        if (p.key() != null) {
            return p.key();
        }
        return p.event() != null ? p.event() : "message";
    }

    private static String kindName(TopicKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Subscription[] without(Subscription[] array, Subscription s) {
        for (int i = 0; i < array.length; i++) {
            if (array[i] == s) {
                Subscription[] shrunk = new Subscription[array.length - 1];
                System.arraycopy(array, 0, shrunk, 0, i);
                System.arraycopy(array, i + 1, shrunk, i, array.length - i - 1);
                return shrunk;
            }
        }
        return array;
    }
}
