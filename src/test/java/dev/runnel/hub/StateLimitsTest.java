package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * State topics keep a bounded number of keys and topics, and forget keys nobody publishes any more.
 * The key cap holds on both logs (the shared log's sequencer enforces it); the topic cap and the
 * forgetting by age are the in-memory log's.
 */
@ParameterizedClass
@EnumSource(HubRig.Log.class)
class StateLimitsTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("stocks"), List.of());
    private static final long DAY = 24 * 3600 * 1000L;

    private final TestClock clock = new TestClock(0);
    private final HubRig rig;
    private final Hub hub;

    StateLimitsTest(HubRig.Log kind) {
        rig = HubRig.on(kind).kinds(KINDS).capacity(1000).maxAge(7 * DAY).state(new StateLimits(2, 3, DAY))
                .clock(clock).start();
        hub = rig.hub;
    }

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void aNewKeyBeyondTheCapIsRefusedAndTakesNoPlaceInTheLog() {
        quote("stocks", "A");
        quote("stocks", "B");
        quote("stocks", "C");

        Receipt refused = quote("stocks", "D");
        assertEquals(Receipt.Status.STATE_LIMIT, refused.status());
        assertTrue(refused.detail().startsWith("key \"D\": state topic \"stocks\" holds 3 keys already"), refused.detail());
        assertEquals(rig.id(3), hub.headId());
        assertEquals(3, hub.eventsPublished());
        assertTrue(quote("stocks", "A").isAccepted(), "a key it holds is always welcome");
        assertEquals(List.of(rig.id(2), rig.id(3), rig.id(4)), snapshot("stocks"));
        if (rig.kind == HubRig.Log.MEMORY) {
            assertEquals(3, hub.logFigures().stateKeys());
            assertEquals(1, hub.logFigures().stateTopics());
        }
    }

    @Test
    void aStateTopicBeyondTheCapIsRefused() {
        rig.memoryOnly("the shared log caps keys per topic, not topics");
        quote("stocks/eu", "A");
        quote("stocks/us", "A");

        Receipt refused = quote("stocks/asia", "A");
        assertEquals(Receipt.Status.STATE_LIMIT, refused.status());
        assertTrue(refused.detail().contains("2 state topics hold values already (expected: at most 2)"), refused.detail());
        assertEquals(2, hub.logFigures().stateTopics());
        hub.subscribe(List.of("stocks/asia"), null, new RecordingSubscriber()); // subscribing takes no room
        quote("stocks/eu", "B");
        assertEquals(3, hub.logFigures().stateKeys());
    }

    @Test
    void keysNotPublishedForTheMaximumAgeAreForgottenAndMakeRoom() {
        rig.memoryOnly("the test moves the in-memory log's clock");
        quote("stocks", "A");                 // e1-1 at t=0
        clock.set(DAY / 2);
        quote("stocks", "B");                 // e1-2
        quote("stocks", "C");                 // e1-3
        clock.set(DAY + 1);                   // A is older than a day; B and C are not

        assertEquals(List.of(rig.id(2), rig.id(3)), snapshot("stocks"));
        quote("stocks", "D");                 // e1-4: A's place
        assertEquals(List.of(rig.id(2), rig.id(3), rig.id(4)), snapshot("stocks"));
        assertEquals(3, hub.logFigures().stateKeys());

        clock.set(3 * DAY);
        assertEquals(List.of(), snapshot("stocks"));
        assertEquals(0, hub.logFigures().stateKeys());
        assertEquals(0, hub.logFigures().stateTopics());
    }

    @Test
    void staleTopicsMakeRoomForNewOnes() {
        rig.memoryOnly("the test moves the in-memory log's clock");
        quote("stocks/eu", "A");
        quote("stocks/us", "A");
        clock.set(2 * DAY);

        quote("stocks/asia", "A");

        assertEquals(1, hub.logFigures().stateTopics(), "the stale topics are forgotten");
    }

    @Test
    void forgettingAKeyNeverChangesAReplay() {
        rig.memoryOnly("the test moves the in-memory log's clock");
        quote("stocks", "A");                 // e1-1 at t=0
        rig.publish(Publication.of("news", null, "n")); // e1-2
        clock.set(DAY + 1);
        quote("stocks", "B");                 // e1-3: A is forgotten from the state

        RecordingSubscriber resumed = new RecordingSubscriber();
        hub.subscribe(List.of("stocks", "news"), rig.id(0), resumed);

        assertEquals(List.of(rig.id(1), rig.id(2), rig.id(3)), resumed.receivedIds(),
                "a cursor the log covers gets everything after it, forgotten keys included");
        assertEquals(List.of(rig.id(3)), snapshot("stocks"));
    }

    @Test
    void zeroMaximumAgeKeepsKeysForEver() {
        rig.memoryOnly("the test moves the in-memory log's clock");
        try (HubRig forever = HubRig.on(HubRig.Log.MEMORY).kinds(KINDS).maxAge(1000 * DAY)
                .state(new StateLimits(10, 10, 0)).clock(clock).start()) {
            forever.publish(new Publication("stocks", "quote", "1", "A", false));
            clock.set(365 * DAY);

            assertEquals(1, forever.opening(null, "stocks").events().size());
        }
    }

    @Test
    void limitsRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new StateLimits(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new StateLimits(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new StateLimits(1, 1, -1));
    }

    private Receipt quote(String topic, String symbol) {
        return rig.publish(new Publication(topic, "quote", symbol + " 1", symbol, false));
    }

    private List<String> snapshot(String topic) {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        Subscription s = hub.subscribe(List.of(topic), null, subscriber);
        hub.unsubscribe(s);
        return RecordingSubscriber.ids(subscriber.opening().events());
    }
}
