package dev.runnel.hub;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The bound on the fan-out lag ({@link FanOutLimits}), in front of the log. A publication that finds
 * the fan-out within its bounds (and the streams writing on time, {@link WriteLag}), and nobody held
 * before it, goes to the log at once. Otherwise it is held back, in arrival order, and let into the
 * log when the fan-out has made room ({@link #release}, after every batch the fan-out hands on, and a
 * few times a second for the streams catching up); one held longer than {@link FanOutLimits#maxHoldMillis}, or
 * arriving when as many are held as the backlog may hold, is refused as {@link Receipt.Status#BACKLOGGED}.
 * Nothing held is in the log yet, so a refusal loses nothing that was accepted.
 *
 * <p>Held back, not refused at once: a publisher then waits exactly as long as the fan-out needs (as
 * with a server that answers once it has written the event), a feed's events keep their order without
 * a retry loop in every feed, and the publishers' pace follows the fan-out's instead of spinning on
 * {@code 503}s. A publication marked coalescing (an in-process state feed's) that is held when a newer
 * one for the same state key arrives is replaced by it ({@link Receipt.Status#SUPERSEDED}).
 *
 * <p>Threading: thread-safe. The held queue is guarded by this object's monitor, and so is letting held
 * publications into the log, so that a newcomer never overtakes one held before it.
 */
final class Backlog {
    private final EventLog log;
    private final FanOutLimits limits;
    private final LongSupplier clock; // monotonic milliseconds
    private final WriteLag writeLag;
    private final ArrayDeque<Held> held = new ArrayDeque<>();     // guarded by this
    private final Map<String, Held> heldByKey = new HashMap<>();  // guarded by this: coalescing ones
    private final AtomicLong inFlight = new AtomicLong();         // appends not yet answered by the log
    private volatile int heldCount;
    private boolean closed;                                       // guarded by this

    /** A publication waiting for room; {@code publication} changes when a newer value supersedes it. */
    private static final class Held {
        Publication publication;
        final TopicKind kind;
        final String idempotencyKey;
        final String coalesceKey;
        CompletableFuture<Receipt> answer;
        final long deadline;

        Held(Publication publication, TopicKind kind, String idempotencyKey, String coalesceKey, long deadline) {
            this.publication = publication;
            this.kind = kind;
            this.idempotencyKey = idempotencyKey;
            this.coalesceKey = coalesceKey;
            this.answer = new CompletableFuture<>();
            this.deadline = deadline;
        }
    }

    Backlog(EventLog log, FanOutLimits limits, LongSupplier clock, WriteLag writeLag) {
        this.log = log;
        this.limits = limits;
        this.clock = clock;
        this.writeLag = writeLag;
    }

    /**
     * Appends now or holds back.
     *
     * @param coalescing a newer held value for the same state key replaces this one while it is held
     */
    CompletionStage<Receipt> admit(Publication p, TopicKind kind, String idempotencyKey, boolean coalescing) {
        if (heldCount == 0 && hasRoom()) {
            return append(p, kind, idempotencyKey);
        }
        CompletionStage<Receipt> answer = hold(p, kind, idempotencyKey, coalescing);
        release(); // room may have come since the check above, and no fan-out may follow to notice
        return answer;
    }

    private CompletionStage<Receipt> hold(Publication p, TopicKind kind, String idempotencyKey, boolean coalescing) {
        CompletableFuture<Receipt> superseded = null;
        CompletionStage<Receipt> answer;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.completedFuture(Receipt.refused(Receipt.Status.CLOSED, "the hub is shut down"));
            }
            String key = coalescing && kind == TopicKind.STATE
                    ? LoggedEvents.coalesceKey(p.topic(), LoggedEvents.stateKey(p)) : null;
            Held older = key == null ? null : heldByKey.get(key);
            if (older != null) {
                // The newer value takes the older's place in line; the older one will never be logged.
                superseded = older.answer;
                older.publication = p;
                older.answer = new CompletableFuture<>();
                answer = older.answer;
            } else if (held.size() >= limits.maxBacklog()) {
                return CompletableFuture.completedFuture(backlogged(held.size() + " publications are held back already"));
            } else {
                Held h = new Held(p, kind, idempotencyKey, key, clock.getAsLong() + limits.maxHoldMillis());
                held.add(h);
                if (key != null) {
                    heldByKey.put(key, h);
                }
                heldCount = held.size();
                answer = h.answer;
            }
        }
        // Outside the monitor: a publisher's callback may take locks of its own, and publish again.
        if (superseded != null) {
            superseded.complete(Receipt.refused(Receipt.Status.SUPERSEDED,
                    "replaced by a newer value for the same key while the fan-out was behind"));
        }
        return answer;
    }

    /** Lets held publications into the log, oldest first, while the fan-out has room. */
    void release() {
        if (heldCount == 0) {
            return;
        }
        List<Runnable> answers = new ArrayList<>();
        synchronized (this) {
            Held h;
            while ((h = held.peek()) != null && hasRoom()) {
                CompletableFuture<Receipt> answer = h.answer;
                CompletableFuture<Receipt> logged = append(h.publication, h.kind, h.idempotencyKey).toCompletableFuture();
                answers.add(() -> logged.whenComplete((receipt, failure) -> {
                    if (failure != null) {
                        answer.completeExceptionally(failure);
                    } else {
                        answer.complete(receipt);
                    }
                }));
                removeHead(h); // after the append: a newcomer that reads heldCount == 0 comes after it
            }
        }
        answers.forEach(Runnable::run); // outside the monitor, in order
    }

    /** Refuses the held publications that waited longer than they may; returns how many. Scheduler thread. */
    int expire() {
        List<CompletableFuture<Receipt>> refused = new ArrayList<>();
        synchronized (this) {
            long now = clock.getAsLong();
            for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
                Held h = it.next();
                if (now - h.deadline < 0) {
                    break; // held in arrival order: every later one has a later deadline
                }
                it.remove();
                forgetKey(h);
                refused.add(h.answer);
            }
            heldCount = held.size();
        }
        Receipt backlogged = backlogged("held back " + limits.maxHoldMillis() + " ms without room");
        refused.forEach(answer -> answer.complete(backlogged));
        return refused.size();
    }

    /** Refuses everything held (the hub is shutting down); nothing of it was logged. */
    void close() {
        List<Held> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(held);
            held.clear();
            heldByKey.clear();
            heldCount = 0;
        }
        Receipt closed = Receipt.refused(Receipt.Status.CLOSED, "the hub is shut down");
        all.forEach(h -> h.answer.complete(closed));
    }

    /** Publications held back now. */
    int held() {
        return heldCount;
    }

    /** Appends submitted to the log and not yet answered by it (a shared log's round trip). */
    long inFlight() {
        return inFlight.get();
    }

    private boolean hasRoom() {
        return log.backlog() + inFlight.get() < limits.maxBacklog() && log.lagMillis() < limits.maxLagMillis()
                && !writeLag.behind();
    }

    private CompletionStage<Receipt> append(Publication p, TopicKind kind, String idempotencyKey) {
        CompletionStage<Receipt> answer = log.append(p, kind, idempotencyKey);
        CompletableFuture<Receipt> future = answer.toCompletableFuture();
        if (!future.isDone()) {
            // Counted until the log answers, so that a burst cannot pass the bound while in flight.
            inFlight.incrementAndGet();
            future.whenComplete((receipt, failure) -> inFlight.decrementAndGet());
        }
        return answer;
    }

    /** Guarded by this. */
    private void removeHead(Held h) {
        held.poll();
        forgetKey(h);
        heldCount = held.size();
    }

    /** Guarded by this. */
    private void forgetKey(Held h) {
        if (h.coalesceKey != null) {
            heldByKey.remove(h.coalesceKey, h);
        }
    }

    private Receipt backlogged(String why) {
        return Receipt.refused(Receipt.Status.BACKLOGGED, "the fan-out is behind (at most " + limits.maxBacklog()
                + " events, " + limits.maxLagMillis() + " ms): " + why);
    }
}
