package dev.runnel.hub;

/**
 * How far the fan-out may fall behind the publishers: events accepted but not yet handed to the
 * streams, at most {@code maxBacklog} of them and none waiting longer than {@code maxLagMillis}; and
 * the streams writing what they were handed on time ({@link WriteLag}: most writes carry no event
 * older than a fifth of {@code maxLagMillis}). Beyond any of these, a publish is held back
 * (asynchronously: no thread waits) until the fan-out has made room, for at most
 * {@link #maxHoldMillis}; then it is refused ({@link Receipt.Status#BACKLOGGED}).
 *
 * <p>Threading: immutable.
 */
public record FanOutLimits(int maxBacklog, long maxLagMillis) {
    /** No bound (benchmarks of the raw fan-out, tests of other things). */
    public static final FanOutLimits NONE = new FanOutLimits(Integer.MAX_VALUE, Long.MAX_VALUE);

    public FanOutLimits {
        if (maxBacklog <= 0) {
            throw new IllegalArgumentException("maxBacklog: " + maxBacklog + " (expected: > 0)");
        }
        if (maxLagMillis <= 0) {
            throw new IllegalArgumentException("maxLagMillis: " + maxLagMillis + " (expected: > 0)");
        }
    }

    /**
     * How long a publish may be held back: ten times the lag bound, between 1 and 30 s. Under ordinary
     * overload the fan-out makes room within about the lag bound; a publish still waiting after ten
     * times that finds a fan-out that is stuck or starved, and is better told to come back.
     */
    public long maxHoldMillis() {
        return Math.max(1_000, Math.min(30_000, maxLagMillis > Long.MAX_VALUE / 10 ? Long.MAX_VALUE : maxLagMillis * 10));
    }
}
