package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A cursor the log no longer covers is still honoured when nothing was published on the
 * subscription's topics after it; the fan-out's position gives idle subscribers a fresher cursor.
 * On both logs.
 */
@ParameterizedClass
@EnumSource(HubRig.Log.class)
class QuietTopicTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of(), List.of("tasks/"));

    private final HubRig rig;
    private final EventLog log;
    private final Hub hub;

    QuietTopicTest(HubRig.Log kind) {
        rig = HubRig.on(kind).kinds(KINDS).capacity(10).start();
        log = rig.log;
        hub = rig.hub;
    }

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void aQuietTopicsCursorOutlivesOtherTopicsFillingTheLog() {
        rig.publish(Publication.of("quiet", null, "q"));           // e1-1
        publish("busy", 30);                                        // e1-2..31; the log holds 22..31
        assertEquals(Cursor.Status.HISTORY_LOST, log.cursor(id(1)).status());

        RecordingSubscriber resumed = new RecordingSubscriber();
        hub.subscribe(List.of("quiet"), id(1), resumed);
        Receipt next = rig.publish(Publication.of("quiet", null, "q2"));

        assertNull(resumed.opening().resetReason(), "nothing on quiet was lost");
        assertEquals(List.of(next.id()), resumed.receivedIds());
        assertEquals(id(31), resumed.opening().joinId());
    }

    @Test
    void aCursorIsStillLostWhenItsOwnTopicPublishedAfterIt() {
        rig.publish(Publication.of("quiet", null, "q"));           // e1-1
        publish("busy", 15);
        rig.publish(Publication.of("quiet", null, "q2"));          // e1-17: the log holds 8..17
        publish("busy", 15);                                        // the log holds 23..32; e1-17 is gone

        RecordingSubscriber resumed = new RecordingSubscriber();
        hub.subscribe(List.of("quiet"), id(1), resumed);

        assertEquals("history-lost", resumed.opening().resetReason());
    }

    @Test
    void aSubscriptionWithABusyTopicLosesWhatTheBusyTopicLost() {
        rig.publish(Publication.of("quiet", null, "q"));           // e1-1
        publish("busy", 30);

        RecordingSubscriber resumed = new RecordingSubscriber();
        hub.subscribe(List.of("quiet", "busy"), id(1), resumed);

        assertEquals("history-lost", resumed.opening().resetReason());
    }

    @Test
    void forgottenTopicsAreJudgedStrictlyNeverLeniently() {
        rig.memoryOnly("about TopicHeads alone");
        TopicHeads heads = new TopicHeads(2, 0);
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
        for (int i = 0; i < 3; i++) {
            rig.publishUnsettled(Publication.of("busy", null, "b" + i));
        }
        if (rig.fanOut != null) {
            assertNull(hub.deliveredThrough(quiet), "published, not yet handed on");
        }
        rig.settle();
        assertEquals(id(3), hub.deliveredThrough(quiet).id());

        Subscription late = hub.subscribe(List.of("quiet"), null, new RecordingSubscriber()); // joins at e1-3
        assertNull(hub.deliveredThrough(late), "it already has e1-3 as its pin");
        Subscription task = hub.subscribe(List.of("tasks/1"), null, new RecordingSubscriber());
        publish("busy", 1);
        assertEquals(id(4), hub.deliveredThrough(late).id());
        assertNull(hub.deliveredThrough(task), "a finite topic's ids are its own");
    }

    private void publish(String topic, int count) {
        for (int i = 0; i < count; i++) {
            rig.submit(Publication.of(topic, null, topic + i));
        }
        rig.settle();
    }

    private String id(long sequence) {
        return rig.id(sequence);
    }
}
