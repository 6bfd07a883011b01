package dev.runnel.hub;

import java.util.function.LongSupplier;

/**
 * A millisecond clock the test sets; optionally it moves on by {@code step} at every reading, the way
 * a real clock may tick between two calls.
 *
 * <p>Threading: thread-safe.
 */
final class TestClock implements LongSupplier {
    private long now;
    private long step;

    TestClock(long now) {
        this.now = now;
    }

    @Override
    public synchronized long getAsLong() {
        long reading = now;
        now += step;
        return reading;
    }

    synchronized void set(long millis) {
        now = millis;
    }

    /** From now on every reading is {@code millis} later than the one before. */
    synchronized void tickOnEveryReading(long millis) {
        step = millis;
    }
}
