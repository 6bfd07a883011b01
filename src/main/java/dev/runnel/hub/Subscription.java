package dev.runnel.hub;

import java.util.List;
import java.util.Set;

/**
 * The hub's record of one subscriber and its topics. Returned by {@link Hub#subscribe}; hand it back
 * to {@link Hub#unsubscribe} when the connection closes.
 *
 * <p>Threading: {@code openFinite} is written at registration (under the hub's dispatch lock, published
 * by the volatile subscriber arrays) and afterwards only by the fan-out, which runs one call at a time.
 */
public final class Subscription {
    final Subscriber subscriber;
    final List<String> topics;
    /** Live delivery starts after this position; everything up to it came in the opening or the client has it. */
    final long startAfter;
    final boolean allFinite;
    /** For subscriptions of finite topics alone: those that had not ended where it joined. */
    final Set<String> openFinite;
    volatile boolean active = true;

    Subscription(Subscriber subscriber, List<String> topics, long startAfter, boolean allFinite, Set<String> openFinite) {
        this.subscriber = subscriber;
        this.topics = topics;
        this.startAfter = startAfter;
        this.allFinite = allFinite;
        this.openFinite = openFinite;
    }

    /**
     * Fan-out only: the finite topic {@code topic} has ended for this subscriber. True when that was
     * the last of its topics still open, so that the subscriber is told to finish, once.
     */
    boolean ended(String topic) {
        return allFinite && openFinite.remove(topic) && openFinite.isEmpty();
    }

    public List<String> topics() {
        return topics;
    }

    public boolean isActive() {
        return active;
    }
}
