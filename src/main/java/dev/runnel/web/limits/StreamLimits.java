package dev.runnel.web.limits;

import dev.runnel.web.http.HttpError;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission for new streams: at most {@code runnel.streams.max} open in all (else 503 with
 * {@code Retry-After}) and {@code runnel.streams.perAddress} per client address (else 429; 0 turns
 * the per-address limit off). A granted permit is released exactly once, when its stream closes;
 * an address with no open stream leaves no entry behind.
 *
 * <p>Threading: thread-safe.
 */
public final class StreamLimits {
    static final String RETRY_AFTER_SECONDS = "5";

    private final int max;
    private final int perAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> byAddress = new ConcurrentHashMap<>();

    public StreamLimits(int max, int perAddress) {
        this.max = max;
        this.perAddress = perAddress;
    }

    /**
     * Takes a permit for one stream from {@code address}; returns its release action (idempotent).
     *
     * @throws HttpError 503 over the total, 429 over the per-address limit
     */
    public Runnable acquire(String address) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            throw full();
        }
        String key = address == null ? "" : address;
        if (perAddress > 0) {
            boolean[] granted = new boolean[1];
            byAddress.compute(key, (k, n) -> {
                int count = n == null ? 0 : n;
                if (count >= perAddress) {
                    return n;
                }
                granted[0] = true;
                return count + 1;
            });
            if (!granted[0]) {
                open.decrementAndGet();
                throw addressFull();
            }
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                if (perAddress > 0) {
                    byAddress.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
                }
                open.decrementAndGet();
            }
        };
    }

    /**
     * What {@link #acquire} would answer, taking nothing (for {@code HEAD}): a release action that does
     * nothing, or the same refusal.
     */
    public Runnable check(String address) {
        if (open.get() >= max) {
            throw full();
        }
        if (perAddress > 0 && byAddress.getOrDefault(address == null ? "" : address, 0) >= perAddress) {
            throw addressFull();
        }
        return () -> { };
    }

    private HttpError full() {
        return new HttpError(503, "too-many-streams", "the server holds its maximum of " + max
                + " streams (runnel.streams.max); retry later").withHeader("Retry-After", RETRY_AFTER_SECONDS);
    }

    private HttpError addressFull() {
        return new HttpError(429, "too-many-streams", "this address already has " + perAddress
                + " open streams (runnel.streams.perAddress)").withHeader("Retry-After", RETRY_AFTER_SECONDS);
    }

    public int open() {
        return open.get();
    }

    /** Addresses with at least one open stream. */
    public int addresses() {
        return byAddress.size();
    }
}
