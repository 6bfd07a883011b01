package dev.runnel.testing;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One subscription read through any of Runnel's transports, as the same items: events and resets in
 * the order they came, the cursor a client would resume from, and the end (SSE: the response
 * completes or is a 204; WebSocket: {@code end} and a close; long-poll: {@code "ended": true}). The
 * {@code connected} item is not an item here: it only moves the cursor. Waits are bounded; nothing
 * sleeps.
 *
 * <p>Threading: the transport's threads add; the test takes.
 */
public abstract class Feed implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * An event ({@code type} {@code "event"}, its name in {@code event}), a reset ({@code "reset"}, its
     * reason in {@code event}) or an error ({@code "error"}, its code in {@code event}). {@code topic} is
     * null over SSE, whose frames do not carry it.
     */
    public record Item(String type, String topic, String event, String id, String data) {
        public boolean isEvent() {
            return type.equals("event");
        }
    }

    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final java.util.concurrent.CountDownLatch joined = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean ended;
    private volatile String cursor;

    protected final void add(Item item) {
        items.add(item);
    }

    protected final void ended() {
        ended = true;
        joined.countDown();
    }

    /** The transport has joined the hub (or given up): {@link #awaitJoined} returns. */
    protected final void joined() {
        joined.countDown();
    }

    protected final void cursor(String id) {
        if (id != null) {
            cursor = id;
        }
    }

    /** Where a client of this transport resumes: the last id it was given (an event's, a pin, a poll's cursor). */
    public String cursor() {
        return cursor;
    }

    public boolean isEnded() {
        return ended;
    }

    public Item next() {
        return next(TIMEOUT);
    }

    public Item next(Duration timeout) {
        try {
            Item item = items.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (item == null) {
                fail(getClass().getSimpleName() + ": no item within " + timeout + " (ended: " + ended + ")");
            }
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public List<Item> next(int n) {
        List<Item> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(next());
        }
        return list;
    }

    /** The next item, or null once the feed ended with nothing left; fails after {@code timeout}. */
    public Item nextOrEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Item item = items.poll(20, TimeUnit.MILLISECONDS);
                if (item != null) {
                    return item;
                }
                if (ended && items.isEmpty()) {
                    return null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return fail(getClass().getSimpleName() + ": neither an item nor the end within " + timeout);
    }

    public void assertNoMoreItems(Duration quiet) {
        try {
            assertNull(items.poll(quiet.toMillis(), TimeUnit.MILLISECONDS), "unexpected item");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until the transport has joined the hub (SSE and WebSocket: connected; long-poll: its first answer). */
    public final Feed awaitJoined() {
        try {
            if (!joined.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(getClass().getSimpleName() + ": not joined within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return this;
    }

    @Override
    public abstract void close();
}
