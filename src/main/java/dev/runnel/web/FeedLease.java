package dev.runnel.web;

import dev.runnel.redis.Lease;
import java.lang.System.Logger.Level;

/**
 * Keeps a {@link Lease} for a feed that must run on one node at a time (the stock ticker): asks for
 * it every third of its ttl on a thread of its own — a call to Redis may wait up to its socket
 * timeout, and the scheduler it would otherwise block drives every stream's heartbeats — and lets the
 * feed tick only while {@link #held}. When the holding node stops, it gives the lease up; when it dies,
 * the lease expires; either way another node takes it at its next ask, within the ttl.
 *
 * <p>Threading: {@link #held} from any thread; the keeping runs on {@code runnel-lease-<threadName>}, which
 * {@link #close} stops and waits for.
 */
final class FeedLease implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FeedLease.class.getName());

    private final Lease lease;
    private final String name;
    private final SyncThread keeper;
    private volatile boolean wasHeld;

    /**
     * @param threadName the keeping thread is {@code runnel-lease-<threadName>}
     * @param name       what the lease is for, for the log
     */
    FeedLease(Lease lease, String threadName, String name, long ttlMillis) {
        this.lease = lease;
        this.name = name;
        this.keeper = new SyncThread("runnel-lease-" + threadName);
        keeper.every(0, Math.max(1, ttlMillis / 3), this::keep);
    }

    private void keep() {
        try {
            boolean held = lease.keep();
            if (held != wasHeld) {
                LOG.log(Level.INFO, (held ? "this node now runs " : "this node no longer runs ") + name
                        + " (lease held by " + (held ? "it" : "another node or none") + ")");
                wasHeld = held;
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "keeping the lease of " + name + " failed; asking again shortly", e);
        }
    }

    /** Whether the feed may tick now on this node. */
    boolean held() {
        return lease.held();
    }

    @Override
    public void close() {
        keeper.close();
        try {
            lease.release(); // the next node need not wait for the ttl
        } catch (RuntimeException e) {
            LOG.log(Level.INFO, "could not give up the lease of " + name + " (it expires on its own): " + e.getMessage());
        }
    }
}
