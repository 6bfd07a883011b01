package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.ManualExecutor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Registration bookkeeping: subscribe, unsubscribe, and what the hub keeps track of. */
class SubscriptionsTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("prices"), List.of("tasks/"));

    private final ManualExecutor fanOut = new ManualExecutor();
    private final Hub hub = new Hub(new MemoryEventLog(100, 3_600_000, () -> 0L, "e1"), KINDS, fanOut);

    @Test
    void unsubscribeIsIdempotentAndForgetsTheTopicWithItsLastSubscriber() {
        RecordingSubscriber first = new RecordingSubscriber();
        RecordingSubscriber second = new RecordingSubscriber();
        Subscription one = hub.subscribe(List.of("news", "sport"), null, first);
        Subscription two = hub.subscribe(List.of("news"), null, second);
        assertEquals(2, hub.topicCount());
        assertEquals(2, hub.subscriptionCount());

        hub.unsubscribe(one);
        hub.unsubscribe(one);
        assertFalse(one.isActive());
        assertEquals(1, hub.subscriptionCount());
        assertEquals(1, hub.topicCount(), "sport has no subscriber left");

        hub.publish(Publication.of("news", null, "x"));
        fanOut.runAll();
        assertEquals(List.of(), first.liveIds());
        assertEquals(List.of("e1-1"), second.liveIds());

        hub.unsubscribe(two);
        hub.unsubscribe(two);
        assertEquals(0, hub.subscriptionCount());
        assertEquals(0, hub.topicCount());
    }

    @Test
    void unsubscribedBeforeFanOutGetsNothingPublishedEarlier() {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        Subscription subscription = hub.subscribe(List.of("news"), null, subscriber);
        hub.publish(Publication.of("news", null, "x"));
        hub.unsubscribe(subscription);
        fanOut.runAll();

        assertEquals(List.of(), subscriber.liveIds());
    }

    @Test
    void stateAndEndedTopicsOutliveTheirSubscribers() {
        Subscription prices = hub.subscribe(List.of("prices"), null, new RecordingSubscriber());
        Subscription task = hub.subscribe(List.of("tasks/1"), null, new RecordingSubscriber());
        Subscription idle = hub.subscribe(List.of("tasks/2"), null, new RecordingSubscriber());
        hub.publish(Publication.of("prices", "quote", "1"));
        hub.publish(Publication.of("tasks/1", null, "done").asLast());

        hub.unsubscribe(prices);
        hub.unsubscribe(task);
        hub.unsubscribe(idle);

        assertEquals(2, hub.topicCount(), "the latest price and the task's end are kept; tasks/2 is forgotten");
        assertEquals(0, hub.subscriptionCount());
        assertTrue(hub.isFinished(List.of("tasks/1"), "e1-2"));
    }

    @Test
    void closedHubRefusesPublishingAndSubscribing() {
        Subscription subscription = hub.subscribe(List.of("news"), null, new RecordingSubscriber());
        hub.close();

        assertThrows(IllegalStateException.class, () -> hub.publish(Publication.of("news", null, "x")));
        assertThrows(IllegalStateException.class,
                () -> hub.subscribe(List.of("news"), null, new RecordingSubscriber()));
        hub.unsubscribe(subscription);
        assertEquals(0, hub.subscriptionCount());
    }
}
