package dev.runnel.testing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits, up to a deadline, for an asynchronous probe (an HTTP request, say) to answer something that
 * satisfies a condition. The next probe is scheduled a short pause after the previous answer, so a
 * wait costs a few requests, not a busy loop, and never sleeps a thread. A probe that fails counts as
 * "not yet" (a server still starting refuses connections); an {@link AssertionError} ends the wait at
 * once (a container process that died will never answer).
 */
public final class Eventually {
    private static final long PAUSE_MILLIS = 50;

    private Eventually() {}

    public static <T> T await(String what, Supplier<CompletableFuture<T>> probe, Predicate<? super T> condition,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        AtomicReference<Object> last = new AtomicReference<>();
        CompletableFuture<T> done = attempt(what, probe, condition, deadline, timeout, last);
        try {
            // The attempts end themselves at the deadline; this bound only guards against a hung probe.
            return done.get(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e.getCause());
            throw cause instanceof AssertionError a ? a : new AssertionError(what + ": " + cause, cause);
        } catch (TimeoutException e) {
            done.cancel(true);
            throw new AssertionError(what + ": a probe hung (last answer: " + last.get() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + ": interrupted", e);
        }
    }

    /**
     * Re-checks an in-process {@code condition} (a registry size, a counter) every 10 ms until it holds;
     * fails with {@code what} after {@code timeout}.
     */
    public static void await(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static <T> CompletableFuture<T> attempt(String what, Supplier<CompletableFuture<T>> probe,
            Predicate<? super T> condition, long deadline, Duration timeout, AtomicReference<Object> last) {
        CompletableFuture<T> answer;
        try {
            answer = probe.get();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((value, failure) -> {
            Throwable cause = unwrap(failure);
            if (cause instanceof AssertionError a) {
                return CompletableFuture.<T>failedFuture(a);
            }
            if (cause == null && condition.test(value)) {
                return CompletableFuture.completedFuture(value);
            }
            last.set(cause != null ? cause : value);
            if (System.nanoTime() - deadline >= 0) {
                return CompletableFuture.<T>failedFuture(
                        new AssertionError(what + ": not within " + timeout + " (last answer: " + last.get() + ")"));
            }
            return CompletableFuture.runAsync(() -> { },
                            CompletableFuture.delayedExecutor(PAUSE_MILLIS, TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> attempt(what, probe, condition, deadline, timeout, last));
        }).thenCompose(next -> next);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
