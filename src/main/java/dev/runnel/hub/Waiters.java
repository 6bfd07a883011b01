package dev.runnel.hub;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Readers waiting for the next event of their topics without a subscription (long polls): each
 * {@link Waiter} is woken once, by the fan-out, after it has handed on an event of one of its topics,
 * or when the hub closes. Registering and cancelling take no lock of the hub: a poll that waits costs
 * a set entry per topic, not a subscription.
 *
 * <p>Threading: thread-safe, lock-free.
 */
public final class Waiters {
    private final Map<String, Set<Waiter>> byTopic = new ConcurrentHashMap<>();

    Waiter add(List<String> topics, Runnable wake) {
        Waiter w = new Waiter(this, List.copyOf(topics), wake);
        for (String topic : w.topics) {
            byTopic.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).add(w);
        }
        return w;
    }

    /** Fan-out: wakes everyone waiting on {@code topic}. Cheap when nobody is. */
    void wake(String topic) {
        Set<Waiter> waiting = byTopic.get(topic);
        if (waiting != null && !waiting.isEmpty()) {
            for (Waiter w : waiting) {
                w.fire();
            }
        }
    }

    void wakeAll() {
        for (Set<Waiter> waiting : byTopic.values()) {
            for (Waiter w : waiting) {
                w.fire();
            }
        }
    }

    int size() {
        return (int) byTopic.values().stream().flatMap(Set::stream).distinct().count();
    }

    private void remove(Waiter w) {
        for (String topic : w.topics) {
            byTopic.computeIfPresent(topic, (t, set) -> {
                set.remove(w);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** One waiting reader. {@link #cancel} when done with it; its wake runs at most once. */
    public static final class Waiter {
        private final Waiters owner;
        private final List<String> topics;
        private final Runnable wake;
        private final AtomicBoolean done = new AtomicBoolean();

        private Waiter(Waiters owner, List<String> topics, Runnable wake) {
            this.owner = owner;
            this.topics = topics;
            this.wake = wake;
        }

        /** Stops waiting; the wake will not run (unless it already did). Idempotent; true if this call stopped it. */
        public boolean cancel() {
            if (done.compareAndSet(false, true)) {
                owner.remove(this);
                return true;
            }
            return false;
        }

        private void fire() {
            if (done.compareAndSet(false, true)) {
                owner.remove(this);
                wake.run(); // must only hand work on: it runs on the fan-out's thread
            }
        }
    }
}
