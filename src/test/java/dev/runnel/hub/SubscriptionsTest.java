package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Registration bookkeeping: subscribe, unsubscribe, and what the hub keeps track of. On both logs. */
@ParameterizedClass
@EnumSource(HubRig.Log.class)
class SubscriptionsTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("prices"), List.of("tasks/"));

    private final HubRig rig;
    private final Hub hub;

    SubscriptionsTest(HubRig.Log kind) {
        rig = HubRig.on(kind).kinds(KINDS).capacity(100).start();
        hub = rig.hub;
    }

    @AfterEach
    void close() {
        rig.close();
    }

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

        rig.publish(Publication.of("news", null, "x"));
        assertEquals(List.of(), first.liveIds());
        assertEquals(List.of(rig.id(1)), second.liveIds());

        hub.unsubscribe(two);
        hub.unsubscribe(two);
        assertEquals(0, hub.subscriptionCount());
        assertEquals(0, hub.topicCount());
    }

    @Test
    void unsubscribedBeforeFanOutGetsNothingPublishedEarlier() {
        rig.memoryOnly("the shared log's fan-out runs on its reader thread: nothing holds it back until the unsubscribe");
        RecordingSubscriber subscriber = new RecordingSubscriber();
        Subscription subscription = hub.subscribe(List.of("news"), null, subscriber);
        rig.publishUnsettled(Publication.of("news", null, "x"));
        hub.unsubscribe(subscription);
        rig.settle();

        assertEquals(List.of(), subscriber.liveIds());
    }

    @Test
    void stateAndEndedTopicsOutliveTheirSubscribers() {
        Subscription prices = hub.subscribe(List.of("prices"), null, new RecordingSubscriber());
        Subscription task = hub.subscribe(List.of("tasks/1"), null, new RecordingSubscriber());
        Subscription idle = hub.subscribe(List.of("tasks/2"), null, new RecordingSubscriber());
        rig.publish(Publication.of("prices", "quote", "1"));
        rig.publish(Publication.of("tasks/1", null, "done").asLast());

        hub.unsubscribe(prices);
        hub.unsubscribe(task);
        hub.unsubscribe(idle);

        assertEquals(0, hub.topicCount(), "no topic has a subscriber");
        assertEquals(0, hub.subscriptionCount());
        assertEquals(List.of(rig.id(1)), RecordingSubscriber.ids(rig.opening(null, "prices").events()),
                "the latest price is kept by the log");
        assertTrue(hub.isFinished(List.of("tasks/1"), rig.id(2)), "and so is the task's end");
    }

    @Test
    void closedHubRefusesPublishingAndSubscribing() {
        Subscription subscription = hub.subscribe(List.of("news"), null, new RecordingSubscriber());
        hub.close();

        assertEquals(Receipt.Status.CLOSED, rig.publishUnsettled(Publication.of("news", null, "x")).status());
        assertThrows(IllegalStateException.class,
                () -> hub.subscribe(List.of("news"), null, new RecordingSubscriber()));
        hub.unsubscribe(subscription);
        assertEquals(0, hub.subscriptionCount());
    }
}
