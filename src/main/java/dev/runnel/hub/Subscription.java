package dev.runnel.hub;

import java.util.List;

/**
 * The hub's record of one subscriber and its topics. Returned by {@link Hub#subscribe}; hand it back
 * to {@link Hub#unsubscribe} when the connection closes.
 *
 * <p>Threading: {@code remainingFinite} is written at registration (under the hub's lock, published
 * by the volatile subscriber arrays) and afterwards only by the fan-out, which runs one at a time.
 */
public final class Subscription {
    final Subscriber subscriber;
    final List<String> topics;
    /** Live delivery starts after this sequence; everything up to it came in the opening. */
    final long startAfter;
    final boolean allFinite;
    int remainingFinite;
    volatile boolean active = true;

    Subscription(Subscriber subscriber, List<String> topics, long startAfter, boolean allFinite,
            int remainingFinite) {
        this.subscriber = subscriber;
        this.topics = topics;
        this.startAfter = startAfter;
        this.allFinite = allFinite;
        this.remainingFinite = remainingFinite;
    }

    public List<String> topics() {
        return topics;
    }

    public boolean isActive() {
        return active;
    }
}
