package dev.runnel.redis;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A lease for work that must run on one node at a time (the stock ticker): the key names its holder
 * and expires after {@code ttl}; the holder {@link #keep}s it well within that, and when it dies (or
 * loses Redis) the key expires and the next node that asks takes it over.
 *
 * <p>The holder's own view is conservative: {@link #held} turns false at the time the lease could
 * have expired in Redis, counted from before the last successful {@link #keep} was sent, so the old
 * holder stops before a new one can start (as long as the clocks' rates agree).
 *
 * <pre>
 * &lt;prefix&gt;:lease:&lt;name&gt;   string   the holder's node id, expires after ttl
 * </pre>
 *
 * <p>Threading: thread-safe.
 */
public final class Lease {
    private final RedisConnections redis;
    private final String key;
    private final String node;
    private final long ttlMillis;
    private final LongSupplier nanoClock;
    private volatile long validUntilNanos;
    private volatile boolean held;

    public Lease(RedisConnections redis, String prefix, String name, String node, long ttlMillis) {
        this(redis, prefix, name, node, ttlMillis, System::nanoTime);
    }

    Lease(RedisConnections redis, String prefix, String name, String node, long ttlMillis, LongSupplier nanoClock) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("ttlMillis: " + ttlMillis + " (expected: > 0)");
        }
        this.redis = redis;
        this.key = prefix + ":lease:" + name;
        this.node = node;
        this.ttlMillis = ttlMillis;
        this.nanoClock = nanoClock;
    }

    /**
     * Takes the lease if nobody holds it, or extends it if this node does. Call it every third of the
     * ttl or so.
     *
     * @return whether this node holds it now; false also when Redis cannot be reached
     */
    public boolean keep() {
        long sent = nanoClock.getAsLong();
        boolean ours;
        try {
            ours = redis.call("keep lease " + key, true, jedis -> Replies.number(Script.LEASE_KEEP.run(jedis,
                    List.of(key), List.of(node, Long.toString(ttlMillis)))) == 1);
        } catch (RedisUnavailableException e) {
            return held(); // still ours until the last successful keep runs out
        }
        if (ours) {
            validUntilNanos = sent + TimeUnit.MILLISECONDS.toNanos(ttlMillis);
        }
        held = ours;
        return ours;
    }

    /** Whether this node may run the work now. */
    public boolean held() {
        if (held && nanoClock.getAsLong() - validUntilNanos >= 0) {
            held = false;
        }
        return held;
    }

    /** Gives the lease up at once (only if this node still holds it), so another node need not wait for the ttl. */
    public void release() {
        held = false;
        redis.call("release lease " + key, true, jedis -> Script.LEASE_RELEASE.run(jedis, List.of(key), List.of(node)));
    }

    /** The node holding the lease in Redis now, or null. */
    public String holder() {
        return redis.call("read lease " + key, true, jedis -> jedis.get(key));
    }
}
