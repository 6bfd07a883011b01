package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Finite topics end with their final event; the kinds' rules are enforced at publish. On both logs. */
@ParameterizedClass
@EnumSource(HubRig.Log.class)
class FiniteTopicTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("prices"), List.of("tasks/"));

    private final HubRig.Log kind;
    private final HubRig rig;
    private final Hub hub;

    FiniteTopicTest(HubRig.Log kind) {
        this.kind = kind;
        rig = HubRig.on(kind).kinds(KINDS).capacity(100).start();
        hub = rig.hub;
    }

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void finalEventEndsTheTopicAndLaterPublishingIsRefused() {
        rig.publish(Publication.of("tasks/1", "progress", "50"));
        Receipt last = rig.publish(Publication.of("tasks/1", "done", "100").asLast());

        assertTrue(last.isAccepted());
        for (Publication late : List.of(Publication.of("tasks/1", "progress", "late"),
                Publication.of("tasks/1", "done", "x").asLast())) {
            Receipt refused = rig.publish(late);
            assertEquals(Receipt.Status.ENDED, refused.status());
            assertEquals(last.sequence(), refused.sequence(), "the refusal names the end");
            assertTrue(refused.detail().contains(last.id()), refused.detail());
        }
        assertEquals(id(2), hub.headId(), "a refused event takes no place in the log");
        assertTrue(rig.publish(Publication.of("tasks/2", "progress", "other tasks go on")).isAccepted());
    }

    @Test
    void endedTopicIsRememberedAfterItsEventsLeaveTheLog() {
        try (HubRig small = HubRig.on(kind).kinds(KINDS).capacity(10).start()) {
            small.publish(Publication.of("tasks/1", null, "a"));                        // 1
            Receipt end = small.publish(Publication.of("tasks/1", null, "b").asLast()); // 2
            for (int i = 0; i < 3 * 1024; i++) {
                small.submit(Publication.of("news", null, "filler " + i));              // pushes tasks/1 out, prunes
            }
            small.settle();

            assertTrue(small.hub.isFinished(List.of("tasks/1"), end.id()), "a late reconnect at the end still gets 204");
            assertFalse(small.hub.isFinished(List.of("tasks/1"), small.id(1)), "a cursor before the end does not");
            assertEquals(Receipt.Status.ENDED, small.publish(Publication.of("tasks/1", null, "late")).status());
        }
    }

    @Test
    void isFinishedOnlyWhenEveryTopicIsFiniteEndedAndTheCursorAtOrAfterItsEnd() {
        rig.publish(Publication.of("tasks/1", null, "a"));          // e1-1
        rig.publish(Publication.of("tasks/1", null, "b").asLast()); // e1-2
        rig.publish(Publication.of("tasks/2", null, "c"));          // e1-3
        rig.publish(Publication.of("news", null, "d"));             // e1-4
        rig.publish(Publication.of("tasks/2", null, "e").asLast()); // e1-5
        rig.publish(Publication.of("tasks/3", null, "f"));          // e1-6, still running

        assertTrue(hub.isFinished(List.of("tasks/1"), id(2)));
        assertTrue(hub.isFinished(List.of("tasks/1"), id(6)));
        assertFalse(hub.isFinished(List.of("tasks/1"), id(1)));
        assertFalse(hub.isFinished(List.of("tasks/1"), null));
        assertFalse(hub.isFinished(List.of("tasks/1"), "old-2"));
        assertFalse(hub.isFinished(List.of("tasks/1"), id(99)));

        assertTrue(hub.isFinished(List.of("tasks/1", "tasks/2"), id(5)));
        assertFalse(hub.isFinished(List.of("tasks/1", "tasks/2"), id(4)));
        assertFalse(hub.isFinished(List.of("tasks/1", "tasks/3"), id(6)), "tasks/3 has not ended");
        assertFalse(hub.isFinished(List.of("tasks/1", "news"), id(6)), "news is not finite");
        assertFalse(hub.isFinished(List.of("tasks/9"), id(6)), "never published, never ended");
        assertFalse(hub.isFinished(List.of(), id(6)));
    }

    @Test
    void aCursorFromAnotherEpochIsFinishedForFiniteTopicsTheLogKnowsNoEventOf() {
        rig.publish(Publication.of("tasks/seen", null, "a"));      // e1-1: a run of this process
        hub.subscribe(List.of("tasks/waiting"), null, new RecordingSubscriber()); // subscribed, no event yet

        assertTrue(hub.isFinished(List.of("tasks/old"), "old-7"), "its run was the old server's: 204");
        assertTrue(hub.isFinished(List.of("tasks/old", "tasks/waiting"), "old-7"));
        assertFalse(hub.isFinished(List.of("tasks/seen"), "old-7"), "this process runs it: reset and its history");
        assertFalse(hub.isFinished(List.of("tasks/old", "news"), "old-7"), "a stream topic goes on");
        assertFalse(hub.isFinished(List.of("tasks/old"), null), "no cursor: a new subscriber waits for the run");
        assertFalse(hub.isFinished(List.of("tasks/old"), "garbage"), "not an id of another epoch");
    }

    @Test
    void subscriberIsToldOnceWhenEveryTopicOfItsSubscriptionHasEnded() {
        RecordingSubscriber both = new RecordingSubscriber();
        RecordingSubscriber mixed = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/1", "tasks/2"), null, both);
        hub.subscribe(List.of("tasks/1", "news"), null, mixed);

        rig.publish(Publication.of("tasks/1", null, "a").asLast());
        assertEquals(0, both.ends(), "tasks/2 is still running");

        rig.submit(Publication.of("tasks/2", null, "b"));
        rig.submit(Publication.of("tasks/2", null, "c").asLast());
        rig.publish(Publication.of("news", null, "d"));

        assertEquals(1, both.ends());
        assertEquals(List.of(id(1), id(2), id(3)), both.liveIds());
        assertEquals(0, mixed.ends(), "a subscription with a stream topic never ends");
        assertEquals(List.of(id(1), id(4)), mixed.liveIds());
    }

    @Test
    void subscribingAfterSomeTopicsEndedWaitsOnlyForTheOthers() {
        rig.publish(Publication.of("tasks/1", null, "a").asLast());  // e1-1
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/1", "tasks/2"), null, subscriber);
        assertFalse(subscriber.opening().ended());

        rig.publish(Publication.of("tasks/2", null, "b").asLast());  // e1-2

        assertEquals(1, subscriber.ends());
    }

    @Test
    void finiteOnlySubscriptionIsNeverPinnedToAnotherTopicsEvent() {
        rig.publish(Publication.of("tasks/1", "progress", "10"));   // e1-1
        rig.publish(Publication.of("news", null, "x"));             // e1-2: the head belongs to another topic

        RecordingSubscriber running = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/1"), null, running);
        RecordingSubscriber empty = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/9"), null, empty);

        assertEquals(List.of(id(1)), RecordingSubscriber.ids(running.opening().events()));
        assertNull(running.opening().pinId(), "the cursor stays on the task's own last event");
        assertNull(empty.opening().pinId(), "no cursor at all: a reconnect gets the whole history, which is new to it");
    }

    @Test
    void subscribingToAnEndedTopicOpensWithItsHistoryAndEnded() {
        rig.publish(Publication.of("tasks/1", "progress", "50"));   // e1-1
        rig.publish(Publication.of("news", null, "x"));             // e1-2
        rig.publish(Publication.of("tasks/1", "done", "100").asLast()); // e1-3

        RecordingSubscriber fresh = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/1"), null, fresh);
        RecordingSubscriber resuming = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/1"), id(1), resuming);

        assertTrue(fresh.opening().ended());
        assertEquals(List.of(id(1), id(3)), RecordingSubscriber.ids(fresh.opening().events()));
        assertNull(fresh.opening().pinId(), "the final event is the head");
        assertTrue(resuming.opening().ended());
        assertEquals(List.of(id(3)), RecordingSubscriber.ids(resuming.opening().events()));
        rig.publish(Publication.of("news", null, "later"));
        assertEquals(0, fresh.ends(), "ended in the opening: end() is not called again");
    }

    @Test
    void keyOnANonStateTopicIsRejected() {
        assertRejected(new Publication("news", null, "x", "k", false), "key: topic \"news\" is a stream topic");
        assertRejected(new Publication("tasks/1", null, "x", "k", false), "key: topic \"tasks/1\" is a finite topic");
        assertTrue(rig.publish(new Publication("prices", null, "x", "k", false)).isAccepted());
    }

    @Test
    void finalOnANonFiniteTopicIsRejected() {
        assertRejected(Publication.of("news", null, "x").asLast(), "final: topic \"news\" is a stream topic");
        assertRejected(Publication.of("prices", null, "x").asLast(), "final: topic \"prices\" is a state topic");
        assertRejected(Publication.of("tasks", null, "x").asLast(), "final: topic \"tasks\" is a stream topic");
    }

    private String id(long sequence) {
        return rig.id(sequence);
    }

    private void assertRejected(Publication publication, String messageStart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hub.publish(publication));
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
        assertEquals(id(0), hub.headId(), "a refused event takes no place in the log");
        assertEquals(0, hub.eventsPublished());
    }
}
