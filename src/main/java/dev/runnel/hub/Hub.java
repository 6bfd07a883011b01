package dev.runnel.hub;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
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
import java.util.function.LongSupplier;

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
 * <p>Fan-out runs on the executor given to the hub as a single serial task (events leave in log order,
 * also across the topics of one subscription, which a single {@code Last-Event-ID} cursor needs);
 * {@link Subscriber#offer} only enqueues, so the publisher never waits on a socket. Give the hub an
 * executor of its own (Runnel's {@code runnel-fanout} thread), not the one that drains streams: the
 * fan-out then never waits behind a drain. A subscriber that fails to take an event (an exception
 * or an {@link Error}) is dropped and closed, so its client resumes from the log, and the fan-out
 * goes on; the failures are counted ({@link #fanOutIncidents}).
 *
 * <p>State topics are bounded by {@link StateLimits}: a key not published for the maximum age is
 * forgotten (from the snapshot; replay reads the log, which forgets on its own bounds).
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
    private final StateLedger state; // guarded by lock
    private final Map<String, TopicState> topics = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<LoggedEvent> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean fanOutScheduled = new AtomicBoolean();
    private final Runnable fanOutTask = this::fanOut;
    private final LoggedEvent[] run = new LoggedEvent[MAX_RUN]; // confined to the fan-out task
    private final LongAdder published = new LongAdder();
    private final LongAdder subscriptions = new LongAdder();
    private final LongAdder fanOutIncidents = new LongAdder();
    private final Set<String> endedTopics = new LinkedHashSet<>(); // guarded by lock; oldest ending first
    private final TopicHeads heads = new TopicHeads(TopicHeads.CAPACITY); // guarded by lock
    private volatile LoggedEvent deliveredThrough; // newest event the fan-out has handed to every subscriber
    private long publishesSincePrune; // guarded by lock
    private boolean closed;           // guarded by lock
    private volatile boolean closing; // set after closed: read by the fan-out without the lock
    private final CountDownLatch fannedOut = new CountDownLatch(1);
    private final Waiters waiters = new Waiters();

    /** Per-topic state. Fields other than {@code subscribers} are guarded by the hub's lock. */
    private static final class TopicState {
        final TopicKind kind;
        volatile Subscription[] subscribers = NO_SUBSCRIPTIONS;
        final LatestValues latest;                // state topics: latest event per coalesce key, else null
        long endSequence;                         // finite topics: sequence of the final event, 0 if open
        long firstSequence;                       // first event known to the hub (1: before anything held)
        long lastSequence;                        // newest event of this topic

        TopicState(TopicKind kind) {
            this.kind = kind;
            this.latest = kind == TopicKind.STATE ? new LatestValues() : null;
        }
    }

    /** A hub without bounds on state topics. */
    public Hub(EventLog log, TopicKinds kinds, Executor fanOut) {
        this(log, kinds, fanOut, StateLimits.NONE);
    }

    /** @param fanOut runs the fan-out task; best an executor of its own, not the one draining streams */
    public Hub(EventLog log, TopicKinds kinds, Executor fanOut, StateLimits stateLimits) {
        this(log, kinds, fanOut, stateLimits, () -> System.nanoTime() / 1_000_000);
    }

    /** For tests: a given monotonic millisecond clock for the age of state keys. */
    Hub(EventLog log, TopicKinds kinds, Executor fanOut, StateLimits stateLimits, LongSupplier clock) {
        this.log = log;
        this.kinds = kinds;
        this.dispatch = fanOut;
        this.state = new StateLedger(stateLimits, clock);
    }

    public TopicKind kindOf(String topic) {
        return kinds.kindOf(topic);
    }

    /**
     * Appends an event to the log and schedules its fan-out.
     *
     * @throws IllegalArgumentException the publication does not fit its topic's kind
     * @throws TopicEndedException      the finite topic has already ended
     * @throws StateLimitException      a new state key or topic beyond {@link StateLimits}
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
        String coalesceKey = kind == TopicKind.STATE ? LoggedEvents.coalesceKey(p.topic(), LoggedEvents.stateKey(p)) : null;
        LoggedEvent event;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the hub is shut down");
            }
            TopicState topic = topics.get(p.topic());
            if (topic != null && topic.endSequence > 0) {
                throw new TopicEndedException(p.topic());
            }
            long now = state.now();
            if (coalesceKey != null) {
                LatestValues latest = topic == null ? null : topic.latest;
                if (state.refusesNewTopics(latest)) {
                    forgetStaleState(now);
                }
                state.admit(p, coalesceKey, latest, now);
            }
            if (topic == null && kind != TopicKind.STREAM) {
                topic = new TopicState(kind);
                topics.put(p.topic(), topic);
            }
            boolean publishedBefore = heads.knows(p.topic());
            event = log.append(p, coalesceKey);
            heads.published(p.topic(), event.sequence());
            if (topic != null) {
                if (topic.firstSequence == 0) {
                    // A topic forgotten after its events left the log, publishing again: its start is gone.
                    topic.firstSequence = publishedBefore ? 1 : event.sequence();
                }
                topic.lastSequence = event.sequence();
                if (coalesceKey != null) {
                    state.put(topic.latest, coalesceKey, event, now);
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
                forgetStaleState(now);
            }
        }
        published.increment();
        if (fanOutScheduled.compareAndSet(false, true)) {
            dispatch.execute(fanOutTask);
        }
        return event;
    }

    /**
     * True when nothing more will ever come on these topics for this client, which should then be
     * told {@code 204 No Content} (WHATWG: the one answer that makes {@code EventSource} stop for
     * good). That is: every topic is finite and has ended, and the cursor is at or after each ending;
     * or the cursor is from another epoch (the server restarted) and every topic is a finite one this
     * process never saw an event of: those runs belonged to the server before the restart and will
     * not continue here. (A {@code reset} and a completed response instead would have the client come
     * back with the same old id, and be told the same, every {@code retry} for ever.)
     */
    public boolean isFinished(Collection<String> topicNames, String lastEventId) {
        synchronized (lock) {
            Cursor cursor = log.cursor(lastEventId);
            if (topicNames.isEmpty()) {
                return false;
            }
            if (cursor.status() == Cursor.Status.UNKNOWN_EPOCH) {
                return topicNames.stream().allMatch(this::isFiniteAndUnseen);
            }
            // A cursor the log no longer covers still says how far the client got: at or past an end
            // it has everything, even when the ending itself has left the log.
            boolean known = cursor.isValid() || cursor.status() == Cursor.Status.HISTORY_LOST;
            if (!known) {
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
            boolean ended = allFinite && remainingFinite == 0;
            Opening opening = opening(names, nameSet, cursor, head, allFinite, ended);
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

    /** Guarded by lock. What a subscription (or a reader) with this cursor gets before live events. */
    private Opening opening(List<String> names, Set<String> nameSet, Cursor cursor, long head, boolean allFinite,
            boolean ended) {
        if (cursor.isValid()) {
            return replay(nameSet, cursor.sequence(), head, allFinite, ended);
        }
        if (cursor.status() == Cursor.Status.HISTORY_LOST && heads.quietSince(names, cursor.sequence())) {
            // The log lost events after the cursor, but none of these topics': nothing of theirs
            // was published since, so there is nothing to replay and nothing was lost.
            return new Opening(null, null, List.of(), null, ended,
                    allFinite ? log.idOf(cursor.sequence()) : log.idOf(head));
        }
        return resync(names, cursor, head, allFinite, ended);
    }

    /** Guarded by lock. The opening for a cursor the log covers: what followed it on these topics. */
    private Opening replay(Set<String> names, long cursor, long head, boolean allFinite, boolean ended) {
        List<LoggedEvent> events = latestPerKey(log.after(cursor, names::contains));
        // With nothing to replay, the head is as good a place to resume as the cursor, and fresher;
        // finite topics keep the client's own id, which identifies their run.
        String joinId = events.isEmpty() && !allFinite ? log.idOf(head) : log.idOf(cursor);
        return new Opening(null, null, events, null, ended, joinId);
    }

    /**
     * Guarded by lock. The opening without a usable cursor: an optional reset, the snapshot, a pin.
     * A finite topic whose first events have left the log gets a {@code history-lost} reset even
     * without a cursor: what follows is only the end of its history.
     */
    private Opening resync(List<String> names, Cursor cursor, long head, boolean allFinite, boolean ended) {
        List<LoggedEvent> snapshot = snapshot(names);
        long lastInSnapshot = snapshot.isEmpty() ? 0 : snapshot.get(snapshot.size() - 1).sequence();
        String reason = cursor.status().resetReason();
        String detail = cursor.detail();
        String cut = reason == null ? finiteTopicMissingItsStart(names) : null;
        if (cut != null) {
            reason = Cursor.Status.HISTORY_LOST.resetReason();
            detail = "the first events of \"" + cut + "\" have left the log; what follows is the rest of its history";
        }
        // Finite topics need no pin: the history's last event is the newest on them and its own id is
        // the right cursor (a finite topic's id identifies its run, as the poem relies on). Unless the
        // ending left the log too: then the pin is the end, so that the reconnect is told 204.
        String pin = null;
        if (!allFinite && (snapshot.isEmpty() || lastInSnapshot < head)) {
            pin = log.idOf(head);
        } else if (ended && lastInSnapshot < lastEnding(names)) {
            pin = log.idOf(lastEnding(names));
        }
        return new Opening(reason, detail, snapshot, pin, ended, allFinite ? null : log.idOf(head));
    }

    /** Guarded by lock. The name of a finite topic of {@code names} whose first events left the log, or null. */
    private String finiteTopicMissingItsStart(List<String> names) {
        for (String name : names) {
            TopicState topic = topics.get(name);
            if (topic.kind == TopicKind.FINITE && topic.lastSequence > 0
                    && topic.firstSequence < log.oldestSequence()) {
                return name;
            }
        }
        return null;
    }

    /** Guarded by lock. The newest ending among {@code names}. */
    private long lastEnding(List<String> names) {
        long last = 0;
        for (String name : names) {
            last = Math.max(last, topics.get(name).endSequence);
        }
        return last;
    }

    // ---- Reading without a subscription (long-poll). A reader asks for what follows its cursor and,
    // when nothing does, waits for the fan-out to pass an event of its topics; it never registers a
    // subscription. (Kept apart from the subscriptions: the consistency point of a shared log will
    // move, and this is the part a poll needs of it.)

    /**
     * What a reader without a subscription gets: the reset it needs, the events after its cursor (or
     * the snapshot), the cursor to ask with next time, and whether its topics have all ended.
     *
     * @param cursor where the reader has everything up to on these topics afterwards; null for finite
     *               topics alone before their first event
     * @param more   the answer was cut at {@code maxBytes}: ask again at once
     */
    public record Read(String resetReason, String resetDetail, List<LoggedEvent> events, String cursor,
            boolean ended, boolean more) {}

    /**
     * Reads, under the hub's lock but without registering anything, what a subscription with this
     * cursor would open with: replay after a cursor the log covers, else reset and snapshot. Works
     * after {@link #close}, so that waiting readers can be answered at shutdown.
     *
     * @param maxBytes about how many bytes of events (their SSE frames) one answer may carry; the
     *                 first event always fits
     */
    public Read read(List<String> topicNames, String lastEventId, long maxBytes) {
        List<String> names = List.copyOf(new LinkedHashSet<>(topicNames));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("topics: none (expected: at least one)");
        }
        names.forEach(TopicNames::check);
        Set<String> nameSet = new HashSet<>(names);
        Opening opening;
        String idOfHead;
        boolean allFinite = true;
        synchronized (lock) {
            Cursor cursor = log.cursor(lastEventId);
            long head = log.headSequence();
            idOfHead = log.idOf(head);
            int remainingFinite = 0;
            List<String> added = new ArrayList<>();
            for (String name : names) {
                TopicState topic = topics.get(name);
                if (topic == null) {
                    topic = new TopicState(kinds.kindOf(name));
                    topics.put(name, topic);
                    added.add(name);
                }
                if (topic.kind != TopicKind.FINITE) {
                    allFinite = false;
                } else if (topic.endSequence == 0) {
                    remainingFinite++;
                }
            }
            boolean ended = allFinite && remainingFinite == 0;
            opening = opening(names, nameSet, cursor, head, allFinite, ended);
            for (String name : added) {
                TopicState topic = topics.get(name);
                if (topic.subscribers.length == 0 && isForgettable(topic)) {
                    topics.remove(name); // a reader leaves no trace in the topic table
                }
            }
        }
        List<LoggedEvent> events = opening.events();
        int take = 0;
        long bytes = 0;
        while (take < events.size() && (take == 0 || bytes + events.get(take).frame().length <= maxBytes)) {
            bytes += events.get(take).frame().length;
            take++;
        }
        boolean more = take < events.size();
        List<LoggedEvent> answer = more ? events.subList(0, take) : events;
        String next;
        if (more) {
            next = answer.get(answer.size() - 1).id();
        } else if (!allFinite) {
            next = idOfHead; // everything on these topics up to the head is in this answer, or was before
        } else if (opening.pinId() != null) {
            next = opening.pinId();
        } else if (!answer.isEmpty()) {
            next = answer.get(answer.size() - 1).id();
        } else {
            next = opening.joinId();
        }
        return new Read(opening.resetReason(), opening.resetDetail(), answer, next, opening.ended() && !more, more);
    }

    /**
     * Calls {@code wake} once, on the fan-out's thread, after the fan-out has handed on an event of one
     * of {@code topicNames}, or when the hub closes. Register before {@link #read}ing: an event the
     * read missed is handed on after the registration, so its wake cannot be missed. {@code wake} must
     * only hand work on (submit a task); cancel the waiter when the reader is done.
     */
    public Waiters.Waiter awaitEvent(List<String> topicNames, Runnable wake) {
        Waiters.Waiter w = waiters.add(topicNames, wake);
        if (closing && w.cancel()) {
            wake.run(); // closed meanwhile, and wakeAll did not see it
        }
        return w;
    }

    /** Readers waiting for an event ({@link #awaitEvent}). */
    public int waitingReaders() {
        return waiters.size();
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
        waiters.wakeAll(); // their readers answer with what the log holds: every accepted event is in it
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

    /** About how much heap the log's events take ({@link EventLog#bytes}). */
    public long logBytes() {
        synchronized (lock) {
            return log.bytes();
        }
    }

    /** State topics holding at least one key. */
    public int stateTopicCount() {
        synchronized (lock) {
            return state.topicsHeld();
        }
    }

    /** Keys held by all state topics together. */
    public long stateKeyCount() {
        synchronized (lock) {
            return state.keysHeld();
        }
    }

    public StateLimits stateLimits() {
        return state.limits();
    }

    /** Subscribers the fan-out dropped because handing them an event failed, and failures of the fan-out itself. */
    public long fanOutIncidents() {
        return fanOutIncidents.sum();
    }

    /**
     * The newest event the fan-out has handed to every subscriber of its topic, when it lies past the
     * point where {@code s} joined; else null. A subscriber whose queue is empty has then written
     * everything up to it on its own topics, so that id is a cursor it may be given (a bare
     * {@code id:}), although the event is another topic's. Never for subscriptions of finite topics
     * alone, whose ids identify their runs.
     */
    public LoggedEvent deliveredThrough(Subscription s) {
        LoggedEvent through = deliveredThrough;
        return through != null && !s.allFinite && through.sequence() > s.startAfter ? through : null;
    }

    /** The id of the newest event (or {@code <epoch>-0}): where a client that has everything stands. */
    public String headId() {
        synchronized (lock) {
            return log.idOf(log.headSequence());
        }
    }

    private void fanOut() {
        boolean finished = false;
        try {
            fanOutPending();
            finished = true;
        } finally {
            if (!finished) {
                recoverFanOut();
            }
        }
    }

    private void fanOutPending() {
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
                deliveredThrough = run[n - 1];
                waiters.wake(event.topic());
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
     * The fan-out failed outside any subscriber (never expected: an {@link OutOfMemoryError}, say).
     * The flag it held must not stay set, or no event would ever be delivered again: clear it and
     * carry on with what is still queued. The failure itself goes on to the executor's handler.
     */
    private void recoverFanOut() {
        fanOutIncidents.increment();
        LOG.log(Level.ERROR, "the fan-out failed; it starts again with the events still queued");
        Arrays.fill(run, null);
        fanOutScheduled.set(false);
        if (!pending.isEmpty() && fanOutScheduled.compareAndSet(false, true)) {
            try {
                dispatch.execute(fanOutTask);
            } catch (RuntimeException e) {
                fanOutScheduled.set(false);
                LOG.log(Level.ERROR, "the fan-out could not be started again", e);
            }
        } else if (closing && pending.isEmpty()) {
            fannedOut.countDown();
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
            } catch (RuntimeException | Error e) {
                // An Error too (a StackOverflowError, an assertion): it concerns this subscriber, and
                // escaping here would stop delivery to every other one.
                LOG.log(Level.ERROR, "subscriber failed to take " + events[from] + (n - from > 1 ? " and "
                        + (n - from - 1) + " more" : "") + "; it is dropped, the others go on", e);
                drop(s, e);
            }
        }
    }

    /**
     * A subscriber that failed may have taken part of a run: delivering the rest would leave a gap in
     * what it sent. Drop it and close it instead; its client resumes from the log.
     */
    private void drop(Subscription s, Throwable cause) {
        fanOutIncidents.increment();
        unsubscribe(s);
        try {
            s.subscriber.close("the fan-out failed to hand it an event: " + cause);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "a dropped subscriber failed to close", e);
        }
    }

    /** Guarded by lock. The latest value per key of state topics and the held history of finite ones. */
    private List<LoggedEvent> snapshot(List<String> names) {
        List<LoggedEvent> events = new ArrayList<>();
        Set<String> finite = new HashSet<>();
        long firstFinite = Long.MAX_VALUE;
        for (String name : names) {
            TopicState topic = topics.get(name);
            if (topic.kind == TopicKind.STATE) {
                state.forgetStale(topic.latest, state.now());
                topic.latest.addEventsTo(events);
            } else if (topic.kind == TopicKind.FINITE && topic.lastSequence >= log.oldestSequence()) {
                finite.add(name);
                firstFinite = Math.min(firstFinite, topic.firstSequence);
            }
        }
        if (!finite.isEmpty()) {
            // From the topics' first event on, not the whole log.
            events.addAll(log.after(firstFinite - 1, finite::contains));
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

    /** Guarded by lock. Forgets every stale state key; topics left with none and nobody listening go too. */
    private void forgetStaleState(long now) {
        if (!state.forgets()) {
            return;
        }
        for (Iterator<TopicState> it = topics.values().iterator(); it.hasNext(); ) {
            TopicState topic = it.next();
            if (topic.kind == TopicKind.STATE && !topic.latest.isEmpty()) {
                state.forgetStale(topic.latest, now);
                if (topic.latest.isEmpty() && topic.subscribers.length == 0) {
                    it.remove();
                }
            }
        }
    }

    /** Guarded by lock. A finite topic this hub never saw an event of. */
    private boolean isFiniteAndUnseen(String name) {
        if (kinds.kindOf(name) != TopicKind.FINITE) {
            return false;
        }
        TopicState topic = topics.get(name);
        return !heads.knows(name) && (topic == null || topic.lastSequence == 0);
    }

    /** Guarded by lock. */
    private boolean isForgettable(TopicState topic) {
        return switch (topic.kind) {
            case STREAM -> true;
            case STATE -> topic.latest.isEmpty();
            case FINITE -> topic.lastSequence == 0;
        };
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
