package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.ManualExecutor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finite topics end with their final event; the kinds' rules are enforced at publish. */
class FiniteTopicTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("prices"), List.of("tasks/"));

    private final ManualExecutor fanOut = new ManualExecutor();
    private final Hub hub = new Hub(new MemoryEventLog(100, 3_600_000, () -> 0L, "e1"), KINDS, fanOut);

    @Test
    void finalEventEndsTheTopicAndLaterPublishingThrows() {
        hub.publish(Publication.of("tasks/1", "progress", "50"));
        LoggedEvent last = hub.publish(Publication.of("tasks/1", "done", "100").asLast());

        assertTrue(last.last());
        assertThrows(TopicEndedException.class, () -> hub.publish(Publication.of("tasks/1", "progress", "late")));
        assertThrows(TopicEndedException.class, () -> hub.publish(Publication.of("tasks/1", "done", "x").asLast()));
        assertEquals("e1-2", hub.headId(), "a refused event takes no place in the log");
        hub.publish(Publication.of("tasks/2", "progress", "other tasks go on"));
    }

    @Test
    void endedTopicIsRememberedAfterItsEventsLeaveTheLog() {
        Hub small = new Hub(new MemoryEventLog(10, 3_600_000, () -> 0L, "e1"), KINDS, fanOut);
        small.publish(Publication.of("tasks/1", null, "a"));                 // e1-1
        LoggedEvent end = small.publish(Publication.of("tasks/1", null, "b").asLast()); // e1-2
        for (int i = 0; i < 3 * 1024; i++) {
            small.publish(Publication.of("news", null, "filler " + i));      // pushes tasks/1 out, prunes
        }
        fanOut.runAll();

        assertTrue(small.isFinished(List.of("tasks/1"), end.id()), "a late reconnect at the end still gets 204");
        assertFalse(small.isFinished(List.of("tasks/1"), "e1-1"), "a cursor before the end does not");
        assertThrows(TopicEndedException.class, () -> small.publish(Publication.of("tasks/1", null, "late")));
    }

    @Test
    void isFinishedOnlyWhenEveryTopicIsFiniteEndedAndTheCursorAtOrAfterItsEnd() {
        hub.publish(Publication.of("tasks/1", null, "a"));          // e1-1
        hub.publish(Publication.of("tasks/1", null, "b").asLast()); // e1-2
        hub.publish(Publication.of("tasks/2", null, "c"));          // e1-3
        hub.publish(Publication.of("news", null, "d"));             // e1-4
        hub.publish(Publication.of("tasks/2", null, "e").asLast()); // e1-5
        hub.publish(Publication.of("tasks/3", null, "f"));          // e1-6, still running

        assertTrue(hub.isFinished(List.of("tasks/1"), "e1-2"));
        assertTrue(hub.isFinished(List.of("tasks/1"), "e1-6"));
        assertFalse(hub.isFinished(List.of("tasks/1"), "e1-1"));
        assertFalse(hub.isFinished(List.of("tasks/1"), null));
        assertFalse(hub.isFinished(List.of("tasks/1"), "old-2"));
        assertFalse(hub.isFinished(List.of("tasks/1"), "e1-99"));

        assertTrue(hub.isFinished(List.of("tasks/1", "tasks/2"), "e1-5"));
        assertFalse(hub.isFinished(List.of("tasks/1", "tasks/2"), "e1-4"));
        assertFalse(hub.isFinished(List.of("tasks/1", "tasks/3"), "e1-6"), "tasks/3 has not ended");
        assertFalse(hub.isFinished(List.of("tasks/1", "news"), "e1-6"), "news is not finite");
        assertFalse(hub.isFinished(List.of("tasks/9"), "e1-6"), "never published, never ended");
        assertFalse(hub.isFinished(List.of(), "e1-6"));
    }

    @Test
    void aCursorFromBeforeARestartIsFinishedForFiniteTopicsThisProcessNeverSaw() {
        hub.publish(Publication.of("tasks/seen", null, "a"));      // e1-1: a run of this process
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

        hub.publish(Publication.of("tasks/1", null, "a").asLast());
        fanOut.runAll();
        assertEquals(0, both.ends(), "tasks/2 is still running");

        hub.publish(Publication.of("tasks/2", null, "b"));
        hub.publish(Publication.of("tasks/2", null, "c").asLast());
        hub.publish(Publication.of("news", null, "d"));
        fanOut.runAll();

        assertEquals(1, both.ends());
        assertEquals(List.of("e1-1", "e1-2", "e1-3"), both.liveIds());
        assertEquals(0, mixed.ends(), "a subscription with a stream topic never ends");
        assertEquals(List.of("e1-1", "e1-4"), mixed.liveIds());
    }

    @Test
    void subscribingAfterSomeTopicsEndedWaitsOnlyForTheOthers() {
        hub.publish(Publication.of("tasks/1", null, "a").asLast());  // e1-1
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/1", "tasks/2"), null, subscriber);
        assertFalse(subscriber.opening().ended());

        hub.publish(Publication.of("tasks/2", null, "b").asLast());  // e1-2
        fanOut.runAll();

        assertEquals(1, subscriber.ends());
    }

    @Test
    void finiteOnlySubscriptionIsNeverPinnedToAnotherTopicsEvent() {
        hub.publish(Publication.of("tasks/1", "progress", "10"));   // e1-1
        hub.publish(Publication.of("news", null, "x"));             // e1-2: the head belongs to another topic

        RecordingSubscriber running = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/1"), null, running);
        RecordingSubscriber empty = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/9"), null, empty);

        assertEquals(List.of("e1-1"), RecordingSubscriber.ids(running.opening().events()));
        assertNull(running.opening().pinId(), "the cursor stays on the task's own last event");
        assertNull(empty.opening().pinId(), "no cursor at all: a reconnect gets the whole history, which is new to it");
    }

    @Test
    void subscribingToAnEndedTopicOpensWithItsHistoryAndEnded() {
        hub.publish(Publication.of("tasks/1", "progress", "50"));   // e1-1
        hub.publish(Publication.of("news", null, "x"));             // e1-2
        hub.publish(Publication.of("tasks/1", "done", "100").asLast()); // e1-3

        RecordingSubscriber fresh = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/1"), null, fresh);
        RecordingSubscriber resuming = new RecordingSubscriber();
        hub.subscribe(List.of("tasks/1"), "e1-1", resuming);

        assertTrue(fresh.opening().ended());
        assertEquals(List.of("e1-1", "e1-3"), RecordingSubscriber.ids(fresh.opening().events()));
        assertNull(fresh.opening().pinId(), "the final event is the head");
        assertTrue(resuming.opening().ended());
        assertEquals(List.of("e1-3"), RecordingSubscriber.ids(resuming.opening().events()));
        fanOut.runAll();
        assertEquals(0, fresh.ends(), "ended in the opening: end() is not called again");
    }

    @Test
    void keyOnANonStateTopicIsRejected() {
        assertRejected(new Publication("news", null, "x", "k", false), "key: topic \"news\" is a stream topic");
        assertRejected(new Publication("tasks/1", null, "x", "k", false), "key: topic \"tasks/1\" is a finite topic");
        hub.publish(new Publication("prices", null, "x", "k", false));
    }

    @Test
    void finalOnANonFiniteTopicIsRejected() {
        assertRejected(Publication.of("news", null, "x").asLast(), "final: topic \"news\" is a stream topic");
        assertRejected(Publication.of("prices", null, "x").asLast(), "final: topic \"prices\" is a state topic");
        assertRejected(Publication.of("tasks", null, "x").asLast(), "final: topic \"tasks\" is a stream topic");
    }

    private void assertRejected(Publication publication, String messageStart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hub.publish(publication));
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
        assertEquals("e1-0", hub.headId(), "a refused event takes no place in the log");
        assertEquals(0, hub.eventsPublished());
    }
}
