package dev.runnel.stream;

import dev.runnel.hub.Hub;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.Opening;
import dev.runnel.hub.Subscriber;
import dev.runnel.hub.Subscription;
import dev.runnel.stream.Transport.Ending;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One subscriber's connection, whatever its transport: the queue policy every transport shares (the
 * bounded queue, coalescing by state key, eviction, the opening exempt, deadlines, heartbeat
 * decisions, one close) and the ownership of the writer, which the {@link Transport} is (servlet
 * output for SSE, WebSocket async sends). Everything bound for the socket (events, heartbeats, the
 * opening's control items, the final one) enters the one queue, so frames can never interleave. When
 * several items are queued they leave in one write followed by one flush.
 *
 * <p>The output has at most one owner at a time. The write state:
 * <pre>
 *            setWriteListener / isReady()==false
 *   WAITING ◀──────────────────────────────────── RUNNING ──── queue empty, flushed ───▶ IDLE
 *      │  onWritePossible                          ▲  ▲ │                                  │
 *      └──────────────────────────────────────────┘  │ └─ pass bound reached: resubmit ─┐ │
 *                                                     └──── (RUNNING passes to the task) ◀┘ │
 *                                                     └──────── offer (schedules drain) ◀──┘
 *   any state ── close / finished / failed write / Error in a drain ──▶ DONE
 *                                                   (transport completed once; nothing after)
 *   WAITING longer than the write timeout ── sweep ──▶ DONE  (evicted: the peer stopped reading)
 *   deadline passed ── sweep ──▶ finish (final retry queued) ──▶ … ──▶ DONE</pre>
 * <pre>
 *   entering DONE, once: unsubscribe, leave the registry, run the close action ({@link #onClose})
 * </pre>
 * In WAITING the transport owes us {@code onWritePossible} (the servlet container, or the WebSocket
 * send under way); in RUNNING exactly one thread (a dispatcher thread or the transport's callback)
 * writes; in IDLE nobody does and the next offer
 * schedules a drain. A close decided while RUNNING is carried out by the owner at its next step,
 * which checks for it before it touches the output again, so {@code complete()} never races a
 * write of ours and nothing asks a completed response whether it is ready. One drain pass writes at
 * most {@value #MAX_PASS_BYTES} bytes, then hands its thread back and goes on in a fresh task: a
 * stream whose publishers keep up with its socket cannot hold a dispatcher (or container) thread.
 * An {@link Error} inside a drain closes that stream (counted in {@link StreamMetrics#drainIncidents})
 * rather than leaving it RUNNING with nobody writing. WAITING records when it began: a write the
 * container cannot take for longer than the write timeout means a peer that stopped reading, and
 * the registry's sweep evicts the stream ({@link #evictIfStalled}) even when no new event arrives
 * to overflow its queue.
 *
 * <p>Opening: what {@link #openWith} queued (SSE's {@code retry:}), then, when the hub opens the
 * subscription, the {@code connected} event with the join cursor, the hub's reset, replay or
 * snapshot, and its id pin. A finish that comes before the hub opened the subscription (a deadline
 * due at once) is carried out after the opening.
 *
 * <p>Deadline: {@link #endAt} sets when the stream must end (its token expires, or its maximum
 * lifetime is over); the sweep then finishes it like a shutdown does — what is queued, the transport's
 * going-away item (SSE: a final {@code retry:}), complete — and the client resumes from its last id.
 *
 * <p>Heartbeats: when nothing was written for the interval and nothing is queued, a heartbeat (SSE:
 * a {@code : keep-alive} comment; WebSocket: a ping); and when the fan-out has moved past everything
 * this stream has sent ({@link Hub#deliveredThrough}), it carries that position (SSE: a bare
 * {@code id:}, which sets the client's {@code Last-Event-ID} without firing an event). A subscriber of
 * a quiet topic then resumes from a recent position, not from the one where it joined.
 *
 * <p>Queue bound, in the transport's bytes ({@link Frames#size}): items of the opening (retry,
 * connected, reset, replay, snapshot) are exempt, since
 * the log bounds them and they are shared arrays; live frames may take up {@code queueBytes}. A live
 * frame of a stream topic that does not fit evicts the stream; on state topics a queued frame for the
 * same key is replaced by the newer one (taken out of line, the newer one goes last so the client's
 * cursor only moves forward).
 *
 * <p>Threading: thread-safe. {@link #offer}, {@link #end} and {@link #close} may be called from any
 * thread; they never block and never write.
 */
public class EventStream implements Subscriber {
    private static final System.Logger LOG = System.getLogger(EventStream.class.getName());
    private static final int MAX_BATCH_BYTES = 64 * 1024;
    private static final int MAX_BATCH_ITEMS = 512;
    /** Bytes one drain pass writes before it hands its thread back: four full batches. */
    static final int MAX_PASS_BYTES = 4 * MAX_BATCH_BYTES;

    private enum State { WAITING, RUNNING, IDLE, DONE }

    /** How long a container error waits for the writer that owns the output to let go of it. */
    private static final long WRITER_LET_GO_MILLIS = 1000;

    private final String id;
    private final Transport transport;
    private final Frames frames;
    private final Executor executor;
    private final long queueBytes;
    private final StreamMetrics metrics;
    private final StreamRegistry registry;
    private final Runnable drainTask = this::drain;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean completed = new AtomicBoolean();
    private final CountDownLatch containerDone = new CountDownLatch(1);

    private final Object lock = new Object();
    // Guarded by lock.
    private final ArrayDeque<Object> queue = new ArrayDeque<>(); // LoggedEvent events, the transport's control items
    private Map<String, LoggedEvent> queuedByKey;                // newest queued live event per state key
    private int openingItems;                                    // queue head items that are the opening
    private long liveBytes;
    private int superseded;
    private State state = State.WAITING;
    private boolean containerCompleting;          // a container error callback will complete the response
    private boolean writePossibleSignal;
    private boolean finishing;
    private boolean aborting;
    private boolean opened;                                      // the hub has opened the subscription
    private Object finalFrameAfterOpening;                       // a finish that came before that
    private long lastQueuedSequence;                             // newest position queued for the client
    private String closeReason;
    private Ending ending = Ending.FINISHED;
    private boolean withCursor;                                  // set by subscribe before the hub opens us

    // Owner-confined: touched only by the thread that holds RUNNING.
    private boolean needsFlush;
    private Object[] batch = new Object[16];
    private int batchOpening;                                    // leading items of the batch that are the opening
    private long queuedAtTake;                                   // live bytes queued when the batch was taken

    private volatile long eventsSent;                            // written by the owner only

    private volatile long lastWriteNanos = System.nanoTime();
    private long waitingSinceNanos = System.nanoTime();          // guarded by lock: when WAITING began
    private volatile long deadlineNanos;
    private volatile boolean hasDeadline;
    private volatile Runnable onClose;
    private volatile Hub hub;
    private volatile List<String> topics = List.of();
    private volatile Subscription subscription;
    private static final UnaryOperator<LoggedEvent> IDENTITY = UnaryOperator.identity();
    private volatile UnaryOperator<LoggedEvent> view = IDENTITY;

    /** @param transport the connection's writer; its {@code complete} is called at most once */
    public EventStream(String id, Transport transport, Executor executor, long queueBytes, StreamMetrics metrics,
            StreamRegistry registry) {
        if (queueBytes <= 0) {
            throw new IllegalArgumentException("queueBytes: " + queueBytes + " (expected: > 0)");
        }
        this.id = id;
        this.transport = transport;
        this.frames = transport.frames();
        this.executor = executor;
        this.queueBytes = queueBytes;
        this.metrics = metrics;
        this.registry = registry;
    }

    public String id() {
        return id;
    }

    /** The encoding of this stream's transport, for the control items callers queue. */
    public Frames frames() {
        return frames;
    }

    /**
     * Runs {@code action} once, when the stream closes (for whatever reason), after it left the hub
     * and the registry. Set it before {@link #subscribe}; it must not block.
     */
    public void onClose(Runnable action) {
        this.onClose = action;
    }

    /**
     * The stream must end at {@code nanoTime}: the registry's sweep then finishes it with a final
     * frame after what is queued. Any thread; the earlier of several deadlines wins.
     */
    public void endAt(long nanoTime) {
        synchronized (lock) {
            if (!hasDeadline || nanoTime - deadlineNanos < 0) {
                deadlineNanos = nanoTime;
                hasDeadline = true;
            }
        }
    }

    /**
     * Queues control items of this transport that open the stream (SSE's {@code retry:}); call before
     * {@link #subscribe}, which adds the {@code connected} item once the hub says where the stream joins.
     */
    public void openWith(Object... items) {
        synchronized (lock) {
            for (Object item : items) {
                queue.add(item);
                openingItems++;
            }
        }
    }

    /**
     * Writes every event as {@code view} renders it instead of the hub's own frame (another wire
     * format of the same log, such as OpenAI's chunks), and leaves out Runnel's own {@code connected}
     * event, which such a client would not know; call before {@link #subscribe}.
     */
    public void renderWith(UnaryOperator<LoggedEvent> view) {
        this.view = view;
        // No opening item of its own (such a client knows no retry:), so the first pass flushes even
        // when nothing is queued: the headers leave at once, and with the first event when there is one.
        this.needsFlush = true;
    }

    /** Subscribes this stream to the hub, registers it, and starts writing once the container is ready. */
    public void subscribe(Hub hub, List<String> topics, String lastEventId) {
        this.hub = hub;
        this.topics = List.copyOf(topics);
        this.withCursor = lastEventId != null;
        registry.add(this);
        metrics.opened.increment();
        this.subscription = hub.subscribe(topics, lastEventId, this);
        if (closed.get()) {
            // Closed while subscribing (evicted before the first write, or shut down): the close
            // missed the subscription, and the response is already completed.
            hub.unsubscribe(subscription);
            return;
        }
        try {
            transport.start(this);
        } catch (IllegalStateException e) {
            LOG.log(Level.DEBUG, () -> "stream " + id + " completed before it could start writing: " + e);
        }
    }

    @Override
    public void open(Opening opening) {
        synchronized (lock) {
            opened = true;
            if (aborting) {
                return; // closed while subscribing: nothing will be written
            }
            metrics.opening(opening.resetReason(), withCursor);
            if (view == IDENTITY) {
                queueOpeningLocked(frames.connected(id, topics, opening.joinId()));
            }
            if (opening.resetReason() != null) {
                queueOpeningLocked(frames.reset(opening.resetReason(), opening.resetDetail()));
            }
            for (LoggedEvent event : opening.events()) {
                queueOpeningLocked(view.apply(event));
                lastQueuedSequence = Math.max(lastQueuedSequence, event.sequence());
            }
            Object pin = opening.pinId() == null ? null : frames.pin(opening.pinId());
            if (pin != null) {
                queueOpeningLocked(pin);
            }
            if (opening.ended()) {
                finishing = true;
            }
            if (finalFrameAfterOpening != null) {
                // A deadline that came between the registry and the hub: queued after the opening,
                // so that the opening is counted as such and the final frame really is final.
                enqueueControlLocked(finalFrameAfterOpening);
                finalFrameAfterOpening = null;
            }
        }
    }

    /** Guarded by lock. */
    private void queueOpeningLocked(Object item) {
        queue.add(item);
        openingItems++;
    }

    @Override
    public boolean offer(LoggedEvent event) {
        return offer(event, null, 0, 0);
    }

    /** Takes a run of live events under one lock, scheduling at most one drain. */
    @Override
    public boolean offerAll(LoggedEvent[] events, int from, int to) {
        return offer(null, events, from, to);
    }

    /** Offers {@code single}, or else {@code events[from..to)}. */
    private boolean offer(LoggedEvent single, LoggedEvent[] events, int from, int to) {
        UnaryOperator<LoggedEvent> v = view;
        if (v != IDENTITY) {
            // Rendered before the lock: the stream's lock guards the queue, not the rendering.
            if (single != null) {
                single = v.apply(single);
            } else {
                LoggedEvent[] rendered = new LoggedEvent[to - from];
                for (int i = from; i < to; i++) {
                    rendered[i - from] = v.apply(events[i]);
                }
                events = rendered;
                to -= from;
                from = 0;
            }
        }
        boolean schedule = false;
        boolean evicted = false;
        boolean completeHere = false;
        synchronized (lock) {
            if (aborting || finishing) {
                return false;
            }
            int count = single != null ? 1 : to - from;
            for (int i = 0; i < count; i++) {
                LoggedEvent event = single != null ? single : events[from + i];
                if (!enqueueLocked(event)) {
                    metrics.evictions.increment();
                    metrics.queueEvictions.increment();
                    evicted = true;
                    completeHere = abortLocked("evicted: " + (liveBytes + frames.size(event))
                            + " bytes queued (limit " + queueBytes + ")", Ending.EVICTED);
                    break;
                }
            }
            if (!evicted) {
                schedule = wakeLocked();
            }
        }
        if (evicted) {
            afterClose(completeHere);
            return false;
        }
        if (schedule) {
            scheduleDrain();
        }
        return true;
    }

    /** Guarded by lock. Queues a live event; false when it does not fit (the caller evicts). */
    private boolean enqueueLocked(LoggedEvent event) {
        int length = frames.size(event);
        String key = event.coalesceKey();
        LoggedEvent replaced = key == null || queuedByKey == null ? null : queuedByKey.get(key);
        long after = liveBytes + length - (replaced == null ? 0 : frames.size(replaced));
        if (after > queueBytes && liveBytes > 0) {
            return false;
        }
        if (replaced != null) {
            superseded++;
            liveBytes -= frames.size(replaced);
        }
        if (key != null) {
            if (queuedByKey == null) {
                queuedByKey = new HashMap<>();
            }
            queuedByKey.put(key, event);
        }
        queue.add(event);
        liveBytes += length;
        lastQueuedSequence = Math.max(lastQueuedSequence, event.sequence());
        if (superseded > 64 && superseded * 2 > queue.size()) {
            compactLocked();
        }
        return true;
    }

    @Override
    public void end() {
        boolean schedule;
        synchronized (lock) {
            if (aborting || finishing) {
                return;
            }
            finishing = true;
            schedule = wakeLocked();
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    /**
     * Queues a heartbeat when nothing was written for {@code intervalNanos} and nothing is waiting to
     * be written (a queued frame will show the peer we are alive anyway); with the position the fan-out
     * has moved to when that is past what this stream has sent.
     */
    void heartbeatIfIdle(long nowNanos, long intervalNanos) {
        if (nowNanos - lastWriteNanos < intervalNanos) {
            return;
        }
        boolean schedule;
        synchronized (lock) {
            if (aborting || finishing || !queue.isEmpty() || state == State.RUNNING) {
                return;
            }
            schedule = enqueueControlLocked(heartbeatLocked());
        }
        metrics.heartbeats.increment();
        lastWriteNanos = nowNanos; // counts as activity so a stalled peer is not offered one per sweep
        if (schedule) {
            scheduleDrain();
        }
    }

    /**
     * Guarded by lock, with the queue empty and no drain under way. Everything offered to this stream
     * has been written, so a position the fan-out has handed on entirely is one the client has seen
     * everything up to on its topics; it moves the client's cursor only forward.
     */
    private Object heartbeatLocked() {
        Subscription s = subscription;
        LoggedEvent through = s == null ? null : hub.deliveredThrough(s);
        if (through == null || through.sequence() <= lastQueuedSequence) {
            return frames.heartbeat(null);
        }
        lastQueuedSequence = through.sequence();
        return frames.heartbeat(through.id());
    }

    /** Shutdown: send what is queued, then {@code finalFrame} (a jittered {@code retry:}), then complete. */
    void finish(Object finalFrame) {
        finish(finalFrame, "shutdown");
    }

    /**
     * Sends what is queued, then {@code finalFrame}, then completes; {@code reason} is kept for the log.
     * Returns false when the stream was already closing or finishing.
     */
    boolean finish(Object finalFrame, String reason) {
        return finish(finalFrame, reason, null);
    }

    /** Like {@link #finish(Object, String)}; when it acts, {@code counter} counts it before the stream can end. */
    private boolean finish(Object finalFrame, String reason, LongAdder counter) {
        boolean schedule;
        synchronized (lock) {
            if (aborting || finishing) {
                return false;
            }
            closeReason = reason;
            finishing = true;
            if (!opened) {
                finalFrameAfterOpening = finalFrame; // open() queues it behind the opening
                schedule = false;
            } else {
                schedule = enqueueControlLocked(finalFrame);
            }
        }
        if (counter != null) {
            counter.increment();
        }
        if (schedule) {
            scheduleDrain();
        }
        return true;
    }

    /**
     * Sweep: once the deadline set by {@link #endAt} has passed, finishes the stream with the frame
     * {@code finalFrame} supplies (a jittered {@code retry:}). Returns true if it did.
     */
    boolean finishIfDue(long nowNanos, Supplier<Object> finalFrame) {
        if (!hasDeadline || nowNanos - deadlineNanos < 0) {
            return false;
        }
        return finish(finalFrame.get(), "deadline: token expired or maximum lifetime reached", metrics.deadlines);
    }

    /**
     * Sweep: evicts the stream when a write has waited for the container longer than
     * {@code writeTimeoutNanos} (the peer stopped reading). Returns true if it did.
     */
    boolean evictIfStalled(long nowNanos, long writeTimeoutNanos) {
        boolean completeHere;
        synchronized (lock) {
            if (aborting || state != State.WAITING || nowNanos - waitingSinceNanos < writeTimeoutNanos) {
                return false;
            }
            completeHere = abortLocked("evicted: a write waited more than "
                    + TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos) + "ms for the peer to read", Ending.EVICTED);
        }
        metrics.evictions.increment();
        metrics.writeTimeouts.increment();
        afterClose(completeHere);
        return true;
    }

    /** Ends the stream now, dropping what is queued. Idempotent; any thread. */
    @Override
    public void close(String reason) {
        boolean completeHere;
        synchronized (lock) {
            if (aborting) {
                return;
            }
            completeHere = abortLocked(reason, Ending.CLOSED);
        }
        afterClose(completeHere);
    }

    /** The container completed the response (AsyncListener.onComplete): nothing may touch it any more. */
    public void containerCompleted() {
        completed.set(true);
        containerDone.countDown();
        synchronized (lock) {
            if (!aborting) {
                abortLocked("completed by the container", Ending.FAILED);
            }
            state = State.DONE;
            lock.notifyAll();
        }
        afterClose(false);
    }

    /**
     * The container reports an error or timeout: close, and complete the response before returning. A
     * request still uncompleted when the listeners return gets the container's error dispatch (Tomcat,
     * which unmaps the context as soon as it starts stopping it, then logs a NullPointerException for
     * each stream whose client had gone when shutdown wrote to it). A writer that owns the output
     * (RUNNING) sees the close at its next step and lets go; completing before that would race its
     * write, so we wait for it, bounded, and the writer leaves the complete() to this callback.
     */
    public void containerFailed(String reason) {
        containerFailed(reason, false);
    }

    /**
     * The container reports an error (AsyncListener.onError): as {@link #containerFailed(String)}, and a
     * response already completed is completed again within this callback. Tomcat's error state
     * overrides an earlier complete(); the second call is refused where it is not needed.
     */
    public void containerErrored(String reason) {
        containerFailed(reason, true);
    }

    private void containerFailed(String reason, boolean completeAgain) {
        synchronized (lock) {
            if (!aborting) {
                ending = Ending.FAILED;
            }
            containerCompleting = true; // from here the writer leaves the complete() to this callback
        }
        close(reason);
        boolean writerOwnsOutput;
        synchronized (lock) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITER_LET_GO_MILLIS);
            long left;
            while (state == State.RUNNING && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            writerOwnsOutput = state == State.RUNNING;
            containerCompleting = !writerOwnsOutput;
        }
        if (writerOwnsOutput) {
            LOG.log(Level.DEBUG, () -> "stream " + id + ": the writer kept the output after a container error");
            return;
        }
        if (completed.compareAndSet(false, true) || (completeAgain && containerDone.getCount() > 0)) {
            completeNow();
        }
    }

    /**
     * Waits up to {@code nanos} for the container to report the response completed. Returns whether it
     * did: our {@code complete()} only asks the container to finish the request on one of its threads.
     */
    boolean awaitContainerCompleted(long nanos) {
        try {
            return containerDone.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Live bytes queued (the opening excluded): what the queue bound limits. */
    public long queuedBytes() {
        synchronized (lock) {
            return liveBytes;
        }
    }

    /** The topics it subscribed to (empty before {@link #subscribe}). */
    public List<String> topics() {
        return topics;
    }

    /** Events (log frames, opening and live) written to this stream's connection so far. */
    public long eventsSent() {
        return eventsSent;
    }

    public String closeReason() {
        synchronized (lock) {
            return closeReason;
        }
    }

    /** The transport can take writes again (the servlet's {@code WriteListener}, a WebSocket send done). */
    public void onWritePossible() {
        synchronized (lock) {
            if (state == State.RUNNING) {
                writePossibleSignal = true; // the owner saw isReady()==false and has not parked yet
                return;
            }
            if (state != State.WAITING) {
                return;
            }
            state = State.RUNNING;
        }
        drain();
    }

    /** A write failed (the transport's report): the client went away. */
    public void onError(Throwable failure) {
        LOG.log(Level.DEBUG, () -> "stream " + id + ": write failed: " + failure);
        synchronized (lock) {
            if (!aborting) {
                ending = Ending.FAILED;
            }
        }
        close("write failed: " + failure);
    }

    /**
     * Owner only. Writes until the queue is empty, the output is not ready, the stream is done, or
     * the pass has written {@link #MAX_PASS_BYTES}: then it resubmits itself and returns.
     */
    private void drain() {
        try {
            long passBytes = 0;
            for (;;) {
                // A close decided meanwhile is carried out before the output is touched again: once
                // the container completed the response, nothing may ask it anything (REVIEW 14).
                if (completeIfAborting()) {
                    return;
                }
                if (passBytes >= MAX_PASS_BYTES) {
                    yieldPass();
                    return;
                }
                boolean ready = transport.isReady();
                int count = 0;
                boolean drained = false;
                boolean completeHere = false;
                synchronized (lock) {
                    if (aborting) {
                        state = State.DONE;
                        lock.notifyAll();
                        completeHere = true;
                    } else if (!ready) {
                        if (writePossibleSignal) {
                            writePossibleSignal = false; // onWritePossible came between isReady() and here
                            continue;
                        }
                        state = State.WAITING;
                        waitingSinceNanos = System.nanoTime();
                        return;
                    } else {
                        writePossibleSignal = false;
                        count = takeBatchLocked();
                        drained = queue.isEmpty();
                        if (count == 0 && !needsFlush) {
                            if (!finishing) {
                                state = State.IDLE;
                                return;
                            }
                            state = State.DONE;
                            lock.notifyAll();
                            completeHere = true;
                        }
                    }
                }
                if (completeHere) {
                    afterClose(true);
                    return;
                }
                if (count > 0) {
                    passBytes += write(count);
                    if (drained && !abortRequested() && transport.isReady()) {
                        // Nothing more queued: flush now rather than on a further pass through the loop
                        // (unless a close came during the write: then the next pass completes instead).
                        needsFlush = false;
                        transport.flush();
                    }
                } else {
                    needsFlush = false;
                    transport.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "stream " + id + ": client went away: " + e);
            failDrain("write failed: " + e);
        } catch (Error e) {
            // Not a client that went away but a bug, here or in the container. The stream cannot go
            // on (nobody would own its output again): close it, and say so loudly.
            metrics.drainIncidents.increment();
            LOG.log(Level.ERROR, "stream " + id + ": drain failed; the stream is closed", e);
            failDrain("drain failed: " + e);
        }
    }

    /** Owner only: completes a stream whose close was decided while we owned it. */
    private boolean completeIfAborting() {
        synchronized (lock) {
            if (!aborting) {
                return false;
            }
            state = State.DONE;
            lock.notifyAll();
        }
        afterClose(true);
        return true;
    }

    /**
     * Owner only: this pass has written its share. Flush what it wrote, then let the next pass run as
     * a fresh task behind the other streams' drains; the output stays ours (RUNNING) meanwhile.
     */
    private void yieldPass() throws IOException {
        if (needsFlush && transport.isReady()) {
            needsFlush = false;
            transport.flush();
        }
        scheduleDrain();
    }

    /** Owner only: the drain failed; the stream is done. */
    private void failDrain(String reason) {
        synchronized (lock) {
            if (!aborting) {
                abortLocked(reason, Ending.FAILED);
            }
            state = State.DONE;
            lock.notifyAll();
        }
        afterClose(true);
    }

    private boolean abortRequested() {
        synchronized (lock) {
            return aborting;
        }
    }

    /** Owner only: writes the batch taken by {@link #takeBatchLocked} in one transport write; returns its bytes. */
    private long write(int count) throws IOException {
        int events = 0;
        for (int i = 0; i < count; i++) {
            if (batch[i] instanceof LoggedEvent) {
                events++;
            }
        }
        long written;
        long now;
        try {
            written = transport.write(batch, count);
            now = System.nanoTime();
            StreamMetrics.Observer observer = metrics.observer;
            observer.queued(queuedAtTake);
            // Live events only: a replayed one was published long before this client asked for it.
            long oldest = -1;
            for (int i = batchOpening; i < count; i++) {
                if (batch[i] instanceof LoggedEvent event) {
                    long age = now - event.loggedNanos();
                    observer.delivered(age);
                    oldest = Math.max(oldest, age);
                }
            }
            Hub subscribed = hub;
            if (oldest >= 0 && subscribed != null) {
                subscribed.streamWrote(oldest);
            }
        } finally {
            java.util.Arrays.fill(batch, 0, count, null);
        }
        needsFlush = true;
        lastWriteNanos = now;
        metrics.writes.increment();
        metrics.bytesWritten.add(written);
        if (events > 0) {
            metrics.framesDelivered.add(events);
            eventsSent += events;
        }
        return written;
    }

    /** Guarded by lock. Moves up to a batch of queued items into {@code batch}; returns how many. */
    private int takeBatchLocked() {
        int count = 0;
        int bytes = 0;
        batchOpening = 0;
        queuedAtTake = liveBytes;
        Object item;
        while (count < MAX_BATCH_ITEMS && (count == 0 || bytes < MAX_BATCH_BYTES) && (item = queue.poll()) != null) {
            boolean live = openingItems == 0;
            if (!live) {
                openingItems--;
                batchOpening++; // the opening is the head of the queue, so the head of the batch
            }
            int length = frames.size(item);
            if (live) {
                if (item instanceof LoggedEvent event && event.coalesceKey() != null) {
                    if (queuedByKey.get(event.coalesceKey()) != event) {
                        superseded--; // a newer value for the key is queued behind; its bytes are counted there
                        continue;
                    }
                    queuedByKey.remove(event.coalesceKey());
                }
                liveBytes -= length;
            }
            if (count == batch.length) {
                batch = java.util.Arrays.copyOf(batch, count * 2);
            }
            batch[count++] = item;
            bytes += length;
        }
        return count;
    }

    /** Guarded by lock. Drops superseded state frames so a stalled client's queue cannot grow in slots. */
    private void compactLocked() {
        int index = 0;
        for (Iterator<Object> it = queue.iterator(); it.hasNext(); index++) {
            Object item = it.next();
            if (index >= openingItems && item instanceof LoggedEvent event && event.coalesceKey() != null
                    && queuedByKey.get(event.coalesceKey()) != event) {
                it.remove();
                index--;
            }
        }
        superseded = 0;
    }

    /**
     * Guarded by lock. Queues an item of Runnel's own (heartbeat, final retry) behind what is queued;
     * returns true when the caller must schedule a drain.
     */
    private boolean enqueueControlLocked(Object item) {
        queue.add(item);
        liveBytes += frames.size(item);
        return wakeLocked();
    }

    /** Guarded by lock. Returns true when the caller must schedule a drain. */
    private boolean wakeLocked() {
        if (state == State.IDLE) {
            state = State.RUNNING;
            return true;
        }
        return false;
    }

    /** Guarded by lock. Marks the stream closing; returns true when the caller must complete it now. */
    private boolean abortLocked(String reason, Ending why) {
        aborting = true;
        closeReason = reason;
        if (ending == Ending.FINISHED) {
            ending = why;
        }
        queue.clear();
        queuedByKey = null;
        openingItems = 0;
        liveBytes = 0;
        if (state == State.IDLE || state == State.WAITING) {
            state = State.DONE; // nobody owns the output: complete here (a RUNNING owner does it itself)
            lock.notifyAll();
            return true;
        }
        return false;
    }

    /** Once per stream: leave the hub and the registry; then complete the response if asked. */
    private void afterClose(boolean completeResponse) {
        if (closed.compareAndSet(false, true)) {
            Subscription s = subscription;
            if (s != null) {
                hub.unsubscribe(s);
            }
            registry.remove(this);
            metrics.closed(closeReason());
            Runnable action = onClose;
            if (action != null) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "stream " + id + ": close action failed", e);
                }
            }
        }
        if (completeResponse) {
            completeOnce();
        }
    }

    private void completeOnce() {
        synchronized (lock) {
            if (containerCompleting) {
                return; // containerFailed completes the response before its callback returns
            }
        }
        if (completed.compareAndSet(false, true)) {
            completeNow();
        }
    }

    private void completeNow() {
        Ending why;
        String reason;
        synchronized (lock) {
            why = ending;
            reason = closeReason;
        }
        try {
            transport.complete(why, reason);
        } catch (IllegalStateException e) {
            LOG.log(Level.DEBUG, () -> "stream " + id + ": already completed: " + e);
        }
    }

    private void scheduleDrain() {
        try {
            executor.execute(drainTask);
        } catch (RejectedExecutionException e) {
            // The dispatcher is stopping and we own the output (wakeLocked): close and complete here.
            synchronized (lock) {
                if (!aborting) {
                    abortLocked("dispatcher stopped", Ending.CLOSED);
                }
                state = State.DONE;
                lock.notifyAll();
            }
            afterClose(true);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + id + "]";
    }
}
