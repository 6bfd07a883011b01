package dev.runnel.feed;

import dev.runnel.hub.Receipt;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * How a feed hears that the hub did not log one of its events. {@link #onRefusal} runs the feed's
 * own reaction (a task fails, an answer stops) when the {@link Receipt} is not an acceptance, and logs
 * a publish that failed outright (a bug). A ticking feed whose next tick carries the latest value
 * anyway (prices, metrics) counts its refusals instead, and says so in the log once per kind of refusal
 * and again whenever it recovers ({@link #note}).
 *
 * <p>Threading: thread-safe.
 */
final class Refusals {
    private static final System.Logger LOG = System.getLogger(Refusals.class.getName());

    private final String feed;
    private final AtomicLong refused = new AtomicLong();
    private final Set<Receipt.Status> reported = EnumSet.noneOf(Receipt.Status.class); // guarded by this

    Refusals(String feed) {
        this.feed = feed;
    }

    /** Runs {@code reaction} when {@code answer} is a refusal; logs it if the publish failed outright. */
    static void onRefusal(CompletionStage<Receipt> answer, String what, Consumer<Receipt> reaction) {
        answer.whenComplete((receipt, failure) -> {
            if (failure != null) {
                LOG.log(Level.ERROR, what + ": the publish failed", failure);
            } else if (!receipt.isAccepted()) {
                LOG.log(receipt.status() == Receipt.Status.CLOSED ? Level.DEBUG : Level.WARNING,
                        () -> what + ": the hub refused an event (" + receipt.status() + ": " + receipt.detail() + ")");
                reaction.accept(receipt);
            }
        });
    }

    /**
     * Counts {@code answer} if it is a refusal (a superseded value is not: a newer one took its place),
     * logging the first of each kind; an acceptance after refusals says the feed publishes again.
     */
    void note(CompletionStage<Receipt> answer) {
        answer.whenComplete((receipt, failure) -> {
            if (failure != null) {
                LOG.log(Level.ERROR, feed + ": the publish failed", failure);
            } else if (receipt.isAccepted()) {
                recovered();
            } else if (receipt.status() != Receipt.Status.SUPERSEDED) {
                refused(receipt);
            }
        });
    }

    /** Refusals counted so far. */
    long count() {
        return refused.get();
    }

    private void refused(Receipt receipt) {
        refused.incrementAndGet();
        boolean first;
        synchronized (this) {
            first = reported.add(receipt.status());
        }
        if (first && receipt.status() != Receipt.Status.CLOSED) {
            LOG.log(Level.WARNING, feed + ": the hub refuses its events (" + receipt.status() + ": " + receipt.detail()
                    + "); they are dropped, and the next tick publishes the latest values");
        }
    }

    private void recovered() {
        boolean wasRefused;
        synchronized (this) {
            wasRefused = !reported.isEmpty();
            reported.clear();
        }
        if (wasRefused) {
            LOG.log(Level.INFO, feed + ": the hub takes its events again (" + refused.get() + " refused in all)");
        }
    }
}
