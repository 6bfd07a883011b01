package dev.runnel.hub;

import dev.runnel.protocol.SseEncoder;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The log of a single node: a local sequencer and a local tail. {@link #append} assigns the next
 * position under the log's small lock, encodes the frame once, and queues the event; a serial task on
 * the executor given here (Runnel's {@code runnel-fanout} thread) hands the queued events, in order and
 * in batches, to the tail. So a local publish reaches subscribers the way a shared log's does: through
 * the tail, never straight.
 *
 * <p>The log is a ring buffer of the last {@code maxEvents} events, holding at most {@code maxBytes} of
 * them (each event counts its frame, its payload and {@link #ENTRY_OVERHEAD_BYTES}) and none older than
 * {@code maxAgeMillis}: whichever bound is reached first drops the oldest. The newest event is always
 * held, however large. Ids are {@code <epoch>-<sequence>}; the epoch is random per instance, so an id
 * from before a restart is recognisably foreign. Age is measured on a monotonic clock, never on
 * wall-clock time: a clock step must neither empty the log nor keep old events for ever. Since
 * sequences are contiguous, the slot of any held sequence is computed, not searched.
 *
 * <p>The sequencer also keeps what it knows of topics ({@link TopicRecords}): a finite topic that ended
 * takes nothing more, and state topics stay within their {@link StateLimits}.
 *
 * <p>Threading: thread-safe. Appends and reads take the log's lock briefly; the tail is called on the
 * executor, one call at a time. If a call of the tail fails, the task starts again with what is still
 * queued (the failure is logged; the events of that batch stay in the log for replay).
 */
public final class MemoryEventLog implements EventLog {
    private static final System.Logger LOG = System.getLogger(MemoryEventLog.class.getName());
    private static final int MAX_BATCH = 256;
    private static final int PRUNE_EVERY = 1024;
    /**
     * What a held event costs besides its frame's bytes, on a 64-bit JVM with compressed references:
     * the {@link LoggedEvent} (about 56 bytes), its id string (about 56), the frame array's header
     * (16), the topic, event name and state key strings when not shared with other events (about 40
     * each plus their characters), and its ring slot. Rounded up, so the bound errs on the safe side.
     */
    public static final int ENTRY_OVERHEAD_BYTES = 256;

    /** What the log holds at most: events, their bytes, their age. */
    public record Bounds(int maxEvents, long maxBytes, long maxAgeMillis) {
        public Bounds {
            if (maxEvents <= 0) {
                throw new IllegalArgumentException("maxEvents: " + maxEvents + " (expected: > 0)");
            }
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
            }
            if (maxAgeMillis <= 0) {
                throw new IllegalArgumentException("maxAgeMillis: " + maxAgeMillis + " (expected: > 0)");
            }
        }

        /** Bounded by count and age only (tests and benchmarks). */
        public static Bounds of(int maxEvents, long maxAgeMillis) {
            return new Bounds(maxEvents, Long.MAX_VALUE, maxAgeMillis);
        }
    }

    private final String epoch;
    private final LoggedEvent[] ring;
    private final Bounds bounds;
    private final LongSupplier clock;
    private final Executor executor;
    private final Object lock = new Object();
    private final TopicRecords records;                                   // guarded by lock
    private final Map<String, LoggedEvent> idempotent = new LinkedHashMap<>(); // guarded by lock; oldest first
    private volatile long head;      // sequence of the newest event, 0 if none; written under lock
    private long oldest = 1;         // guarded by lock: oldest held; head + 1 when empty
    private long bytes;              // guarded by lock: held events' frames plus their overhead
    private long appendsSincePrune;  // guarded by lock
    private boolean closed;          // guarded by lock

    // The tail: appended events wait in `pending` for the serial task that hands them on.
    private final ConcurrentLinkedQueue<LoggedEvent> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable tailTask = this::runTail;
    private final LoggedEvent[] batch = new LoggedEvent[MAX_BATCH]; // confined to the tail task
    private final Object delivery = new Object();                    // signalled when the tail is idle
    private volatile Tail tail;
    private volatile long delivered;           // newest sequence whose tail call has returned
    private volatile long deliveringSince = -1; // time of the oldest event in the tail's hands, or -1

    /** The production log: a fresh epoch, age on the monotonic clock. */
    public MemoryEventLog(Bounds bounds, StateLimits stateLimits, Executor tail) {
        this(bounds, stateLimits, tail, MemoryEventLog::monotonicMillis, newEpoch());
    }

    /**
     * @param tail  runs the task that hands events to the tail: best a thread of its own
     * @param clock milliseconds on a clock that only moves forward; only differences are used, so it
     *              may start anywhere (even below zero, as {@link System#nanoTime} may)
     */
    public MemoryEventLog(Bounds bounds, StateLimits stateLimits, Executor tail, LongSupplier clock, String epoch) {
        if (!Cursor.isEpoch(epoch)) {
            throw new IllegalArgumentException("epoch: \"" + epoch + "\" (expected: 1 to 16 of 0-9 a-z)");
        }
        this.ring = new LoggedEvent[bounds.maxEvents()];
        this.bounds = bounds;
        this.clock = clock;
        this.epoch = epoch;
        this.executor = tail;
        this.records = new TopicRecords(new StateLedger(stateLimits, clock));
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
    public void start(Tail tail) {
        if (this.tail != null) {
            throw new IllegalStateException("the log is already started");
        }
        this.tail = tail;
        tail.onEpoch(epoch, 0);
        if (!pending.isEmpty()) {
            schedule();
        }
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String epoch() {
        return epoch;
    }

    @Override
    public CompletionStage<Receipt> append(Publication p, TopicKind kind, String idempotencyKey) {
        String coalesceKey = kind == TopicKind.STATE ? LoggedEvents.coalesceKey(p.topic(), LoggedEvents.stateKey(p)) : null;
        LoggedEvent event;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.completedFuture(Receipt.refused(Receipt.Status.CLOSED, "the log is closed"));
            }
            long now = clock.getAsLong();
            if (idempotencyKey != null) {
                LoggedEvent first = idempotent.get(idempotencyKey);
                if (first != null && first.sequence() >= oldest) {
                    return CompletableFuture.completedFuture(Receipt.accepted(first));
                }
            }
            Receipt refusal = records.refusal(p, kind, coalesceKey, now, this);
            if (refusal != null) {
                return CompletableFuture.completedFuture(refusal);
            }
            event = appendLocked(p, coalesceKey, now);
            records.appended(event, kind, now);
            if (idempotencyKey != null) {
                idempotent.put(idempotencyKey, event);
            }
            if (++appendsSincePrune >= PRUNE_EVERY) {
                appendsSincePrune = 0;
                records.prune(oldest, now);
                forgetIdempotencyKeysLocked();
            }
            pending.add(event);
        }
        schedule();
        return CompletableFuture.completedFuture(Receipt.accepted(event));
    }

    /** Guarded by lock. */
    private LoggedEvent appendLocked(Publication p, String coalesceKey, long now) {
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
        while (bytes > bounds.maxBytes() && oldest < head) {
            dropOldest();
        }
        expire(now);
        return event;
    }

    @Override
    public Cursor cursor(String lastEventId) {
        synchronized (lock) {
            // Expire here: a cursor judged valid finds what it needs unless events leave meanwhile,
            // which the replay then says.
            expire(clock.getAsLong());
            return Cursor.judge(lastEventId, epoch, oldest, head);
        }
    }

    @Override
    public void prepare(String topic, TopicKind kind) {
        // Everything is local already.
    }

    @Override
    public Replay replay(long after, long upTo, Predicate<String> topics) {
        List<LoggedEvent> events = recent(after, upTo, topics);
        return events == null ? Replay.LOST : new Replay(events, true);
    }

    @Override
    public List<LoggedEvent> recent(long after, long upTo, Predicate<String> topics) {
        synchronized (lock) {
            long to = Math.min(upTo, head);
            if (after >= to) {
                return List.of();
            }
            if (after + 1 < oldest) {
                return null;
            }
            List<LoggedEvent> out = new ArrayList<>();
            for (long s = after + 1; s <= to; s++) {
                LoggedEvent event = ring[slot(s)];
                if (topics.test(event.topic())) {
                    out.add(event);
                }
            }
            return out;
        }
    }

    @Override
    public List<LoggedEvent> state(String topic, long upTo) {
        synchronized (lock) {
            return records.state(topic, upTo, clock.getAsLong());
        }
    }

    @Override
    public FiniteTopic finite(String topic) {
        synchronized (lock) {
            return records.finite(topic);
        }
    }

    @Override
    public boolean quietSince(Collection<String> topics, long sequence) {
        synchronized (lock) {
            return records.quietSince(topics, sequence);
        }
    }

    @Override
    public long head() {
        return head;
    }

    @Override
    public long oldest() {
        synchronized (lock) {
            return oldest;
        }
    }

    @Override
    public String idOf(long sequence) {
        return epoch + "-" + sequence;
    }

    @Override
    public long backlog() {
        return Math.max(0, head - delivered);
    }

    @Override
    public long lagMillis() {
        long since = deliveringSince;
        if (since == -1) {
            LoggedEvent next = pending.peek();
            if (next == null) {
                return 0;
            }
            since = next.timeMillis();
        }
        return Math.max(0, clock.getAsLong() - since);
    }

    @Override
    public Figures figures() {
        synchronized (lock) {
            StateLedger ledger = records.ledger();
            return new Figures(head - oldest + 1, bytes, ledger.topicsHeld(), ledger.keysHeld());
        }
    }

    @Override
    public boolean awaitTail(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long target = head;
        synchronized (delivery) {
            long left;
            while (delivered < target) {
                if ((left = deadline - System.nanoTime()) <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(delivery, left);
            }
        }
        return true;
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    /** Events currently held. */
    public int size() {
        synchronized (lock) {
            return (int) (head - oldest + 1);
        }
    }

    /** About how much heap the held events take: their frames plus a fixed cost per event. */
    public long bytes() {
        synchronized (lock) {
            return bytes;
        }
    }

    /**
     * What one held event counts against {@code maxBytes}: its frame, its payload (a character a byte,
     * as a Latin-1 string holds it; the other encodings are made from it) and the fixed overhead.
     */
    static long footprint(LoggedEvent event) {
        return event.frame().length + (long) event.data().length() + ENTRY_OVERHEAD_BYTES;
    }

    private void schedule() {
        if (tail != null && scheduled.compareAndSet(false, true)) {
            executor.execute(tailTask);
        }
    }

    /** The tail task: hands what is queued to the tail in batches, until nothing is left. */
    private void runTail() {
        boolean finished = false;
        try {
            deliverPending();
            finished = true;
        } finally {
            if (!finished) {
                recoverTail();
            }
        }
    }

    private void deliverPending() {
        Tail to = tail;
        for (;;) {
            int n = 0;
            LoggedEvent event;
            while (n < batch.length && (event = pending.poll()) != null) {
                batch[n++] = event;
            }
            if (n > 0) {
                deliveringSince = batch[0].timeMillis();
                to.onEvents(batch, n);
                delivered = batch[n - 1].sequence();
                deliveringSince = -1;
                Arrays.fill(batch, 0, n, null);
                to.onDelivered();
                continue;
            }
            scheduled.set(false);
            if (pending.isEmpty() || !scheduled.compareAndSet(false, true)) {
                synchronized (delivery) {
                    delivery.notifyAll();
                }
                return;
            }
        }
    }

    /**
     * A call of the tail failed (never expected: an {@link OutOfMemoryError}, say). The flag must not
     * stay set, or no event would ever be delivered again: clear it and carry on with what is queued.
     * The failure itself goes on to the executor's handler.
     */
    private void recoverTail() {
        LOG.log(Level.ERROR, "handing events to the fan-out failed; it starts again with the events still queued");
        Arrays.fill(batch, null);
        deliveringSince = -1;
        scheduled.set(false);
        if (!pending.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(tailTask);
            } catch (RuntimeException e) {
                scheduled.set(false);
                LOG.log(Level.ERROR, "the fan-out could not be started again", e);
            }
        }
    }

    /** Guarded by lock. Idempotency keys are remembered while their event is in the log. */
    private void forgetIdempotencyKeysLocked() {
        for (Iterator<LoggedEvent> it = idempotent.values().iterator(); it.hasNext(); ) {
            if (it.next().sequence() >= oldest) {
                break;
            }
            it.remove();
        }
    }

    /** Guarded by lock. */
    private void expire(long now) {
        while (oldest <= head && now - ring[slot(oldest)].timeMillis() > bounds.maxAgeMillis()) {
            dropOldest();
        }
    }

    /** Guarded by lock. */
    private void dropOldest() {
        int slot = slot(oldest);
        bytes -= footprint(ring[slot]);
        ring[slot] = null;
        oldest++;
    }

    private int slot(long sequence) {
        return (int) (sequence % ring.length);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "MemoryEventLog[epoch=%s, head=%d]", epoch, head);
    }
}
