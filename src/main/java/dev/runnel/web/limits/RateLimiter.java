package dev.runnel.web.limits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A token bucket per credential: {@code burst} requests at once, refilled at {@code perSecond}.
 * The map is bounded: a bucket that has refilled completely is the same as no bucket, so such
 * buckets are dropped when the map is full and by {@link #prune} on the scheduler; if every bucket
 * is in use the newcomer is refused like an exhausted one.
 *
 * <p>Threading: thread-safe; each bucket is updated under its own monitor.
 */
public final class RateLimiter {
    static final int MAX_CREDENTIALS = 10_000;

    private final double perNano;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long refilledNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledNanos = now;
        }

        /** Guarded by this. */
        void refill(long now, double perNano, double burst) {
            tokens = Math.min(burst, tokens + (now - refilledNanos) * perNano);
            refilledNanos = now;
        }
    }

    /** @param perSecond 0 disables the limit */
    public RateLimiter(int perSecond, int burst) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
    }

    /** Takes one token for {@code credential}: 0 when granted, else the seconds to wait (at least 1). */
    public long acquire(String credential) {
        if (perNano == 0) {
            return 0;
        }
        long now = System.nanoTime();
        Bucket bucket = buckets.get(credential);
        if (bucket == null) {
            if (buckets.size() >= MAX_CREDENTIALS) {
                prune();
                if (buckets.size() >= MAX_CREDENTIALS) {
                    return 1;
                }
            }
            bucket = buckets.computeIfAbsent(credential, k -> new Bucket(burst, now));
        }
        synchronized (bucket) {
            bucket.refill(now, perNano, burst);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            double waitNanos = (1 - bucket.tokens) / perNano;
            return Math.max(1, (long) Math.ceil(waitNanos / TimeUnit.SECONDS.toNanos(1)));
        }
    }

    /** Drops the buckets that have refilled completely. */
    public void prune() {
        long now = System.nanoTime();
        buckets.entrySet().removeIf(e -> {
            Bucket b = e.getValue();
            synchronized (b) {
                b.refill(now, perNano, burst);
                return b.tokens >= burst;
            }
        });
    }

    public int credentials() {
        return buckets.size();
    }
}
