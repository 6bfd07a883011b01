package dev.runnel.hub;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.ManualExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The order of the log, and how the fan-out hands it on. On both logs. */
@ParameterizedClass
@EnumSource(HubRig.Log.class)
class HubOrderingTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("prices"), List.of("tasks/"));

    private final HubRig.Log kind;
    private final HubRig rig;
    private final Hub hub;

    HubOrderingTest(HubRig.Log kind) {
        this.kind = kind;
        rig = HubRig.on(kind).kinds(KINDS).start();
        hub = rig.hub;
    }

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void idsAreEpochDashSequenceCountingFromOneInPublishOrder() {
        if (kind == HubRig.Log.MEMORY) {
            assertEquals("e1", hub.epoch());
        }
        assertEquals(id(0), hub.headId());
        Receipt first = rig.publish(Publication.of("news", null, "a"));
        Receipt second = rig.publish(Publication.of("prices", "quote", "b"));
        Receipt third = rig.publish(Publication.of("tasks/7", null, "c"));

        assertEquals(List.of(id(1), id(2), id(3)), List.of(first.id(), second.id(), third.id()));
        assertEquals(List.of(1L, 2L, 3L), List.of(first.sequence(), second.sequence(), third.sequence()));
        assertEquals(id(3), hub.headId());
        assertEquals(3, hub.eventsPublished());
        if (kind == HubRig.Log.MEMORY) {
            assertEquals(3, hub.logFigures().events());
        }
    }

    @Test
    void frameIsEncodedOnceWithTheLogId() {
        RecordingSubscriber subscriber = rig.subscribe(null, "news");
        rig.publish(Publication.of("news", "headline", "hello"));

        assertEquals("event: headline\nid: " + id(1) + "\ndata: hello\n\n",
                new String(subscriber.live().get(0).frame(), UTF_8));
    }

    @Test
    void fanOutWaitsForTheExecutorAndDeliversInLogOrder() {
        rig.memoryOnly("the in-memory log's fan-out runs when the test says");
        ManualExecutor fanOut = rig.fanOut;
        RecordingSubscriber subscriber = new RecordingSubscriber();
        hub.subscribe(List.of("news"), null, subscriber);

        rig.publishUnsettled(Publication.of("news", null, "1"));
        rig.publishUnsettled(Publication.of("news", null, "2"));
        rig.publishUnsettled(Publication.of("news", null, "3"));

        assertEquals(List.of(), subscriber.liveIds(), "nothing is delivered on the publishing thread");
        assertEquals(1, fanOut.pending(), "one fan-out task serves a burst");
        fanOut.runAll();
        assertEquals(List.of(id(1), id(2), id(3)), subscriber.liveIds());
        assertEquals(0, fanOut.pending());
    }

    @Test
    void oneSubscriptionOverTwoTopicsGetsThemInterleavedInLogOrder() {
        RecordingSubscriber both = new RecordingSubscriber();
        RecordingSubscriber onlyB = new RecordingSubscriber();
        hub.subscribe(List.of("b", "a"), null, both);
        hub.subscribe(List.of("b"), null, onlyB);

        for (int i = 0; i < 5; i++) {
            rig.submit(Publication.of("a", null, "a" + i));
            rig.submit(Publication.of("b", null, "b" + i));
            rig.submit(Publication.of("c", null, "c" + i));
            if (i == 2) {
                rig.settle(); // a fan-out in the middle of the burst changes nothing about the order
            }
        }
        rig.settle();

        List<String> expectedBoth = new ArrayList<>();
        List<String> expectedB = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expectedBoth.add(id(3 * i + 1));
            expectedBoth.add(id(3 * i + 2));
            expectedB.add(id(3 * i + 2));
        }
        assertEquals(expectedBoth, both.liveIds());
        assertEquals(expectedB, onlyB.liveIds());
    }

    @Test
    void duplicateTopicNamesInOneSubscriptionDeliverEachEventOnce() {
        RecordingSubscriber subscriber = new RecordingSubscriber();
        Subscription subscription = hub.subscribe(List.of("news", "news"), null, subscriber);
        rig.publish(Publication.of("news", null, "x"));

        assertEquals(List.of("news"), subscription.topics());
        assertEquals(List.of(id(1)), subscriber.liveIds());
    }

    @Test
    void aFailingSubscriberDoesNotStopTheOthers() {
        RecordingSubscriber healthy = new RecordingSubscriber();
        hub.subscribe(List.of("news"), null, new Subscriber() {
            @Override
            public void open(Opening opening) {
            }

            @Override
            public boolean offer(LoggedEvent event) {
                throw new IllegalStateException("broken subscriber");
            }

            @Override
            public void end() {
            }

            @Override
            public void close(String reason) {
            }
        });
        hub.subscribe(List.of("news"), null, healthy);

        rig.submit(Publication.of("news", null, "1"));
        rig.publish(Publication.of("news", null, "2"));

        assertEquals(List.of(id(1), id(2)), healthy.liveIds());
    }

    @Test
    void anErrorInASubscriberDropsThatSubscriberAndDeliveryGoesOn() {
        RecordingSubscriber healthy = new RecordingSubscriber();
        RecordingSubscriber broken = new RecordingSubscriber() {
            @Override
            public boolean offer(LoggedEvent event) {
                throw new StackOverflowError("a subscriber recursed too deep");
            }
        };
        hub.subscribe(List.of("news"), null, broken);
        hub.subscribe(List.of("news"), null, healthy);

        rig.publish(Publication.of("news", null, "1"));
        rig.publish(Publication.of("news", null, "2"));

        assertEquals(List.of(id(1), id(2)), healthy.liveIds(), "the fan-out was scheduled again");
        assertEquals(1, broken.closes().size(), "dropped and told to close, so its client resumes from the log");
        assertTrue(broken.closes().get(0).contains("StackOverflowError"), broken.closes().get(0));
        assertEquals(1, hub.subscriptionCount());
        assertEquals(1, hub.fanOutIncidents());
    }

    @Test
    void multiThreadedExecutorStillDeliversInLogOrderOneOfferAtATime() throws Exception {
        rig.memoryOnly("about the in-memory log's executor");
        AtomicInteger threadCount = new AtomicInteger();
        ThreadFactory named = r -> new Thread(r, "test-dispatch-" + threadCount.incrementAndGet());
        ExecutorService dispatch = Executors.newFixedThreadPool(4, named);
        Hub threaded = HubRig.on(HubRig.Log.MEMORY).kinds(KINDS).capacity(50_000).executor(dispatch).start().hub;
        RecordingSubscriber both = new RecordingSubscriber();
        RecordingSubscriber onlyA = new RecordingSubscriber();
        threaded.subscribe(List.of("a", "b"), null, both);
        threaded.subscribe(List.of("a"), null, onlyA);

        int events = 20_000;
        ExecutorService publishers = Executors.newFixedThreadPool(2);
        try {
            var first = publishers.submit(() -> publishMany(threaded, "a", events / 2));
            var second = publishers.submit(() -> publishMany(threaded, "b", events / 2));
            first.get(30, TimeUnit.SECONDS);
            second.get(30, TimeUnit.SECONDS);
        } finally {
            publishers.shutdown();
        }
        dispatch.shutdown();
        assertTrue(dispatch.awaitTermination(30, TimeUnit.SECONDS), "fan-out did not finish");

        assertEquals(events, both.live().size());
        assertEquals(events / 2, onlyA.live().size());
        assertStrictlyIncreasing(both.live());
        assertStrictlyIncreasing(onlyA.live());
        assertTrue(onlyA.live().stream().allMatch(e -> e.topic().equals("a")));
        assertEquals(0, both.overlappingOffers(), "offers to one subscriber overlapped");
        assertFalse(both.offerThreads().isEmpty());
        assertTrue(both.offerThreads().stream().allMatch(name -> name.startsWith("test-dispatch-")),
                "offers ran outside the executor: " + both.offerThreads());
    }

    private String id(long sequence) {
        return rig.id(sequence);
    }

    private static Void publishMany(Hub hub, String topic, int count) {
        for (int i = 0; i < count; i++) {
            hub.publish(Publication.of(topic, null, topic + i)).toCompletableFuture().join();
        }
        return null;
    }

    private static void assertStrictlyIncreasing(List<LoggedEvent> events) {
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i - 1).sequence() < events.get(i).sequence(),
                    "out of order at " + i + ": " + events.get(i - 1) + " then " + events.get(i));
        }
    }
}
