package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.ManualExecutor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** State topics keep a bounded number of keys and topics, and forget keys nobody publishes any more. */
class StateLimitsTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("stocks"), List.of());
    private static final long DAY = 24 * 3600 * 1000L;

    private final TestClock clock = new TestClock(0);
    private final MemoryEventLog log = new MemoryEventLog(1000, 7 * DAY, clock, "e1");
    private final ManualExecutor fanOut = new ManualExecutor();
    private final Hub hub = new Hub(log, KINDS, fanOut, new StateLimits(2, 3, DAY), clock);

    @Test
    void aNewKeyBeyondTheCapIsRefusedAndTakesNoPlaceInTheLog() {
        quote("stocks", "A");
        quote("stocks", "B");
        quote("stocks", "C");

        StateLimitException e = assertThrows(StateLimitException.class, () -> quote("stocks", "D"));
        assertEquals(StateLimitException.Limit.KEYS_PER_TOPIC, e.limit());
        assertTrue(e.getMessage().startsWith("key \"D\": state topic \"stocks\" holds 3 keys already"), e.getMessage());
        assertEquals("e1-3", hub.headId());
        assertEquals(3, hub.eventsPublished());
        quote("stocks", "A"); // a key it holds is always welcome
        assertEquals(3, hub.stateKeyCount());
        assertEquals(1, hub.stateTopicCount());
    }

    @Test
    void aStateTopicBeyondTheCapIsRefused() {
        quote("stocks/eu", "A");
        quote("stocks/us", "A");

        StateLimitException e = assertThrows(StateLimitException.class, () -> quote("stocks/asia", "A"));
        assertEquals(StateLimitException.Limit.TOPICS, e.limit());
        assertTrue(e.getMessage().contains("2 state topics hold values already (expected: at most 2)"), e.getMessage());
        assertEquals(2, hub.stateTopicCount());
        hub.subscribe(List.of("stocks/asia"), null, new RecordingSubscriber()); // subscribing takes no room
        quote("stocks/eu", "B");
        assertEquals(3, hub.stateKeyCount());
    }

    @Test
    void keysNotPublishedForTheMaximumAgeAreForgottenAndMakeRoom() {
        quote("stocks", "A");                 // e1-1 at t=0
        clock.set(DAY / 2);
        quote("stocks", "B");                 // e1-2
        quote("stocks", "C");                 // e1-3
        clock.set(DAY + 1);                   // A is older than a day; B and C are not

        assertEquals(List.of("e1-2", "e1-3"), snapshot("stocks"));
        quote("stocks", "D");                 // e1-4: A's place
        assertEquals(List.of("e1-2", "e1-3", "e1-4"), snapshot("stocks"));
        assertEquals(3, hub.stateKeyCount());

        clock.set(3 * DAY);
        assertEquals(List.of(), snapshot("stocks"));
        assertEquals(0, hub.stateKeyCount());
        assertEquals(0, hub.stateTopicCount());
    }

    @Test
    void staleTopicsMakeRoomForNewOnes() {
        quote("stocks/eu", "A");
        quote("stocks/us", "A");
        clock.set(2 * DAY);

        quote("stocks/asia", "A");

        assertEquals(1, hub.stateTopicCount());
        assertEquals(1, hub.topicCount(), "forgotten topics with nobody listening are gone");
    }

    @Test
    void forgettingAKeyNeverChangesAReplay() {
        quote("stocks", "A");                 // e1-1 at t=0
        hub.publish(Publication.of("news", null, "n")); // e1-2
        clock.set(DAY + 1);
        quote("stocks", "B");                 // e1-3: A is forgotten from the state

        RecordingSubscriber resumed = new RecordingSubscriber();
        hub.subscribe(List.of("stocks", "news"), "e1-0", resumed);

        assertEquals(List.of("e1-1", "e1-2", "e1-3"), resumed.receivedIds(),
                "a cursor the log covers gets everything after it, forgotten keys included");
        assertEquals(List.of("e1-3"), snapshot("stocks"));
    }

    @Test
    void zeroMaximumAgeKeepsKeysForEver() {
        Hub forever = new Hub(log, KINDS, fanOut, new StateLimits(10, 10, 0), clock);
        forever.publish(new Publication("stocks", "quote", "1", "A", false));
        clock.set(365 * DAY);
        RecordingSubscriber subscriber = new RecordingSubscriber();
        forever.subscribe(List.of("stocks"), null, subscriber);

        assertEquals(1, subscriber.opening().events().size());
    }

    @Test
    void limitsRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new StateLimits(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new StateLimits(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new StateLimits(1, 1, -1));
    }

    private void quote(String topic, String symbol) {
        hub.publish(new Publication(topic, "quote", symbol + " 1", symbol, false));
    }

    private List<String> snapshot(String topic) {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        Subscription s = hub.subscribe(List.of(topic), null, subscriber);
        hub.unsubscribe(s);
        return RecordingSubscriber.ids(subscriber.opening().events());
    }
}
