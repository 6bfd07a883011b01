package dev.runnel.web.limits;

import dev.runnel.web.http.HttpError;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A token bucket per key (a credential, a client address, or one key for a shared budget):
 * {@code burst} tokens at once, refilled at {@code perSecond}. A request costs one token or, with
 * {@link #acquire(String, int)}, as many as it will publish. The map is bounded: a bucket that has
 * refilled completely is the same as no bucket, so such buckets are dropped when the map is full and
 * by {@link #prune} on the scheduler; if every bucket is in use the newcomer is refused like an
 * exhausted one.
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
    public RateLimiter(double perSecond, int burst) {
        if (perSecond < 0 || burst < 1) {
            throw new IllegalArgumentException("rate: " + perSecond + "/s, burst " + burst + " (expected: >= 0, >= 1)");
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
    }

    /** Whether this limiter limits anything (a rate of 0 turns it off). */
    public boolean isOn() {
        return perNano > 0;
    }

    /** Takes one token for {@code key}: 0 when granted, else the seconds to wait (at least 1). */
    public long acquire(String key) {
        return acquire(key, 1);
    }

    /** Takes {@code cost} tokens for {@code key} at once: 0 when granted, else the seconds to wait (at least 1). */
    public long acquire(String key, int cost) {
        return take(key, cost, true);
    }

    /**
     * Takes {@code cost} tokens for {@code key}, or refuses with a 429 whose {@code Retry-After} says when
     * it would succeed and whose detail starts with {@code refusal}.
     */
    public void charge(String key, int cost, String refusal) {
        refuseAfter(acquire(key, cost), refusal);
    }

    /** The 429 {@link #charge} would answer, without taking anything. */
    public void check(String key, String refusal) {
        refuseAfter(peek(key), refusal);
    }

    private static void refuseAfter(long wait, String refusal) {
        if (wait > 0) {
            throw new HttpError(429, "rate-limited", refusal + "; retry in " + wait + "s")
                    .withHeader("Retry-After", String.valueOf(wait));
        }
    }

    /** What {@link #acquire(String)} would answer, without taking anything. */
    public long peek(String key) {
        return take(key, 1, false);
    }

    /** Gives back {@code cost} tokens taken for something that did not happen after all. */
    public void refund(String key, int cost) {
        Bucket bucket = buckets.get(key);
        if (bucket != null) {
            synchronized (bucket) {
                bucket.tokens = Math.min(burst, bucket.tokens + cost);
            }
        }
    }

    private long take(String key, int cost, boolean take) {
        if (perNano == 0) {
            return 0;
        }
        long now = System.nanoTime();
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (!take) {
                return cost <= burst ? 0 : waitSeconds(cost - burst);
            }
            if (buckets.size() >= MAX_CREDENTIALS) {
                prune();
                if (buckets.size() >= MAX_CREDENTIALS) {
                    return 1;
                }
            }
            bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        }
        synchronized (bucket) {
            bucket.refill(now, perNano, burst);
            if (bucket.tokens >= cost) {
                if (take) {
                    bucket.tokens -= cost;
                }
                return 0;
            }
            return waitSeconds(cost - bucket.tokens);
        }
    }

    private long waitSeconds(double missing) {
        return Math.max(1, (long) Math.ceil(missing / perNano / TimeUnit.SECONDS.toNanos(1)));
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
