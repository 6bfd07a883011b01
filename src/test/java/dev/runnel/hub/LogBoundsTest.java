package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The log keeps events by count, bytes and age, and drops the oldest when any bound is reached. */
class LogBoundsTest {
    private static final String DATA = "x".repeat(1000);

    private final TestClock clock = new TestClock(0);

    @Test
    void heldBytesAreEachFrameItsPayloadAndAFixedOverhead() {
        MemoryEventLog log = log(100, 1_000_000, 1000);
        Hub hub = new Hub(log, TopicKinds.allStreams());
        hub.publish(Publication.of("news", null, "a"));
        hub.publish(Publication.of("news", "headline", DATA));
        List<LoggedEvent> held = log.recent(0, 2, topic -> true);

        assertEquals(held.get(0).frame().length + held.get(1).frame().length + 1 + DATA.length()
                + 2L * MemoryEventLog.ENTRY_OVERHEAD_BYTES, log.bytes());
        assertEquals(log.bytes(), hub.logFigures().bytes());
    }

    @Test
    void byteBoundDropsTheOldestEventsFirst() {
        long entry = entryBytes();
        MemoryEventLog log = log(100, 3 * entry + entry / 2, 1000);
        Hub hub = publishNews(log, 9);

        assertEquals(3, log.size(), "three events fit, a fourth does not");
        assertEquals(3 * entry, log.bytes());
        assertEquals(7, log.oldest());
        assertEquals(Cursor.valid(6), log.cursor("e1-6"));
        assertEquals(Cursor.Status.HISTORY_LOST, log.cursor("e1-5").status());
        RecordingSubscriber resumed = new RecordingSubscriber();
        hub.subscribe(List.of("news"), "e1-6", resumed);
        assertEquals(List.of("e1-7", "e1-8", "e1-9"), resumed.receivedIds());
    }

    @Test
    void whicheverBoundIsReachedFirstTrims() {
        long entry = entryBytes();
        MemoryEventLog byCount = log(2, 10 * entry, 1000);
        MemoryEventLog byBytes = log(10, 2 * entry, 1000);
        publishNews(byCount, 5);
        publishNews(byBytes, 5);
        assertEquals(2, byCount.size());
        assertEquals(2, byBytes.size());

        MemoryEventLog byAge = log(10, 10 * entry, 1000);
        Hub hub = publishNews(byAge, 3);   // at t=0
        clock.set(1001);
        hub.publish(Publication.of("news", null, DATA));
        assertEquals(1, byAge.size());
        assertEquals(entry, byAge.bytes(), "aged-out events give their bytes back");
    }

    @Test
    void newestEventIsHeldEvenWhenItAloneExceedsTheBound() {
        MemoryEventLog log = log(10, 100, 1000);
        Hub hub = publishNews(log, 3);

        assertEquals(1, log.size());
        assertEquals("e1-3", hub.headId());
        assertEquals(Cursor.valid(2), log.cursor("e1-2"), "a client one behind still gets the newest");
    }

    @Test
    void ageIsJudgedByDifferencesSoAMonotonicClockMayStartAnywhere() {
        // System.nanoTime() may be negative or near the end of its range: only differences mean anything.
        clock.set(Long.MIN_VALUE + 10);
        MemoryEventLog log = log(10, 10 * entryBytes(), 1000);
        publishNews(log, 2);

        clock.set(Long.MIN_VALUE + 1010);
        assertEquals(Cursor.valid(0), log.cursor("e1-0"), "exactly maxAge old is still held");
        assertEquals(2, log.size());
        clock.set(Long.MIN_VALUE + 1011);
        assertEquals(Cursor.Status.HISTORY_LOST, log.cursor("e1-0").status());
        assertEquals(0, log.size());
        assertEquals(0, log.bytes());
    }

    @Test
    void logRefusesANonPositiveByteBound() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryEventLog.Bounds(10, 0, 1000));
    }

    /** A log whose fan-out runs on the publishing thread, so that a subscriber joins after it. */
    private MemoryEventLog log(int maxEvents, long maxBytes, long maxAgeMillis) {
        return new MemoryEventLog(new MemoryEventLog.Bounds(maxEvents, maxBytes, maxAgeMillis), StateLimits.NONE,
                Runnable::run, clock, "e1");
    }

    /** What one news event of {@link #DATA} counts against the byte bound. */
    private long entryBytes() {
        MemoryEventLog probe = log(1, Long.MAX_VALUE, 1000);
        publishNews(probe, 1);
        return probe.bytes();
    }

    private static Hub publishNews(MemoryEventLog log, int count) {
        Hub hub = new Hub(log, TopicKinds.allStreams());
        for (int i = 0; i < count; i++) {
            hub.publish(Publication.of("news", null, DATA));
        }
        return hub;
    }
}
