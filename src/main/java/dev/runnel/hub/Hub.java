package dev.runnel.hub;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The heart of Runnel: publishers hand it events, the {@link EventLog} gives each its place, and the hub
 * fans out what the log delivers to the subscribers of each event's topic.
 *
 * <p>Consistency: the hub follows the log through its {@link EventLog.Tail}, and every event reaches the
 * subscribers that way, this node's own publishes included (never straight from the publisher: on a
 * shared log, each node would otherwise see its own order). The position the fan-out has taken from the
 * tail is the <em>dispatch position</em> {@code D}, advanced under the dispatch lock. A subscription
 * reads what it needs up to {@code D} under the same lock (the part older than the log's local cache
 * beforehand, outside any lock: see {@link Joining}) and joins at {@code D}; the fan-out delivers to it
 * only events after its join point. So the hand-over from replay to live has no gap and no duplicate,
 * however busy publishers are, and every node fans out the one order of the log. No lock is held
 * across a network round trip, and {@link #publish} never waits: it answers a {@link CompletionStage}.
 *
 * <p>Fan-out runs in the tail's calls, one at a time (the in-memory log's serial task on
 * {@code runnel-fanout}, the shared log's reader thread), in log order, also across the topics of one
 * subscription, which a single {@code Last-Event-ID} cursor needs. {@link Subscriber#offer} only
 * enqueues, so the fan-out never waits on a socket. A run of consecutive events on one topic goes to
 * each subscriber in one {@link Subscriber#offerAll}. A subscriber that fails to take an event (an
 * exception or an {@link Error}) is dropped and closed, so its client resumes from the log, and the
 * fan-out goes on; the failures are counted ({@link #fanOutIncidents}).
 *
 * <p>The fan-out lag is bounded ({@link FanOutLimits}, {@link Backlog}): beyond it publishes are held
 * back until the fan-out makes room, then refused.
 *
 * <p>A new epoch of the log (a shared log whose store lost its data) or a gap (events that left it
 * before this node read them) closes every subscription: their clients come back with their cursors
 * and get the {@code reset} the log's new state calls for.
 *
 * <p>Threading: thread-safe.
 */
public final class Hub {
    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    private static final Subscription[] NO_SUBSCRIPTIONS = new Subscription[0];
    private static final int MAX_RUN = 256;
    private static final int JOIN_ATTEMPTS = 3;

    private final Object lock = new Object(); // the dispatch lock: D, the epoch, the subscriber table
    private final EventLog log;
    private final TopicKinds kinds;
    private final Backlog backlog;
    private final WriteLag writeLag;
    private final Map<String, Subscribers> topics = new ConcurrentHashMap<>(); // written under lock
    private final LongAdder published = new LongAdder();
    private final LongAdder subscriptions = new LongAdder();
    private final LongAdder fanOutIncidents = new LongAdder();
    private final Waiters waiters = new Waiters();
    private volatile long dispatched;              // D: written under lock
    private volatile String epoch;                 // the epoch D belongs to: written under lock
    private volatile LoggedEvent deliveredThrough; // newest event the fan-out has handed to every subscriber
    private volatile boolean closed;
    private final AtomicInteger admitting = new AtomicInteger();
    private volatile PublishListener publishListener;

    /**
     * Told of every publication the log has accepted (counts by kind, the busiest topics), with the
     * id it got, on the thread that learns of the acceptance, outside the hub's lock. It must be cheap
     * and must not block or throw.
     */
    public interface PublishListener {
        void published(String topic, String id, TopicKind kind);
    }

    /** The subscribers of one topic. */
    private static final class Subscribers {
        volatile Subscription[] all = NO_SUBSCRIPTIONS;
    }

    /** A hub without a bound on the fan-out lag. */
    public Hub(EventLog log, TopicKinds kinds) {
        this(log, kinds, FanOutLimits.NONE);
    }

    public Hub(EventLog log, TopicKinds kinds, FanOutLimits limits) {
        this(log, kinds, limits, () -> System.nanoTime() / 1_000_000, System::nanoTime);
    }

    /** For tests: a given monotonic millisecond clock for how long publishes are held back and writes late. */
    Hub(EventLog log, TopicKinds kinds, FanOutLimits limits, LongSupplier clock) {
        this(log, kinds, limits, clock, () -> clock.getAsLong() * 1_000_000);
    }

    private Hub(EventLog log, TopicKinds kinds, FanOutLimits limits, LongSupplier clock, LongSupplier nanoClock) {
        this.log = log;
        this.kinds = kinds;
        this.writeLag = new WriteLag(limits.maxLagMillis(), nanoClock);
        this.backlog = new Backlog(log, limits, clock, writeLag);
        log.start(new FanOut());
    }

    /** Sets the one {@link PublishListener}; call before anything publishes. */
    public void onPublish(PublishListener listener) {
        this.publishListener = listener;
    }

    public TopicKind kindOf(String topic) {
        return kinds.kindOf(topic);
    }

    /**
     * Logs an event; never waits. The answer comes once the log has it (at once for the in-memory log,
     * after a round trip for a shared one, later while the fan-out is behind its bound): see
     * {@link Receipt} for what may become of it. Subscribers receive it afterwards, through the fan-out.
     *
     * @throws IllegalArgumentException the publication does not fit its topic's kind
     */
    public CompletionStage<Receipt> publish(Publication p) {
        return publish(p, null, false);
    }

    /**
     * As {@link #publish(Publication)}, for a value of a state topic of which only the latest matters (a
     * price, a gauge): while it is held back, a newer value for the same key replaces it, and its answer
     * is {@link Receipt.Status#SUPERSEDED}. In-process feeds coalesce this way instead of being refused.
     */
    public CompletionStage<Receipt> publishLatest(Publication p) {
        return publish(p, null, true);
    }

    /**
     * As {@link #publish(Publication)}; a publish repeated with the same {@code idempotencyKey} (within the
     * log's window) answers the first one's id and logs nothing.
     */
    public CompletionStage<Receipt> publish(Publication p, String idempotencyKey) {
        return publish(p, idempotencyKey, false);
    }

    private CompletionStage<Receipt> publish(Publication p, String idempotencyKey, boolean coalescing) {
        TopicKind kind = kinds.kindOf(p.topic());
        if (p.last() && kind != TopicKind.FINITE) {
            throw new IllegalArgumentException("final: topic \"" + p.topic() + "\" is a " + kindName(kind)
                    + " topic (expected: only finite topics end)");
        }
        if (p.key() != null && kind != TopicKind.STATE) {
            throw new IllegalArgumentException("key: topic \"" + p.topic() + "\" is a " + kindName(kind)
                    + " topic (expected: a key only on state topics)");
        }
        CompletionStage<Receipt> answer;
        admitting.incrementAndGet(); // close() waits for this admission, so the fan-out it awaits includes it
        try {
            if (closed) {
                return CompletableFuture.completedFuture(Receipt.refused(Receipt.Status.CLOSED, "the hub is shut down"));
            }
            if (!log.available()) {
                return CompletableFuture.completedFuture(Receipt.refused(Receipt.Status.UNAVAILABLE,
                        "the log cannot be reached now"));
            }
            answer = backlog.admit(p, kind, idempotencyKey, coalescing);
        } finally {
            admitting.decrementAndGet();
        }
        CompletableFuture<Receipt> done = answer.toCompletableFuture();
        if (done.isDone() && !done.isCompletedExceptionally()) {
            count(p.topic(), kind, done.join());
        } else {
            answer.thenAccept(receipt -> count(p.topic(), kind, receipt));
        }
        return answer;
    }

    private void count(String topic, TopicKind kind, Receipt receipt) {
        if (receipt.isAccepted()) {
            published.increment();
            PublishListener listener = publishListener;
            if (listener != null) {
                listener.published(topic, receipt.id(), kind);
            }
        }
    }

    /**
     * True when nothing more will ever come on these topics for this client, which should then be
     * told {@code 204 No Content} (WHATWG: the one answer that makes {@code EventSource} stop for
     * good). That is: every topic is finite and has ended, and the cursor is at or after each ending;
     * or the cursor is from another epoch (the server restarted, or the shared log lost its data) and
     * every topic is a finite one the log knows no event of: those runs belonged to the old epoch and
     * will not continue in this one. (A {@code reset} and a completed response instead would have the
     * client come back with the same old id, and be told the same, every {@code retry} for ever.)
     *
     * @throws LogUnavailableException a shared log could not be read
     */
    public boolean isFinished(Collection<String> topicNames, String lastEventId) {
        if (topicNames.isEmpty()) {
            return false;
        }
        for (String name : topicNames) {
            if (kinds.kindOf(name) != TopicKind.FINITE) {
                return false;
            }
            log.prepare(name, TopicKind.FINITE);
        }
        Cursor cursor = log.cursor(lastEventId);
        if (cursor.status() == Cursor.Status.UNKNOWN_EPOCH) {
            return topicNames.stream().allMatch(name -> log.finite(name) == null);
        }
        // A cursor the log no longer covers still says how far the client got: at or past an end it
        // has everything, even when the ending itself has left the log.
        if (!cursor.isValid() && cursor.status() != Cursor.Status.HISTORY_LOST) {
            return false;
        }
        for (String name : topicNames) {
            EventLog.FiniteTopic f = log.finite(name);
            if (f == null || !f.ended() || cursor.sequence() < f.end()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Registers a subscriber. Its {@link Subscriber#open} is called before this returns, and live
     * events follow through {@link Subscriber#offer}. May wait on a shared log (the cursor, a replay
     * older than this node's cache), never under a lock.
     *
     * @param lastEventId the client's cursor (header {@code Last-Event-ID} or query), or null
     * @throws IllegalStateException   the hub is closed
     * @throws LogUnavailableException the log cannot be reached now
     */
    public Subscription subscribe(List<String> topicNames, String lastEventId, Subscriber subscriber) {
        List<String> names = List.copyOf(new LinkedHashSet<>(topicNames));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("topics: none (expected: at least one)");
        }
        names.forEach(TopicNames::check);
        for (int attempt = 1; ; attempt++) {
            String joining = requireOpen();
            for (String name : names) {
                log.prepare(name, kinds.kindOf(name));
            }
            Joining plan = Joining.plan(log, names, kinds, log.cursor(lastEventId));
            plan.readEarly(dispatched);
            synchronized (lock) {
                if (closed) {
                    throw new IllegalStateException("the hub is shut down");
                }
                if (!joining.equals(epoch)) {
                    if (attempt >= JOIN_ATTEMPTS) {
                        throw new LogUnavailableException("the log keeps moving to new epochs", null);
                    }
                    continue; // the log moved to a new epoch meanwhile: judge the cursor again
                }
                Joining.Joined joined = plan.join(dispatched, attempt == JOIN_ATTEMPTS);
                if (joined == null) {
                    continue;
                }
                Subscription subscription = new Subscription(subscriber, names, joined.startAfter(),
                        names.stream().allMatch(n -> kinds.kindOf(n) == TopicKind.FINITE), joined.openFinite());
                for (String name : names) {
                    Subscribers topic = topics.computeIfAbsent(name, n -> new Subscribers());
                    Subscription[] grown = Arrays.copyOf(topic.all, topic.all.length + 1);
                    grown[grown.length - 1] = subscription;
                    topic.all = grown;
                }
                subscriptions.increment();
                subscriber.open(joined.opening());
                return subscription;
            }
        }
    }

    /** The epoch to subscribe in; throws when the hub cannot take a subscription now. */
    private String requireOpen() {
        if (closed) {
            throw new IllegalStateException("the hub is shut down");
        }
        String current = epoch;
        if (current == null || !log.available()) {
            throw new LogUnavailableException("the log cannot be reached now", null);
        }
        return current;
    }

    // ---- Reading without a subscription (long-poll). A reader asks for what follows its cursor and,
    // when nothing does, waits for the fan-out to pass an event of its topics; it never registers a
    // subscription. It reads at the dispatch position, as a subscription joins there.

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
     * Reads what a subscription with this cursor would open with, at the dispatch position {@code D},
     * without registering anything: replay after a cursor the log covers, else reset and snapshot. Like
     * a subscription, it may wait on a shared log outside any lock, then takes the rest under the
     * dispatch lock. Works after {@link #close}, so that waiting readers can be answered at shutdown.
     *
     * @param maxBytes about how many bytes of events (their SSE frames) one answer may carry; the
     *                 first event always fits
     * @throws LogUnavailableException the log cannot be reached now
     */
    public Read read(List<String> topicNames, String lastEventId, long maxBytes) {
        List<String> names = List.copyOf(new LinkedHashSet<>(topicNames));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("topics: none (expected: at least one)");
        }
        names.forEach(TopicNames::check);
        if (epoch == null || !log.available()) {
            throw new LogUnavailableException("the log cannot be reached now", null);
        }
        for (String name : names) {
            log.prepare(name, kinds.kindOf(name));
        }
        Joining plan = Joining.plan(log, names, kinds, log.cursor(lastEventId));
        plan.readEarly(dispatched);
        Opening opening;
        String idOfD;
        synchronized (lock) {
            long d = dispatched;
            idOfD = log.idOf(d);
            opening = plan.join(d, true).opening(); // the last attempt: resync with what it has
        }
        boolean allFinite = names.stream().allMatch(n -> kinds.kindOf(n) == TopicKind.FINITE);
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
            next = idOfD; // everything on these topics up to D is in this answer, or was before
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
     * of {@code topicNames}, when the log moves to a new epoch or loses events, or when the hub closes.
     * Register before {@link #read}ing: an event the read missed is handed on after the registration,
     * so its wake cannot be missed. {@code wake} must only hand work on (submit a task); cancel the
     * waiter when the reader is done.
     */
    public Waiters.Waiter awaitEvent(List<String> topicNames, Runnable wake) {
        Waiters.Waiter w = waiters.add(topicNames, wake);
        if (closed && w.cancel()) {
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
                Subscribers topic = topics.get(name);
                if (topic == null) {
                    continue;
                }
                topic.all = without(topic.all, subscription);
                if (topic.all.length == 0) {
                    topics.remove(name);
                }
            }
        }
    }

    /** Refuses further publishing and subscribing; publishes held back are refused. Subscribers are closed by their owners. */
    public void close() {
        closed = true;
        // A publish that saw the hub open is admitted before close goes on (admission never blocks): an
        // event accepted then would otherwise reach the log after awaitFanOut had stopped waiting.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (admitting.get() > 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        backlog.close();
        waiters.wakeAll(); // their readers answer with what the log holds: every accepted event is in it
    }

    /**
     * After {@link #close}: waits until every event this node's publishers had accepted has been offered
     * to its subscribers, so that streams finished afterwards carry everything that was published before
     * their final frame.
     *
     * @return false if {@code timeoutMillis} passed first
     */
    public boolean awaitFanOut(long timeoutMillis) throws InterruptedException {
        return log.awaitTail(timeoutMillis);
    }

    /**
     * Lets in the held publishes the streams now have room for, and refuses those held back longer
     * than they may be (a scheduler calls it a few times a second: the streams catching up is no
     * fan-out batch that would let them in).
     */
    public int expireHeldPublishes() {
        backlog.release();
        return backlog.expire();
    }

    /**
     * A stream wrote a live event {@code ageNanos} after the log took it (the oldest of its write):
     * how the hub learns that its streams fall behind, when the lag is in their queues, not in its own.
     */
    public void streamWrote(long ageNanos) {
        writeLag.written(ageNanos);
    }

    /** Per cent of the streams' writes in the last window that carried an event late ({@link WriteLag}). */
    public int lateWriteShare() {
        return writeLag.lateShare();
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Whether the hub takes publishes and subscriptions now: not closed, and its log reachable. */
    public boolean available() {
        return !closed && epoch != null && log.available();
    }

    /** The epoch the fan-out is in, or null before a shared log was first reached. */
    public String epoch() {
        return epoch;
    }

    /** Events this hub's publishers got accepted. */
    public long eventsPublished() {
        return published.sum();
    }

    /** Topics with at least one subscriber on this node. */
    public int topicCount() {
        return topics.size();
    }

    public long subscriptionCount() {
        return subscriptions.sum();
    }

    /** What the log holds ({@link EventLog#figures}). */
    public EventLog.Figures logFigures() {
        return log.figures();
    }

    /** Events accepted but not yet handed to the streams: the fan-out lag, in events. */
    public long fanOutBacklog() {
        return log.backlog();
    }

    /** How long the oldest event of {@link #fanOutBacklog} has waited, in milliseconds. */
    public long fanOutLagMillis() {
        return log.lagMillis();
    }

    /** Publishes held back while the fan-out is behind its bound. */
    public int heldPublishes() {
        return backlog.held();
    }

    /** Subscribers the fan-out dropped because handing them an event failed, and failures of the fan-out itself. */
    public long fanOutIncidents() {
        return fanOutIncidents.sum();
    }

    /** The dispatch position {@code D}: the newest event the fan-out has taken from the log. */
    public long dispatchedThrough() {
        return dispatched;
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

    /** The id of the newest event the log holds (or {@code <epoch>-0}): where a client that has everything stands. */
    public String headId() {
        return log.idOf(log.head());
    }

    /** The log's calls, on its delivering thread: the fan-out. */
    private final class FanOut implements EventLog.Tail {
        @Override
        public void onEpoch(String newEpoch, long after) {
            List<Subscription> all;
            String was;
            synchronized (lock) {
                was = epoch;
                epoch = newEpoch;
                dispatched = after;
                deliveredThrough = null;
                all = was == null ? List.of() : activeSubscriptions();
            }
            if (was != null) {
                LOG.log(Level.WARNING, "the log moved from epoch " + was + " to " + newEpoch + "; " + all.size()
                        + " subscription(s) end and resume with a reset");
            }
            for (Subscription s : all) {
                close(s, "the log moved to a new epoch (" + newEpoch + "): what came before is gone");
            }
            if (was != null) {
                waiters.wakeAll(); // their cursors belong to the old epoch: they read again and reset
            }
        }

        @Override
        public void onGap(long after, long next) {
            List<Subscription> all;
            synchronized (lock) {
                dispatched = next - 1;
                all = activeSubscriptions();
            }
            for (Subscription s : all) {
                close(s, "events " + (after + 1) + " to " + (next - 1) + " left the log before this node read them");
            }
            waiters.wakeAll();
        }

        @Override
        public void onEvents(LoggedEvent[] events, int n) {
            try {
                synchronized (lock) {
                    dispatched = events[n - 1].sequence();
                }
                for (int from = 0; from < n; ) {
                    // A run of consecutive events on one topic goes to each subscriber in one offer:
                    // under a backlog the fan-out then touches every subscriber once per run.
                    int to = from + 1;
                    String topic = events[from].topic();
                    while (to < n && to - from < MAX_RUN && !events[to - 1].last() && events[to].topic().equals(topic)) {
                        to++;
                    }
                    deliver(events, from, to);
                    waiters.wake(topic);
                    from = to;
                }
                deliveredThrough = events[n - 1];
            } catch (RuntimeException | Error e) {
                fanOutIncidents.increment();
                throw e;
            }
        }

        @Override
        public void onDelivered() {
            backlog.release();
        }
    }

    /** Guarded by lock. */
    private List<Subscription> activeSubscriptions() {
        List<Subscription> all = new ArrayList<>();
        for (Subscribers topic : topics.values()) {
            for (Subscription s : topic.all) {
                if (s.active && !all.contains(s)) {
                    all.add(s);
                }
            }
        }
        return all;
    }

    /**
     * Delivers {@code events[from..to)}, all of one topic and in log order, to that topic's subscribers.
     * The subscribers are read after the run was taken from the log, so every subscription that joined
     * before it is seen; each skips what its opening covered. An ending a subscriber skipped (its
     * client already had it) still ends its subscription.
     */
    private void deliver(LoggedEvent[] events, int from, int to) {
        Subscribers topic = topics.get(events[from].topic());
        if (topic == null) {
            return;
        }
        LoggedEvent last = events[to - 1];
        for (Subscription s : topic.all) {
            if (!s.active) {
                continue;
            }
            int first = from;
            while (first < to && events[first].sequence() <= s.startAfter) {
                first++;
            }
            try {
                boolean accepted = first == to
                        || (first == to - 1 ? s.subscriber.offer(events[first]) : s.subscriber.offerAll(events, first, to));
                if (accepted && last.last() && s.ended(last.topic())) {
                    s.subscriber.end();
                }
            } catch (RuntimeException | Error e) {
                // An Error too (a StackOverflowError, an assertion): it concerns this subscriber, and
                // escaping here would stop delivery to every other one.
                LOG.log(Level.ERROR, "subscriber failed to take " + events[Math.min(first, to - 1)]
                        + (to - first > 1 ? " and " + (to - first - 1) + " more" : "") + "; it is dropped, the others go on", e);
                fanOutIncidents.increment();
                close(s, "the fan-out failed to hand it an event: " + e);
            }
        }
    }

    /**
     * A subscriber that failed may have taken part of a run, and one the log moved away from is
     * positioned in a history that is gone: delivering more would leave a gap. Drop it and close it;
     * its client resumes from the log.
     */
    private void close(Subscription s, String reason) {
        unsubscribe(s);
        try {
            s.subscriber.close(reason);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "a dropped subscriber failed to close", e);
        }
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
