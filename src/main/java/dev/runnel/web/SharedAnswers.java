package dev.runnel.web;

import dev.runnel.chat.AnswerRegistry;
import dev.runnel.chat.ChatGateway;
import dev.runnel.redis.RunRegistry;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * This node's chat answers in the {@link RunRegistry}, and the other nodes' answers from it, for
 * {@link ChatGateway}: an answer is registered as soon as it starts and as soon as it ends (an end
 * Redis did not take, at the next syncs), and every {@value #SYNC_MILLIS} ms while it runs, when its
 * count of tokens moved; each time, its cancel flag
 * is read, and a flagged answer is stopped here (its upstream request aborted, its {@code done}
 * {@code cancelled} on its topic reaching every node). All of it on the thread of its
 * {@link SharedRuns}, never on the scheduler that writes the answers. A running answer stays known for
 * {@value #RUNNING_TTL_MINUTES} minutes after its node last registered it (a node that dies leaves
 * nothing behind for long); an ended one as long as its topic is in the log ({@code runnel.log.maxAge}).
 * An answer is registered under its topic, {@code chat/<id>}, so that no task id ever names one.
 *
 * <p>Threading: {@link #elsewhere} and {@link #requestCancel} from container threads, {@link #announce}
 * from any; the registering on {@code runnel-answers}, which {@link #close} stops and waits for.
 */
final class SharedAnswers implements AnswerRegistry {
    static final long SYNC_MILLIS = 200;
    private static final long RUNNING_TTL_MINUTES = 10;
    private static final long RUNNING_TTL_MILLIS = TimeUnit.MINUTES.toMillis(RUNNING_TTL_MINUTES);
    /** Ends that Redis did not take, kept for the next syncs (beyond this many, the oldest are let go). */
    private static final int MAX_ENDS_OWED = 1000;

    private final SharedRuns runs;
    private final ChatGateway gateway;
    private final long endedTtlMillis;
    private final Map<String, Entry> endsOwed = new LinkedHashMap<>(); // the thread only; oldest first

    /**
     * Starts registering {@code gateway}'s answers; give it to the gateway with
     * {@link ChatGateway#registerWith}.
     */
    SharedAnswers(RunRegistry registry, String node, long endedTtlMillis, ChatGateway gateway) {
        if (endedTtlMillis <= 0) {
            throw new IllegalArgumentException("endedTtlMillis: " + endedTtlMillis + " (expected: > 0)");
        }
        this.runs = new SharedRuns(registry, node, "runnel-answers", "chat answers");
        this.gateway = gateway;
        this.endedTtlMillis = endedTtlMillis;
        runs.every(SYNC_MILLIS, this::sync);
    }

    @Override
    public void announce(Entry answer) {
        if (answer.answer().ended()) {
            runs.execute(() -> register(answer));
        } else {
            // A start: registered at once rather than at the next tick, as the answer is when the sync
            // reads it. Not as announced: were it stopped meanwhile, its end would already be registered.
            runs.execute(this::sync);
        }
    }

    /** Registers the answer as it is; a running one that another node asked to stop is stopped instead. */
    private void register(Entry answer) {
        String id = answer.answer().id();
        String run = answer.answer().topic();
        if (answer.answer().ended()) {
            // Owed until Redis took it: the other nodes would see it running until its entry expired.
            endsOwed.put(run, answer);
            if (endsOwed.size() > MAX_ENDS_OWED) {
                endsOwed.remove(endsOwed.keySet().iterator().next());
            }
            runs.last(run, answer.encode(), endedTtlMillis); // the other nodes see it ended, for the log's window
            endsOwed.remove(run);
        } else if (runs.cancelRequested(run)) {
            gateway.cancel(ChatGateway.ANY_ANSWER, id); // its end comes back through announce
        } else {
            runs.keep(run, answer.encode(), RUNNING_TTL_MILLIS);
        }
    }

    private void sync() {
        for (Iterator<Entry> owed = endsOwed.values().iterator(); owed.hasNext(); ) {
            Entry end = owed.next();
            runs.last(end.answer().topic(), end.encode(), endedTtlMillis);
            owed.remove();
        }
        Set<String> held = new HashSet<>();
        for (Entry answer : gateway.running()) {
            held.add(answer.answer().topic());
            register(answer);
        }
        runs.keepOnly(held); // an answer that ended was registered a last time by its announcement
    }

    @Override
    public Optional<Entry> elsewhere(String id) {
        RunRegistry.Run run = runs.elsewhere(ChatGateway.TOPIC_PREFIX + id);
        return run == null ? Optional.empty() : Optional.of(Entry.decode(run.status()));
    }

    @Override
    public boolean requestCancel(String id) {
        return runs.requestCancel(ChatGateway.TOPIC_PREFIX + id);
    }

    @Override
    public void close() {
        runs.close();
    }
}
