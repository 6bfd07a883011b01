package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.ManualExecutor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which cursors the log honours, and the replay or reset a subscriber gets for them. On both logs. */
@ParameterizedClass
@EnumSource(HubRig.Log.class)
class ReplayWindowTest {
    private static final int CAPACITY = 5;
    private static final long MAX_AGE = 1000;

    private final TestClock clock = new TestClock(0);
    private final HubRig rig;
    private final EventLog log;
    private final Hub hub;

    ReplayWindowTest(HubRig.Log kind) {
        // The age bound is a second only on the in-memory log, whose clock the test moves.
        rig = HubRig.on(kind).capacity(CAPACITY).maxAge(kind == HubRig.Log.MEMORY ? MAX_AGE : 3_600_000)
                .clock(clock).start();
        log = rig.log;
        hub = rig.hub;
    }

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void cursorAtHeadMinusLogSizeIsStillCoveredAndReplaysExactly() {
        publishNews(12);

        assertEquals(CAPACITY, hub.logFigures().events());
        assertEquals(Cursor.valid(7), log.cursor(id(7)));
        Opening opening = subscribe(id(7)).opening();
        assertNull(opening.resetReason());
        assertEquals(ids(8, 12), RecordingSubscriber.ids(opening.events()));
        assertNull(opening.pinId(), "a replay carries its own ids");
    }

    @Test
    void cursorOneOlderThanTheLogHoldsIsHistoryLost() {
        publishNews(12);

        assertEquals(Cursor.Status.HISTORY_LOST, log.cursor(id(6)).status());
        Opening opening = subscribe(id(6)).opening();
        assertEquals("history-lost", opening.resetReason());
        assertTrue(opening.resetDetail().contains(id(8)), opening.resetDetail());
        assertEquals(List.of(), opening.events(), "stream topics have no snapshot");
        assertEquals(id(12), opening.pinId());
    }

    @Test
    void beforeTheLogWrapsEveryCursorFromZeroIsCovered() {
        publishNews(3);

        assertEquals(ids(1, 3), subscribe(id(0)).receivedIds());
        assertEquals(ids(3, 3), subscribe(id(2)).receivedIds());
        assertEquals(List.of(), subscribe(id(3)).receivedIds());
    }

    @Test
    void eventsOlderThanMaxAgeAreHistoryLostToo() {
        rig.memoryOnly("the test moves the in-memory log's clock");
        publishNews(3);          // e1-1..3 at t=0
        clock.set(600);
        publishNews(2);          // e1-4..5 at t=600

        clock.set(1500);         // t=0 is older than 1000 ms now
        assertEquals(Cursor.Status.HISTORY_LOST, log.cursor(id(2)).status());
        assertEquals(ids(4, 5), subscribe(id(3)).receivedIds());

        clock.set(1600);         // exactly maxAge old is still held
        assertEquals(Cursor.valid(3), log.cursor(id(3)));

        clock.set(1601);
        Opening lost = subscribe(id(3)).opening();
        assertEquals("history-lost", lost.resetReason());
        assertEquals(id(5), lost.pinId());
        assertEquals(Cursor.valid(5), log.cursor(id(5)), "a client that has everything stays valid");
        assertEquals(List.of(), subscribe(id(5)).receivedIds());
    }

    @Test
    void cursorJudgedValidGetsItsWholeReplayEvenWhenTheClockTicksMeanwhile() {
        rig.memoryOnly("the test moves the in-memory log's clock");
        publishNews(1);          // e1-1 at t=0
        clock.set(50);
        publishNews(2);          // e1-2..3 at t=50

        // At t=1050, e1-1 is too old and e1-2 is exactly maxAge old: a cursor at e1-1 is honoured.
        clock.set(1050);
        clock.tickOnEveryReading(1);
        Opening opening = subscribe(id(1)).opening();

        if (opening.resetReason() == null) {
            assertEquals(ids(2, 3), RecordingSubscriber.ids(opening.events()), "replay has a gap");
        } else {
            assertEquals("history-lost", opening.resetReason());
        }
    }

    @Test
    void idFromAnotherEpochIsUnknownEpoch() {
        publishNews(3);

        for (String foreign : List.of("e2-1", "e10-1", "e-1", "x-1", "zzzzzzzzzz-3", "0000000000000000-1")) {
            Cursor cursor = log.cursor(foreign);
            assertEquals(Cursor.Status.UNKNOWN_EPOCH, cursor.status(), foreign);
            assertNotNull(cursor.detail(), foreign);
        }
        Opening opening = subscribe("e2-2").opening();
        assertEquals("unknown-epoch", opening.resetReason());
        assertTrue(opening.resetDetail().contains(rig.epoch()), opening.resetDetail());
        assertEquals(id(3), opening.pinId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "e1", "e1-", "-1", "-", "e1-12a", "epoch-12a", "e1-1.0", "e1- 1", " e1-1",
            "e1-1 ", "e1-+1", "e1--1", "E1-1", "e1_x-1", "e1-\u0661", "e1-0x1", "ab/c-1", "e1-4", "e1-999",
            "e1-999999999999999999", "e1-9999999999999999999", "e1-00000000000000000000000000000000000001",
            "e1-123456789012345678901234567890123456789012345678901234567890", "abcdefghijklmnopq-1"})
    void garbageIsMalformed(String garbage) {
        String id = garbage.replace("e1", rig.epoch()); // the same garbage in this log's epoch
        publishNews(3);

        Cursor cursor = log.cursor(id);
        assertEquals(Cursor.Status.MALFORMED, cursor.status(), id);
        assertNotNull(cursor.detail());
        Opening opening = subscribe(id).opening();
        assertEquals("malformed-id", opening.resetReason());
        assertEquals(id(3), opening.pinId());
        assertEquals(List.of(), opening.events());
    }

    @Test
    void idAheadOfTheHeadIsMalformedEvenOnAnEmptyLog() {
        assertEquals(Cursor.Status.MALFORMED, log.cursor(id(1)).status());
        assertEquals(Cursor.valid(0), log.cursor(id(0)));
    }

    @Test
    void nullOrEmptyIdMeansNoCursor() {
        publishNews(3);

        assertSame(Cursor.NONE, log.cursor(null));
        assertSame(Cursor.NONE, log.cursor(""));
        for (String none : new String[] {null, ""}) {
            Opening opening = subscribe(none).opening();
            assertNull(opening.resetReason());
            assertEquals(id(3), opening.pinId());
        }
    }

    @Test
    void logRefusesNonsensicalSettings() {
        rig.memoryOnly("the in-memory log's own checks");
        ManualExecutor executor = new ManualExecutor();
        assertThrows(IllegalArgumentException.class, () -> MemoryEventLog.Bounds.of(0, MAX_AGE));
        assertThrows(IllegalArgumentException.class, () -> MemoryEventLog.Bounds.of(1, 0));
        for (String epoch : List.of("E1", "")) {
            assertThrows(IllegalArgumentException.class, () -> new MemoryEventLog(MemoryEventLog.Bounds.of(1, MAX_AGE),
                    StateLimits.NONE, executor, clock, epoch));
        }
        assertTrue(MemoryEventLog.newEpoch().matches("[0-9a-z]{1,10}"));
    }

    private String id(long sequence) {
        return rig.id(sequence);
    }

    private void publishNews(int count) {
        for (int i = 0; i < count; i++) {
            rig.submit(Publication.of("news", null, "n" + i));
        }
        rig.settle();
    }

    private RecordingSubscriber subscribe(String lastEventId) {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of("news"), lastEventId, subscriber);
        return subscriber;
    }

    private List<String> ids(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            ids.add(id(i));
        }
        return ids;
    }
}
