package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.ManualExecutor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A cursor the log no longer covers is still honoured when nothing was published on the
 * subscription's topics after it; the fan-out's position gives idle subscribers a fresher cursor.
 */
class QuietTopicTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of(), List.of("tasks/"));

    private final ManualExecutor fanOut = new ManualExecutor();
    private final MemoryEventLog log = new MemoryEventLog(10, 3_600_000, () -> 0L, "e1");
    private final Hub hub = new Hub(log, KINDS, fanOut);

    @Test
    void aQuietTopicsCursorOutlivesOtherTopicsFillingTheLog() {
        hub.publish(Publication.of("quiet", null, "q"));           // e1-1
        publish("busy", 30);                                        // e1-2..31; the log holds 22..31
        assertEquals(Cursor.Status.HISTORY_LOST, log.cursor("e1-1").status());

        RecordingSubscriber resumed = new RecordingSubscriber();
        hub.subscribe(List.of("quiet"), "e1-1", resumed);
        LoggedEvent next = hub.publish(Publication.of("quiet", null, "q2"));
        fanOut.runAll();

        assertNull(resumed.opening().resetReason(), "nothing on quiet was lost");
        assertEquals(List.of(next.id()), resumed.receivedIds());
        assertEquals("e1-31", resumed.opening().joinId());
    }

    @Test
    void aCursorIsStillLostWhenItsOwnTopicPublishedAfterIt() {
        hub.publish(Publication.of("quiet", null, "q"));           // e1-1
        publish("busy", 15);
        hub.publish(Publication.of("quiet", null, "q2"));          // e1-17: the log holds 8..17
        publish("busy", 15);                                        // the log holds 23..32; e1-17 is gone

        RecordingSubscriber resumed = new RecordingSubscriber();
        hub.subscribe(List.of("quiet"), "e1-1", resumed);

        assertEquals("history-lost", resumed.opening().resetReason());
    }

    @Test
    void aSubscriptionWithABusyTopicLosesWhatTheBusyTopicLost() {
        hub.publish(Publication.of("quiet", null, "q"));           // e1-1
        publish("busy", 30);

        RecordingSubscriber resumed = new RecordingSubscriber();
        hub.subscribe(List.of("quiet", "busy"), "e1-1", resumed);

        assertEquals("history-lost", resumed.opening().resetReason());
    }

    @Test
    void forgottenTopicsAreJudgedStrictlyNeverLeniently() {
        TopicHeads heads = new TopicHeads(2);
        heads.published("a", 1);
        heads.published("b", 2);
        heads.published("c", 3);                                    // "a" is forgotten, with head 1

        assertTrue(heads.quietSince(List.of("a"), 1));
        assertEquals(false, heads.quietSince(List.of("a"), 0));
        assertEquals(false, heads.quietSince(List.of("never"), 0), "unknown: it might have published at 1");
        assertTrue(heads.quietSince(List.of("never", "b"), 2));
        heads.published("b", 4);
        heads.published("d", 5);                                    // "c" goes next, with head 3
        assertEquals(false, heads.quietSince(List.of("a"), 2));
    }

    @Test
    void deliveredThroughIsTheFanOutsPositionOncePastTheJoinPoint() {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        Subscription quiet = hub.subscribe(List.of("quiet"), null, subscriber);  // joins at e1-0
        publish("busy", 3);
        assertNull(hub.deliveredThrough(quiet), "published, not yet handed on");

        fanOut.runAll();
        assertEquals("e1-3", hub.deliveredThrough(quiet).id());

        Subscription late = hub.subscribe(List.of("quiet"), null, new RecordingSubscriber()); // joins at e1-3
        assertNull(hub.deliveredThrough(late), "it already has e1-3 as its pin");
        Subscription task = hub.subscribe(List.of("tasks/1"), null, new RecordingSubscriber());
        publish("busy", 1);
        fanOut.runAll();
        assertEquals("e1-4", hub.deliveredThrough(late).id());
        assertNull(hub.deliveredThrough(task), "a finite topic's ids are its own");
    }

    private void publish(String topic, int count) {
        for (int i = 0; i < count; i++) {
            hub.publish(Publication.of(topic, null, topic + i));
        }
    }
}
