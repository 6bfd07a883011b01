package dev.runnel.chat;

import com.google.gson.JsonObject;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import dev.runnel.hub.Receipt;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One answer: receives what the model writes and publishes it on the finite topic {@code chat/<id>},
 * which is the answer — every reader, every rendering and every resume reads that one log.
 * <pre>
 * event: token
 * data: {"index":0,"text":" River"}
 *
 * event: reasoning
 * data: {"index":0,"text":"The user asks…"}
 *
 * event: tool_call
 * data: {"index":0,"id":"call_1","name":"weather","arguments":"{\"city\":\"Oslo\"}"}
 *
 * event: done
 * data: {"tokens":87,"finishReason":"stop","usage":{"promptTokens":9,"completionTokens":87,"totalTokens":96}}
 * </pre>
 * or, instead of {@code done}, {@code failed} with {@link Failure}'s fields and {@code tokens}. The
 * last event is published as the topic's end, so nothing can follow it.
 *
 * <p>Threading: thread-safe. State changes and their publication happen under the answer's monitor
 * (lock order: answer, then hub); callbacks waiting for the first event or the end run after it is
 * released, on the thread that caused them.
 */
final class Answer implements ChatModel.Sink {
    private static final System.Logger LOG = System.getLogger(Answer.class.getName());
    static final String TOPIC_PREFIX = "chat/";

    final String id;
    final String owner;
    final String conversation;
    final String prompt;
    final String model;
    final long createdMillis;
    final long startedNanos = System.nanoTime();
    private final Hub hub;
    private final Consumer<Answer> onEnd;

    private AnswerView.State state = AnswerView.State.RUNNING; // guarded by this
    private int tokens;                                        // guarded by this
    private int reasoningPieces;                               // guarded by this
    private final StringBuilder text = new StringBuilder();    // guarded by this
    private final StringBuilder reasoning = new StringBuilder(); // guarded by this
    private final List<ToolCall> toolCalls = new ArrayList<>(); // guarded by this
    private String finishReason;                               // guarded by this
    private Usage usage;                                       // guarded by this
    private Failure failure;                                   // guarded by this
    private boolean started;                                   // guarded by this: an event was published
    private List<Consumer<AnswerView>> startWaiters = new ArrayList<>(); // guarded by this; null once started
    private List<Consumer<AnswerView>> endWaiters = new ArrayList<>();   // guarded by this; null once ended
    private ChatModel.Generation generation;                   // guarded by this
    private volatile long lastActivityNanos = startedNanos;
    private final long coalesceNanos;
    private final ScheduledExecutorService scheduler;
    private final StringBuilder pending = new StringBuilder();  // guarded by this: content held back
    private long lastTokenNanos;                               // guarded by this
    private boolean flushScheduled;                            // guarded by this

    /**
     * @param coalesceNanos content arriving sooner than this after the last token event waits and joins
     *                      the next one; 0 publishes every piece as it comes
     */
    Answer(String id, String owner, String conversation, String prompt, String model, long createdMillis, Hub hub,
            long coalesceNanos, ScheduledExecutorService scheduler, Consumer<Answer> onEnd) {
        this.coalesceNanos = coalesceNanos;
        this.scheduler = scheduler;
        this.id = id;
        this.owner = owner;
        this.conversation = conversation;
        this.prompt = prompt;
        this.model = model;
        this.createdMillis = createdMillis;
        this.hub = hub;
        this.onEnd = onEnd;
    }

    String topic() {
        return TOPIC_PREFIX + id;
    }

    synchronized void generation(ChatModel.Generation g) {
        generation = g;
    }

    @Override
    public void content(String piece) {
        if (piece == null || piece.isEmpty()) {
            return;
        }
        if (coalesceNanos > 0) {
            synchronized (this) {
                long now = System.nanoTime();
                if (state == AnswerView.State.RUNNING
                        && (pending.length() > 0 || (tokens > 0 && now - lastTokenNanos < coalesceNanos))) {
                    // Held back until one event per coalescing interval: a fast model does not flood the log.
                    pending.append(piece);
                    lastActivityNanos = now;
                    if (!flushScheduled) {
                        flushScheduled = true;
                        scheduler.schedule(this::flush, coalesceNanos - (now - lastTokenNanos), TimeUnit.NANOSECONDS);
                    }
                    return;
                }
            }
        }
        piece("token", piece, text);
    }

    /** Publishes the held-back text as one token event. */
    private void flush() {
        List<Consumer<AnswerView>> waiters;
        AnswerView view;
        synchronized (this) {
            flushScheduled = false;
            waiters = flushLocked();
            view = waiters == null ? null : viewLocked();
        }
        run(waiters, view);
    }

    /** Guarded by this. Publishes what content is held back; the first-event waiters it releases, or null. */
    private List<Consumer<AnswerView>> flushLocked() {
        if (pending.length() == 0) {
            return null;
        }
        String held = pending.toString();
        pending.setLength(0);
        return pieceLocked("token", held, text);
    }

    @Override
    public void reasoning(String piece) {
        if (piece != null && !piece.isEmpty()) {
            piece("reasoning", piece, reasoning);
        }
    }

    @Override
    public void toolCall(ToolCall call) {
        List<Consumer<AnswerView>> waiters;
        AnswerView view;
        synchronized (this) {
            if (!publish("tool_call", call.toJson(), false)) {
                return;
            }
            toolCalls.add(call);
            waiters = startedLocked();
            view = waiters == null ? null : viewLocked();
        }
        run(waiters, view);
    }

    /** Publishes a piece of text or reasoning, numbered within its kind, and keeps it. */
    private void piece(String event, String piece, StringBuilder kept) {
        List<Consumer<AnswerView>> waiters;
        AnswerView view;
        synchronized (this) {
            waiters = pieceLocked(event, piece, kept);
            view = waiters == null ? null : viewLocked();
        }
        run(waiters, view);
    }

    /** Guarded by this. Returns the first-event waiters it releases, or null. */
    private List<Consumer<AnswerView>> pieceLocked(String event, String piece, StringBuilder kept) {
        boolean isText = kept == text;
        JsonObject data = new JsonObject();
        data.addProperty("index", isText ? tokens : reasoningPieces);
        data.addProperty("text", piece);
        if (!publish(event, data, false)) {
            return null;
        }
        if (isText) {
            tokens++;
            lastTokenNanos = System.nanoTime();
        } else {
            reasoningPieces++;
        }
        kept.append(piece);
        return startedLocked();
    }

    @Override
    public void finished(String reason, Usage counted) {
        end(AnswerView.State.DONE, reason == null ? "stop" : reason, counted, null);
    }

    @Override
    public void failed(Failure why) {
        end(AnswerView.State.FAILED, "failed", null, why);
    }

    /** Stops the answer: {@code done} with {@code cancelled} and the usage so far. Returns false when it had ended. */
    boolean cancel() {
        ChatModel.Generation g;
        synchronized (this) {
            g = generation;
        }
        Usage soFar = g == null ? null : g.usageSoFar();
        boolean ended = end(AnswerView.State.CANCELLED, "cancelled", soFar, null);
        if (ended && g != null) {
            g.cancel();
        }
        return ended;
    }

    /** Ends the answer with {@code failed} and stops its generation (the watchdog, the shutdown). */
    boolean fail(Failure why) {
        ChatModel.Generation g;
        synchronized (this) {
            g = generation;
        }
        boolean ended = end(AnswerView.State.FAILED, "failed", null, why);
        if (ended && g != null) {
            g.cancel();
        }
        return ended;
    }

    /**
     * Why the watchdog must end this answer now, or null: nothing came from the model for
     * {@code idleNanos}, or it has been written for longer than {@code maxNanos}.
     */
    Failure overdue(long nowNanos, long idleNanos, long maxNanos) {
        if (maxNanos > 0 && nowNanos - startedNanos > maxNanos) {
            return Failure.of(Failure.TIMEOUT, "the answer took longer than runnel.chat.maxDuration ("
                    + maxNanos / 1_000_000 + " ms)");
        }
        if (idleNanos > 0 && nowNanos - lastActivityNanos > idleNanos) {
            return Failure.of(Failure.TIMEOUT, "the model sent nothing for runnel.chat.idleTimeout ("
                    + idleNanos / 1_000_000 + " ms)");
        }
        return null;
    }

    /** Calls {@code then} with the answer once its first event is published (at once if it has been). */
    void whenStarted(Consumer<AnswerView> then) {
        AnswerView view = null;
        synchronized (this) {
            if (startWaiters != null) {
                startWaiters.add(then);
            } else {
                view = viewLocked();
            }
        }
        if (view != null) {
            then.accept(view);
        }
    }

    /** Calls {@code then} with the answer once it has ended (at once if it has). */
    void whenEnded(Consumer<AnswerView> then) {
        AnswerView view = null;
        synchronized (this) {
            if (endWaiters != null) {
                endWaiters.add(then);
            } else {
                view = viewLocked();
            }
        }
        if (view != null) {
            then.accept(view);
        }
    }

    synchronized AnswerView view() {
        return viewLocked();
    }

    private boolean end(AnswerView.State newState, String reason, Usage counted, Failure why) {
        List<Consumer<AnswerView>> starts;
        List<Consumer<AnswerView>> ends;
        AnswerView view;
        synchronized (this) {
            if (state != AnswerView.State.RUNNING) {
                return false;
            }
            List<Consumer<AnswerView>> flushed = flushLocked(); // held-back text goes before the end
            JsonObject data;
            if (why != null) {
                data = why.toJson();
            } else {
                data = new JsonObject();
                data.addProperty("finishReason", reason);
                if (counted != null) {
                    data.add("usage", counted.toJson());
                }
            }
            data.addProperty("tokens", tokens);
            publish(why != null ? "failed" : "done", data, true);
            state = newState;
            finishReason = reason;
            usage = counted;
            failure = why;
            starts = flushed != null ? flushed : startedLocked();
            ends = endWaiters;
            endWaiters = null;
            view = viewLocked();
        }
        try {
            onEnd.accept(this);
        } finally {
            run(starts, view);
            run(ends, view);
        }
        return true;
    }

    /**
     * Guarded by this. Publishes one event of the answer; false when the answer or the hub is closed. An
     * event the hub refuses later (its fan-out too far behind, its shared log unreachable) fails the
     * answer rather than let it go on with a hole; that runs on the scheduler, never under this lock.
     */
    private boolean publish(String event, JsonObject data, boolean last) {
        if (state != AnswerView.State.RUNNING) {
            return false;
        }
        lastActivityNanos = System.nanoTime();
        CompletableFuture<Receipt> answer = hub.publish(new Publication(topic(), event, data.toString(), null, last))
                .toCompletableFuture();
        Receipt now = answer.getNow(null);
        if (now != null && now.status() == Receipt.Status.CLOSED) {
            LOG.log(Level.DEBUG, () -> "answer " + id + ": not published, the hub is closed");
            return false;
        }
        answer.whenCompleteAsync((receipt, failure) -> {
            if (failure != null) {
                LOG.log(Level.ERROR, "answer " + id + ": publishing its " + event + " failed", failure);
            } else if (!receipt.isAccepted() && receipt.status() != Receipt.Status.CLOSED) {
                LOG.log(Level.WARNING, "answer " + id + ": the hub refused its " + event + " (" + receipt.status()
                        + ": " + receipt.detail() + ")");
                fail(Failure.of(Failure.OVERLOADED, "the hub refused an event of the answer (" + receipt.status() + ")"));
            }
        }, scheduler);
        return true;
    }

    /** Guarded by this. The waiters for the first event, once: null when they were already released. */
    private List<Consumer<AnswerView>> startedLocked() {
        if (started) {
            return null;
        }
        started = true;
        List<Consumer<AnswerView>> waiters = startWaiters;
        startWaiters = null;
        return waiters;
    }

    private AnswerView viewLocked() {
        return new AnswerView(id, topic(), conversation, prompt, model, createdMillis, state, tokens, text.toString(),
                reasoning.toString(), toolCalls, finishReason, usage, failure, false);
    }

    private void run(List<Consumer<AnswerView>> waiters, AnswerView view) {
        if (waiters == null) {
            return;
        }
        for (Consumer<AnswerView> w : waiters) {
            try {
                w.accept(view);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "answer " + id + ": a waiter failed", e);
            }
        }
    }

    String text() {
        synchronized (this) {
            return text.toString();
        }
    }
}
