package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Subscriber} that keeps everything the hub hands it: the opening, the live events in order,
 * the calls to {@code end()} and {@code close()}, the threads offers ran on and whether two offers ever overlapped.
 *
 * <p>Threading: thread-safe.
 */
class RecordingSubscriber implements Subscriber {
    private final List<Opening> openings = new ArrayList<>();   // guarded by this
    private final List<LoggedEvent> live = new ArrayList<>();   // guarded by this
    private final AtomicInteger ends = new AtomicInteger();
    private final List<String> closes = new ArrayList<>();      // guarded by this
    private final AtomicInteger inOffer = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final Set<String> offerThreads = ConcurrentHashMap.newKeySet();

    @Override
    public synchronized void open(Opening opening) {
        openings.add(opening);
    }

    @Override
    public boolean offer(LoggedEvent event) {
        if (inOffer.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
        }
        try {
            offerThreads.add(Thread.currentThread().getName());
            synchronized (this) {
                live.add(event);
            }
            return true;
        } finally {
            inOffer.decrementAndGet();
        }
    }

    @Override
    public void end() {
        ends.incrementAndGet();
    }

    @Override
    public synchronized void close(String reason) {
        closes.add(reason);
    }

    /** The reasons the hub gave when it closed this subscriber. */
    synchronized List<String> closes() {
        return List.copyOf(closes);
    }

    /** The one opening this subscriber got. */
    synchronized Opening opening() {
        assertEquals(1, openings.size(), "openings");
        return openings.get(0);
    }

    synchronized List<LoggedEvent> live() {
        return List.copyOf(live);
    }

    List<String> liveIds() {
        return ids(live());
    }

    /** The ids of the opening's events followed by the live ones: every event the client would see. */
    List<String> receivedIds() {
        List<String> all = new ArrayList<>(ids(opening().events()));
        all.addAll(liveIds());
        return all;
    }

    int ends() {
        return ends.get();
    }

    int overlappingOffers() {
        return overlaps.get();
    }

    Set<String> offerThreads() {
        return Set.copyOf(offerThreads);
    }

    static List<String> ids(List<LoggedEvent> events) {
        return events.stream().map(LoggedEvent::id).toList();
    }
}
