package dev.runnel.hub;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One way of putting a {@link LoggedEvent} on the wire (a WebSocket message, a long-poll entry),
 * memoised per event by {@link LoggedEvent#encoded}: each event is encoded at most once per encoding,
 * however many subscribers receive it. Create each encoding once, as a constant: every instance takes
 * a slot in every event that uses it.
 *
 * <p>Threading: immutable; the function must be pure (it may run twice for one event, in a race).
 */
public final class EventEncoding<T> {
    private static final AtomicInteger SLOTS = new AtomicInteger();
    private static final int MAX_SLOTS = 8;

    final int slot;
    private final String name;
    private final Function<LoggedEvent, T> encoder;

    private EventEncoding(String name, Function<LoggedEvent, T> encoder) {
        this.slot = SLOTS.getAndIncrement();
        if (slot >= MAX_SLOTS) {
            throw new IllegalStateException("encodings: " + (slot + 1) + " (expected: at most " + MAX_SLOTS
                    + ", each a constant)");
        }
        this.name = name;
        this.encoder = encoder;
    }

    public static <T> EventEncoding<T> of(String name, Function<LoggedEvent, T> encoder) {
        return new EventEncoding<>(name, encoder);
    }

    T encode(LoggedEvent event) {
        return encoder.apply(event);
    }

    @Override
    public String toString() {
        return "EventEncoding[" + name + "]";
    }
}
