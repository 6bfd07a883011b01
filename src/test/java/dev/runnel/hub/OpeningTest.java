package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** What {@link Hub#subscribe} hands a new subscriber before live events: snapshot, replay or reset. On both logs. */
@ParameterizedClass
@EnumSource(HubRig.Log.class)
class OpeningTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("prices"), List.of("tasks/"));

    private final HubRig rig;
    private final Hub hub;

    OpeningTest(HubRig.Log log) {
        rig = HubRig.on(log).kinds(KINDS).capacity(6).start();
        hub = rig.hub;
    }

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void withoutCursorTheSnapshotHoldsTheLatestValuePerKeyInLogOrderAndPinsTheHead() {
        quote("AAPL", "1");                                 // e1-1
        quote("MSFT", "1");                                 // e1-2
        rig.publish(Publication.of("news", null, "a"));     // e1-3
        quote("AAPL", "2");                                 // e1-4
        quote("GOOG", "1");                                 // e1-5
        rig.publish(Publication.of("news", null, "b"));     // e1-6

        Opening opening = subscribe(null, "prices", "news");

        assertNull(opening.resetReason());
        assertEquals(List.of(id(2), id(4), id(5)), RecordingSubscriber.ids(opening.events()));
        assertEquals(id(6), opening.pinId(), "the client must resume after the newest event, not e1-5");
        assertFalse(opening.ended());
    }

    @Test
    void snapshotKeepsStateThatHasLeftTheLog() {
        quote("AAPL", "1");                                 // e1-1
        for (int i = 0; i < 10; i++) {
            rig.publish(Publication.of("news", null, "n" + i)); // e1-2..e1-11, the log holds 6..11
        }

        Opening opening = subscribe(null, "prices");

        assertEquals(List.of(id(1)), RecordingSubscriber.ids(opening.events()));
        assertEquals(id(11), opening.pinId());
    }

    @Test
    void keyDefaultsToTheEventNameAndThenTheDefaultMessage() {
        rig.publish(Publication.of("prices", "open", "1"));       // e1-1
        rig.publish(Publication.of("prices", null, "2"));         // e1-2
        rig.publish(Publication.of("prices", "open", "3"));       // e1-3
        rig.publish(Publication.of("prices", "message", "4"));    // e1-4 replaces e1-2
        rig.publish(Publication.of("prices", "close", "5"));      // e1-5

        assertEquals(List.of(id(3), id(4), id(5)), RecordingSubscriber.ids(subscribe(null, "prices").events()));
    }

    @Test
    void snapshotEndingAtTheHeadNeedsNoPin() {
        quote("AAPL", "1");
        quote("AAPL", "2");

        Opening opening = subscribe(null, "prices");

        assertEquals(List.of(id(2)), RecordingSubscriber.ids(opening.events()));
        assertNull(opening.pinId());
    }

    @Test
    void emptyHubPinsTheZeroId() {
        Opening opening = subscribe(null, "news");

        assertEquals(List.of(), opening.events());
        assertEquals(id(0), opening.pinId());
    }

    @Test
    void validCursorReplaysWhatFollowsItWithStateKeysCoalescedToTheirLatest() {
        quote("AAPL", "1");                                 // e1-1
        rig.publish(Publication.of("news", null, "a"));     // e1-2
        quote("AAPL", "2");                                 // e1-3, superseded within the replay
        quote("MSFT", "1");                                 // e1-4
        rig.publish(Publication.of("news", null, "b"));     // e1-5
        quote("AAPL", "3");                                 // e1-6

        Opening opening = subscribe(id(2), "prices", "news");

        assertNull(opening.resetReason());
        assertEquals(List.of(id(4), id(5), id(6)), RecordingSubscriber.ids(opening.events()));
        assertNull(opening.pinId());
        assertEquals(List.of(), RecordingSubscriber.ids(subscribe(id(6), "prices", "news").events()));
    }

    @Test
    void replayIsFilteredToTheSubscribedTopics() {
        rig.publish(Publication.of("news", null, "a"));     // e1-1
        rig.publish(Publication.of("sport", null, "b"));    // e1-2
        rig.publish(Publication.of("news", null, "c"));     // e1-3

        assertEquals(List.of(id(2)), RecordingSubscriber.ids(subscribe(id(0), "sport").events()));
    }

    @Test
    void historyLostOpensWithReasonSnapshotAndPin() {
        quote("AAPL", "1");                                 // e1-1
        for (int i = 0; i < 8; i++) {
            rig.publish(Publication.of("news", null, "n" + i)); // e1-2..e1-9, the log holds 4..9
        }
        quote("MSFT", "1");                                 // e1-10

        Opening opening = subscribe(id(2), "prices", "news");

        assertEquals("history-lost", opening.resetReason());
        assertNotNull(opening.resetDetail());
        assertEquals(List.of(id(1), id(10)), RecordingSubscriber.ids(opening.events()));
        assertNull(opening.pinId(), "the snapshot's last event is the head");
    }

    @Test
    void unknownEpochAndMalformedIdOpenWithReasonSnapshotAndPin() {
        quote("AAPL", "1");                                 // e1-1
        rig.publish(Publication.of("news", null, "a"));     // e1-2

        Opening foreign = subscribe("old1-2", "prices", "news");
        Opening garbage = subscribe("abc", "prices", "news");

        assertEquals("unknown-epoch", foreign.resetReason());
        assertEquals("malformed-id", garbage.resetReason());
        for (Opening opening : List.of(foreign, garbage)) {
            assertNotNull(opening.resetDetail());
            assertEquals(List.of(id(1)), RecordingSubscriber.ids(opening.events()));
            assertEquals(id(2), opening.pinId());
        }
    }

    @Test
    void liveDeliveryStartsRightAfterTheOpening() {
        quote("AAPL", "1");                                 // e1-1, in the snapshot and not live
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of("prices"), null, subscriber);
        quote("AAPL", "2");                                 // e1-2, live

        assertEquals(List.of(id(1), id(2)), subscriber.receivedIds());
    }

    @Test
    void eventsPublishedBeforeSubscribingButNotYetFannedOutAreNotDeliveredTwice() {
        rig.publishUnsettled(Publication.of("news", null, "a")); // e1-1, fan-out still pending (in memory)
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of("news"), id(0), subscriber);
        rig.publish(Publication.of("news", null, "b"));     // e1-2

        assertEquals(List.of(id(1), id(2)), subscriber.receivedIds());
    }

    @Test
    void finiteTopicWhoseFirstEventsLeftTheLogOpensWithHistoryLost() {
        rig.publish(Publication.of("tasks/1", "progress", "10"));   // e1-1
        for (int i = 0; i < 6; i++) {
            rig.publish(Publication.of("news", null, "n" + i));     // e1-2..7, the log holds 2..7
        }
        rig.publish(Publication.of("tasks/1", "progress", "20"));   // e1-8, the log holds 3..8

        Opening opening = subscribe(null, "tasks/1");

        assertEquals("history-lost", opening.resetReason(), "what follows is only the end of its history");
        assertTrue(opening.resetDetail().contains("tasks/1"), opening.resetDetail());
        assertEquals(List.of(id(8)), RecordingSubscriber.ids(opening.events()));
        assertNull(subscribe(null, "tasks/2").resetReason(), "a run not started yet has lost nothing");
    }

    @Test
    void finiteTopicForgottenAndPublishingAgainHasLostItsStart() {
        rig.publish(Publication.of("tasks/1", "progress", "10"));   // e1-1
        for (int i = 0; i < 1100; i++) {
            rig.submit(Publication.of("news", null, "n" + i));      // tasks/1 leaves the log and is pruned
        }
        rig.publish(Publication.of("tasks/1", "progress", "20"));

        assertEquals("history-lost", subscribe(null, "tasks/1").resetReason());
    }

    @Test
    void endedFiniteTopicWhoseEndingLeftTheLogIsPinnedToItsEnd() {
        rig.publish(Publication.of("tasks/1", "done", "x").asLast()); // e1-1
        for (int i = 0; i < 6; i++) {
            rig.publish(Publication.of("news", null, "n" + i));
        }

        Opening opening = subscribe(null, "tasks/1");

        assertTrue(opening.ended());
        assertEquals(List.of(), opening.events());
        assertEquals(id(1), opening.pinId(), "the reconnect then carries the end and gets 204");
        assertTrue(hub.isFinished(List.of("tasks/1"), opening.pinId()));
    }

    @Test
    void joinIdIsWhereTheSubscriptionJoined() {
        rig.publish(Publication.of("news", null, "a"));     // e1-1
        rig.publish(Publication.of("tasks/1", null, "t"));  // e1-2
        rig.publish(Publication.of("news", null, "b"));     // e1-3

        assertEquals(id(3), subscribe(null, "news").joinId(), "a fresh subscription joins at the head");
        assertEquals(id(3), subscribe("old-9", "news").joinId(), "so does a reset one");
        assertEquals(id(1), subscribe(id(1), "news", "tasks/1").joinId(), "a replay starts at its cursor");
        assertEquals(id(3), subscribe(id(3), "news").joinId());
        assertEquals(id(3), subscribe(id(2), "prices").joinId(), "nothing to replay: the head is as good");
        assertNull(subscribe(null, "tasks/1").joinId(), "a finite topic reopens for its whole history");
        assertEquals(id(2), subscribe(id(2), "tasks/1").joinId(), "or at its own id");
    }

    private String id(long sequence) {
        return rig.id(sequence);
    }

    private void quote(String symbol, String price) {
        rig.publish(new Publication("prices", "quote", symbol + " " + price, symbol, false));
    }

    private Opening subscribe(String lastEventId, String... topics) {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of(topics), lastEventId, subscriber);
        return subscriber.opening();
    }
}
