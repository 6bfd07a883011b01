package dev.runnel.chat;

import dev.runnel.hub.Hub;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Runnel's chat answers, whatever writes them: starts answers on a {@link ChatModel}, keeps
 * conversations, spends per-caller token budgets, binds idempotency keys, stops answers on request,
 * and ends any answer whose model stalls or runs too long with {@code failed} {@code timeout}.
 *
 * <p>A caller is named by the web layer ({@code secret}, {@code sub:alice}, {@code anonymous}, …):
 * conversations, idempotency keys and budgets belong to it. Every answer is a finite topic
 * {@code chat/<id>} in the hub ({@link Answer}); the answer outlives any connection, so readers come
 * and go, resume with {@code Last-Event-ID}, and never cause a second generation.
 *
 * <p>With several nodes on one log, an answer is written on the node that accepted it, and the
 * {@link AnswerRegistry} makes it known to the others: {@link #find} and {@link #cancel} reach an
 * answer of another node through it.
 *
 * <p>Threading: thread-safe. The gateway's monitor guards the running answers and the counts; an
 * answer's own monitor its events (lock order: gateway, answer, hub — and the gateway's is never
 * held while an answer publishes).
 */
public final class ChatGateway implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChatGateway.class.getName());
    public static final String TOPIC_PREFIX = Answer.TOPIC_PREFIX;
    /** The caller that may stop any answer: the holder of the publish secret. */
    public static final String ANY_ANSWER = "secret";
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

    /**
     * What bounds answers.
     *
     * @param maxRunning     answers written at once ({@code runnel.chat.maxRunning})
     * @param maxTokens      the largest {@code max_tokens}, and the default ({@code runnel.chat.maxTokens})
     * @param maxPromptBytes what a caller may send in one question, UTF-8 ({@code runnel.chat.maxPromptBytes})
     * @param idleTimeout    an answer the model sends nothing for this long fails ({@code runnel.chat.idleTimeout})
     * @param maxDuration    an answer written longer than this fails ({@code runnel.chat.maxDuration})
     * @param idempotencyTtl how long an {@code Idempotency-Key} keeps its answer (the log's window)
     * @param coalesce       content within this of the last token event joins the next one
     *                       ({@code runnel.chat.coalesce}); zero for one event per piece
     */
    public record Limits(int maxRunning, int maxTokens, int maxPromptBytes, Duration idleTimeout,
            Duration maxDuration, Duration idempotencyTtl, Duration coalesce) {
        public Limits {
            if (maxRunning < 1) {
                throw new IllegalArgumentException("runnel.chat.maxRunning: " + maxRunning + " (expected: >= 1)");
            }
            if (maxTokens < 1) {
                throw new IllegalArgumentException("runnel.chat.maxTokens: " + maxTokens + " (expected: >= 1)");
            }
            if (maxPromptBytes < 1) {
                throw new IllegalArgumentException("runnel.chat.maxPromptBytes: " + maxPromptBytes
                        + " (expected: > 0)");
            }
            if (idleTimeout.isNegative() || maxDuration.isNegative() || idempotencyTtl.isNegative()
                    || coalesce.isNegative()) {
                throw new IllegalArgumentException("runnel.chat.idleTimeout, maxDuration, coalesce: negative (expected: >= 0)");
            }
        }
    }

    private final Hub hub;
    private final ChatModel model;
    private final Limits limits;
    private final String systemPrompt;
    private final AnswerStore store;
    private final Conversations conversations;
    private final TokenBudgets budgets;
    private final Map<String, Answer> running = new HashMap<>(); // guarded by this
    private boolean closed;                                      // guarded by this
    private final ScheduledFuture<?> watchdog;
    private final ScheduledExecutorService scheduler;
    private volatile AnswerRegistry registry = AnswerRegistry.NONE;

    public ChatGateway(Hub hub, ChatModel model, ScheduledExecutorService scheduler, Limits limits,
            String systemPrompt, AnswerStore store, History history, Budget budget) {
        this.hub = hub;
        this.model = model;
        this.limits = limits;
        this.systemPrompt = systemPrompt;
        this.store = store;
        this.conversations = new Conversations(history.turns(), history.bytes(), history.ttl().toMillis(),
                history.conversations(), System::currentTimeMillis);
        this.scheduler = scheduler;
        this.budgets = new TokenBudgets(budget.perMinute(), budget.perDay(), System::currentTimeMillis);
        long idle = limits.idleTimeout().toMillis();
        long max = limits.maxDuration().toMillis();
        long shortest = Math.min(idle > 0 ? idle : Long.MAX_VALUE, max > 0 ? max : Long.MAX_VALUE);
        long period = Math.max(5, Math.min(1000, shortest / 4));
        this.watchdog = scheduler.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Makes this node's answers known to the other nodes of its log through {@code registry}, and
     * theirs found through it; closed with the gateway. Called once, before the first answer.
     */
    public void registerWith(AnswerRegistry registry) {
        this.registry = registry;
    }

    /** How conversations are bounded ({@code runnel.chat.history.*}). */
    public record History(int turns, long bytes, Duration ttl, int conversations) {}

    /** Tokens per caller ({@code runnel.chat.budget.*}); 0 for no limit. */
    public record Budget(long perMinute, long perDay) {}

    /** The name of the model answers are written by. */
    public String modelName() {
        return model.name();
    }

    /**
     * Starts an answer for {@code caller}, or finds the one its idempotency key already started.
     *
     * @throws ChatRefused a bad question (400, 413), an unknown conversation (404), a key reused for
     *                     another question (409), a limit or budget (429), a shutdown (503)
     */
    public AnswerView ask(String caller, Question q) {
        List<ChatModel.Message> given = q.checked(limits);
        int maxTokens = q.checkedMaxTokens(limits);
        if (q.idempotencyKey() != null && !IDEMPOTENCY_KEY.matcher(q.idempotencyKey()).matches()) {
            throw new ChatRefused(ChatRefused.Kind.BAD_REQUEST, "Idempotency-Key: expected 1 to 200 printable "
                    + "ASCII characters");
        }
        String fingerprint = q.fingerprint(given, maxTokens);
        String conversation = q.conversation();
        List<ChatModel.Message> history = conversation == null ? List.of()
                : conversations.history(conversation, caller); // 404 unless it is the caller's
        String id = Ids.random();
        Answer answer;
        synchronized (this) {
            if (closed) {
                throw new ChatRefused(ChatRefused.Kind.UNAVAILABLE, "the server is shutting down", 5);
            }
            String key = q.idempotencyKey() == null ? null : caller + " " + q.idempotencyKey();
            if (key != null) {
                AnswerStore.Binding b = store.bind(key, fingerprint, id, limits.idempotencyTtl().toMillis());
                if (!b.answerId().equals(id)) {
                    if (!b.fingerprint().equals(fingerprint)) {
                        throw new ChatRefused(ChatRefused.Kind.CONFLICT, "Idempotency-Key \"" + q.idempotencyKey()
                                + "\" was used for another question (expected: a new key for a new question)");
                    }
                    return findHere(b.answerId()).map(AnswerView::asReplayed).orElseThrow(() -> new ChatRefused(
                            ChatRefused.Kind.CONFLICT, "the answer of Idempotency-Key \"" + q.idempotencyKey()
                                    + "\" is no longer kept"));
                }
            }
            try {
                budgets.check(caller);
                if (running.size() >= limits.maxRunning()) {
                    throw new ChatRefused(ChatRefused.Kind.TOO_MANY, running.size() + " answers are being written "
                            + "(limit " + limits.maxRunning() + ", runnel.chat.maxRunning)", 2);
                }
            } catch (ChatRefused refused) {
                if (key != null) {
                    store.unbind(key, id); // a retry with the same key, later, starts the answer
                }
                throw refused;
            }
            if (q.messages() == null && conversation == null) {
                conversation = conversations.start(caller);
            }
            answer = new Answer(id, caller, conversation, given.get(given.size() - 1).content(), model.name(), System.currentTimeMillis(), hub, limits.coalesce().toNanos(), scheduler, this::ended);
            running.put(id, answer);
        }
        AnswerView started = answer.view();
        store.save(started);
        registry.announce(new AnswerRegistry.Entry(started, caller));
        List<ChatModel.Message> messages = new ArrayList<>();
        if (systemPrompt != null && (given.isEmpty() || !given.get(0).role().equals("system"))) {
            messages.add(new ChatModel.Message("system", systemPrompt));
        }
        messages.addAll(history);
        messages.addAll(given);
        if (conversation != null) {
            conversations.add(conversation, given.get(given.size() - 1));
        }
        try {
            answer.generation(model.generate(new ChatModel.Prompt(messages, maxTokens), answer));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "answer " + id + ": the model failed to start", e);
            answer.failed(Failure.of(Failure.UPSTREAM_ERROR, "the model failed to start: " + e.getMessage()));
        }
        return answer.view();
    }

    /**
     * The answer as it now is, running or kept, here or, as its node last announced it (without its
     * text, which is in its topic), on another node of the log.
     */
    public Optional<AnswerView> find(String id) {
        return findHere(id).or(() -> registry.elsewhere(id).map(AnswerRegistry.Entry::answer));
    }

    private Optional<AnswerView> findHere(String id) {
        Answer a;
        synchronized (this) {
            a = running.get(id);
        }
        return a != null ? Optional.of(a.view()) : store.find(id);
    }

    /**
     * Stops a running answer: it ends with {@code done} {@code cancelled}, its upstream request is
     * aborted. Returns the answer as it now is (one that had ended keeps its state), or empty when
     * {@code caller} has no such answer. An answer another node writes is asked to stop there and
     * comes back still {@code RUNNING}, as that node last announced it: it ends within a fraction of a
     * second.
     */
    public Optional<AnswerView> cancel(String caller, String id) {
        Answer a;
        synchronized (this) {
            a = running.get(id);
        }
        if (a == null) {
            Optional<AnswerView> kept = store.find(id);
            return kept.isPresent() ? kept : cancelElsewhere(caller, id);
        }
        if (!mayStop(caller, a.owner)) {
            return Optional.empty(); // another caller's answer is none of this one's business
        }
        a.cancel();
        return Optional.of(a.view());
    }

    private Optional<AnswerView> cancelElsewhere(String caller, String id) {
        Optional<AnswerRegistry.Entry> there = registry.elsewhere(id);
        if (there.isEmpty() || there.get().answer().ended()) {
            return there.map(AnswerRegistry.Entry::answer);
        }
        if (!mayStop(caller, there.get().owner()) || !registry.requestCancel(id)) {
            return Optional.empty();
        }
        return Optional.of(there.get().answer());
    }

    private static boolean mayStop(String caller, String owner) {
        return owner.equals(caller) || caller.equals(ANY_ANSWER);
    }

    /** This node's running answers, as they now are, with their owners. */
    public List<AnswerRegistry.Entry> running() {
        List<Answer> open;
        synchronized (this) {
            open = new ArrayList<>(running.values());
        }
        List<AnswerRegistry.Entry> entries = new ArrayList<>(open.size());
        for (Answer a : open) {
            entries.add(new AnswerRegistry.Entry(a.view(), a.owner));
        }
        return entries;
    }

    /** Calls {@code then} once the answer's first event is out (a token, or its end); false for an unknown id. */
    public boolean whenStarted(String id, Consumer<AnswerView> then) {
        return await(id, then, true);
    }

    /** Calls {@code then} once the answer has ended; false for an unknown id. */
    public boolean whenEnded(String id, Consumer<AnswerView> then) {
        return await(id, then, false);
    }

    public synchronized int runningCount() {
        return running.size();
    }

    /**
     * Stops every running answer ({@code failed}: the server is shutting down), the watchdog, and
     * the registry (once it has announced those ends).
     */
    @Override
    public void close() {
        List<Answer> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(running.values());
        }
        watchdog.cancel(false);
        for (Answer a : open) {
            a.fail(Failure.of(Failure.UPSTREAM_ERROR, "the server is shutting down"));
        }
        try {
            model.close();
        } finally {
            registry.close();
        }
    }

    private boolean await(String id, Consumer<AnswerView> then, boolean start) {
        Answer a;
        synchronized (this) {
            a = running.get(id);
        }
        if (a != null) {
            if (start) {
                a.whenStarted(then);
            } else {
                a.whenEnded(then);
            }
            return true;
        }
        Optional<AnswerView> kept = store.find(id);
        kept.ifPresent(then);
        return kept.isPresent();
    }

    private void ended(Answer a) {
        AnswerView view = a.view();
        synchronized (this) {
            running.remove(a.id);
        }
        store.save(view);
        registry.announce(new AnswerRegistry.Entry(view, a.owner));
        if (view.usage() != null) {
            budgets.spend(a.owner, view.usage().totalTokens());
        } else {
            budgets.spend(a.owner, view.tokens());
        }
        if (a.conversation != null && !view.text().isEmpty()) {
            conversations.add(a.conversation, new ChatModel.Message("assistant", view.text()));
        }
    }

    private void sweep() {
        try {
            List<Answer> open;
            synchronized (this) {
                open = new ArrayList<>(running.values());
            }
            long now = System.nanoTime();
            for (Answer a : open) {
                Failure why = a.overdue(now, limits.idleTimeout().toNanos(), limits.maxDuration().toNanos());
                if (why != null && a.fail(why)) {
                    LOG.log(Level.INFO, "answer " + a.id + " ended by the watchdog: " + why.detail());
                }
            }
            conversations.sweep();
            budgets.sweep();
            store.sweep();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "chat watchdog failed; it keeps its schedule", e);
        }
    }
}
