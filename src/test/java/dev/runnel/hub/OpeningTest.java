package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.ManualExecutor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link Hub#subscribe} hands a new subscriber before live events: snapshot, replay or reset. */
class OpeningTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("prices"), List.of("tasks/"));

    private final ManualExecutor fanOut = new ManualExecutor();
    private final Hub hub = new Hub(new MemoryEventLog(6, 3_600_000, () -> 0L, "e1"), KINDS, fanOut);

    @Test
    void withoutCursorTheSnapshotHoldsTheLatestValuePerKeyInLogOrderAndPinsTheHead() {
        quote("AAPL", "1");                                 // e1-1
        quote("MSFT", "1");                                 // e1-2
        hub.publish(Publication.of("news", null, "a"));     // e1-3
        quote("AAPL", "2");                                 // e1-4
        quote("GOOG", "1");                                 // e1-5
        hub.publish(Publication.of("news", null, "b"));     // e1-6

        Opening opening = subscribe(null, "prices", "news");

        assertNull(opening.resetReason());
        assertEquals(List.of("e1-2", "e1-4", "e1-5"), RecordingSubscriber.ids(opening.events()));
        assertEquals("e1-6", opening.pinId(), "the client must resume after the newest event, not e1-5");
        assertFalse(opening.ended());
    }

    @Test
    void snapshotKeepsStateThatHasLeftTheLog() {
        quote("AAPL", "1");                                 // e1-1
        for (int i = 0; i < 10; i++) {
            hub.publish(Publication.of("news", null, "n" + i)); // e1-2..e1-11, the log holds 6..11
        }

        Opening opening = subscribe(null, "prices");

        assertEquals(List.of("e1-1"), RecordingSubscriber.ids(opening.events()));
        assertEquals("e1-11", opening.pinId());
    }

    @Test
    void keyDefaultsToTheEventNameAndThenTheDefaultMessage() {
        hub.publish(Publication.of("prices", "open", "1"));       // e1-1
        hub.publish(Publication.of("prices", null, "2"));         // e1-2
        hub.publish(Publication.of("prices", "open", "3"));       // e1-3
        hub.publish(Publication.of("prices", "message", "4"));    // e1-4 replaces e1-2
        hub.publish(Publication.of("prices", "close", "5"));      // e1-5

        assertEquals(List.of("e1-3", "e1-4", "e1-5"), RecordingSubscriber.ids(subscribe(null, "prices").events()));
    }

    @Test
    void snapshotEndingAtTheHeadNeedsNoPin() {
        quote("AAPL", "1");
        quote("AAPL", "2");

        Opening opening = subscribe(null, "prices");

        assertEquals(List.of("e1-2"), RecordingSubscriber.ids(opening.events()));
        assertNull(opening.pinId());
    }

    @Test
    void emptyHubPinsTheZeroId() {
        Opening opening = subscribe(null, "news");

        assertEquals(List.of(), opening.events());
        assertEquals("e1-0", opening.pinId());
    }

    @Test
    void validCursorReplaysWhatFollowsItWithStateKeysCoalescedToTheirLatest() {
        quote("AAPL", "1");                                 // e1-1
        hub.publish(Publication.of("news", null, "a"));     // e1-2
        quote("AAPL", "2");                                 // e1-3, superseded within the replay
        quote("MSFT", "1");                                 // e1-4
        hub.publish(Publication.of("news", null, "b"));     // e1-5
        quote("AAPL", "3");                                 // e1-6

        Opening opening = subscribe("e1-2", "prices", "news");

        assertNull(opening.resetReason());
        assertEquals(List.of("e1-4", "e1-5", "e1-6"), RecordingSubscriber.ids(opening.events()));
        assertNull(opening.pinId());
        assertEquals(List.of(), RecordingSubscriber.ids(subscribe("e1-6", "prices", "news").events()));
    }

    @Test
    void replayIsFilteredToTheSubscribedTopics() {
        hub.publish(Publication.of("news", null, "a"));     // e1-1
        hub.publish(Publication.of("sport", null, "b"));    // e1-2
        hub.publish(Publication.of("news", null, "c"));     // e1-3

        assertEquals(List.of("e1-2"), RecordingSubscriber.ids(subscribe("e1-0", "sport").events()));
    }

    @Test
    void historyLostOpensWithReasonSnapshotAndPin() {
        quote("AAPL", "1");                                 // e1-1
        for (int i = 0; i < 8; i++) {
            hub.publish(Publication.of("news", null, "n" + i)); // e1-2..e1-9, the log holds 4..9
        }
        quote("MSFT", "1");                                 // e1-10

        Opening opening = subscribe("e1-2", "prices", "news");

        assertEquals("history-lost", opening.resetReason());
        assertNotNull(opening.resetDetail());
        assertEquals(List.of("e1-1", "e1-10"), RecordingSubscriber.ids(opening.events()));
        assertNull(opening.pinId(), "the snapshot's last event is the head");
    }

    @Test
    void unknownEpochAndMalformedIdOpenWithReasonSnapshotAndPin() {
        quote("AAPL", "1");                                 // e1-1
        hub.publish(Publication.of("news", null, "a"));     // e1-2

        Opening foreign = subscribe("old1-2", "prices", "news");
        Opening garbage = subscribe("abc", "prices", "news");

        assertEquals("unknown-epoch", foreign.resetReason());
        assertEquals("malformed-id", garbage.resetReason());
        for (Opening opening : List.of(foreign, garbage)) {
            assertNotNull(opening.resetDetail());
            assertEquals(List.of("e1-1"), RecordingSubscriber.ids(opening.events()));
            assertEquals("e1-2", opening.pinId());
        }
    }

    @Test
    void liveDeliveryStartsRightAfterTheOpening() {
        quote("AAPL", "1");                                 // e1-1, in the snapshot and not live
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of("prices"), null, subscriber);
        quote("AAPL", "2");                                 // e1-2, live
        fanOut.runAll();

        assertEquals(List.of("e1-1", "e1-2"), subscriber.receivedIds());
    }

    @Test
    void eventsPublishedBeforeSubscribingButNotYetFannedOutAreNotDeliveredTwice() {
        hub.publish(Publication.of("news", null, "a"));     // e1-1, fan-out still pending
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of("news"), "e1-0", subscriber);
        hub.publish(Publication.of("news", null, "b"));     // e1-2
        fanOut.runAll();

        assertEquals(List.of("e1-1", "e1-2"), subscriber.receivedIds());
    }

    @Test
    void finiteTopicWhoseFirstEventsLeftTheLogOpensWithHistoryLost() {
        hub.publish(Publication.of("tasks/1", "progress", "10"));   // e1-1
        for (int i = 0; i < 6; i++) {
            hub.publish(Publication.of("news", null, "n" + i));     // e1-2..7, the log holds 2..7
        }
        hub.publish(Publication.of("tasks/1", "progress", "20"));   // e1-8, the log holds 3..8

        Opening opening = subscribe(null, "tasks/1");

        assertEquals("history-lost", opening.resetReason(), "what follows is only the end of its history");
        assertTrue(opening.resetDetail().contains("tasks/1"), opening.resetDetail());
        assertEquals(List.of("e1-8"), RecordingSubscriber.ids(opening.events()));
        assertNull(subscribe(null, "tasks/2").resetReason(), "a run not started yet has lost nothing");
    }

    @Test
    void finiteTopicForgottenAndPublishingAgainHasLostItsStart() {
        hub.publish(Publication.of("tasks/1", "progress", "10"));   // e1-1
        for (int i = 0; i < 1100; i++) {
            hub.publish(Publication.of("news", null, "n" + i));     // tasks/1 leaves the log and is pruned
        }
        hub.publish(Publication.of("tasks/1", "progress", "20"));

        assertEquals("history-lost", subscribe(null, "tasks/1").resetReason());
    }

    @Test
    void endedFiniteTopicWhoseEndingLeftTheLogIsPinnedToItsEnd() {
        hub.publish(Publication.of("tasks/1", "done", "x").asLast()); // e1-1
        for (int i = 0; i < 6; i++) {
            hub.publish(Publication.of("news", null, "n" + i));
        }

        Opening opening = subscribe(null, "tasks/1");

        assertTrue(opening.ended());
        assertEquals(List.of(), opening.events());
        assertEquals("e1-1", opening.pinId(), "the reconnect then carries the end and gets 204");
        assertTrue(hub.isFinished(List.of("tasks/1"), opening.pinId()));
    }

    @Test
    void joinIdIsWhereTheSubscriptionJoined() {
        hub.publish(Publication.of("news", null, "a"));     // e1-1
        hub.publish(Publication.of("tasks/1", null, "t"));  // e1-2
        hub.publish(Publication.of("news", null, "b"));     // e1-3

        assertEquals("e1-3", subscribe(null, "news").joinId(), "a fresh subscription joins at the head");
        assertEquals("e1-3", subscribe("old-9", "news").joinId(), "so does a reset one");
        assertEquals("e1-1", subscribe("e1-1", "news", "tasks/1").joinId(), "a replay starts at its cursor");
        assertEquals("e1-3", subscribe("e1-3", "news").joinId());
        assertEquals("e1-3", subscribe("e1-2", "prices").joinId(), "nothing to replay: the head is as good");
        assertNull(subscribe(null, "tasks/1").joinId(), "a finite topic reopens for its whole history");
        assertEquals("e1-2", subscribe("e1-2", "tasks/1").joinId(), "or at its own id");
    }

    private void quote(String symbol, String price) {
        hub.publish(new Publication("prices", "quote", symbol + " " + price, symbol, false));
    }

    private Opening subscribe(String lastEventId, String... topics) {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of(topics), lastEventId, subscriber);
        return subscriber.opening();
    }
}
