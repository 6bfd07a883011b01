package dev.runnel.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Waits for a condition observable only from outside (an HTTP counter), bounded by a deadline. */
public final class Eventually {
    private Eventually() {}

    /** Re-checks {@code condition} every 10 ms until it holds; fails with {@code what} after {@code timeout}. */
    public static void await(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
