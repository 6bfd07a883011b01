package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Replay and live meet without a gap or a duplicate, however busy the publishers are. On both logs. */
@ParameterizedClass
@EnumSource(HubRig.Log.class)
class HandOverTest {
    private static final int PUBLISHERS = 3;
    private static final int EVENTS_PER_PUBLISHER = 3000;
    private static final int JOINERS = 2;
    private static final int MAX_JOINS_PER_JOINER = 150;
    private static final List<List<String>> TOPIC_CHOICES =
            List.of(List.of("a"), List.of("a", "b"), List.of("b", "c"), List.of("c"));

    /** One subscription made during the run: what it asked for, and what it got. */
    private record Joined(List<String> topics, long head, long cursor, boolean pinned,
            RecordingSubscriber subscriber) {
    }

    /** One accepted publish: its position and id, and its topic. */
    private record Published(long sequence, String id, String topic, boolean accepted) {
    }

    private final HubRig.Log kind;

    HandOverTest(HubRig.Log kind) {
        this.kind = kind;
    }

    @Test
    void subscribersJoiningWhilePublishersAreBusyGetEveryLaterEventExactlyOnceInOrder() throws Exception {
        ExecutorService dispatch = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-dispatch"));
        HubRig rig = HubRig.on(kind).capacity(100_000).executor(dispatch).start();
        Hub hub = rig.hub;
        String epoch = rig.epoch();
        Queue<Published> published = new ConcurrentLinkedQueue<>();
        Queue<Joined> joined = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch publishersDone = new CountDownLatch(PUBLISHERS);
        CountDownLatch everyJoinerJoinedMidway = new CountDownLatch(JOINERS);
        ExecutorService actors = Executors.newFixedThreadPool(PUBLISHERS + JOINERS);
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                running.add(actors.submit(() -> {
                    start.await();
                    for (int n = 0; n < EVENTS_PER_PUBLISHER; n++) {
                        if (n == EVENTS_PER_PUBLISHER / 2) {
                            // Halfway, make sure subscriptions are joining while the rest is published:
                            // on a loaded machine the joiners may otherwise be done before any publish.
                            assertTrue(everyJoinerJoinedMidway.await(30, TimeUnit.SECONDS));
                        }
                        String topic = List.of("a", "b", "c").get((n + publisher) % 3);
                        Receipt r = HubRig.await(rig.submit(Publication.of(topic, null, publisher + ":" + n)));
                        published.add(new Published(r.sequence(), r.id(), topic, r.isAccepted()));
                    }
                    publishersDone.countDown();
                    return null;
                }));
            }
            for (int j = 0; j < JOINERS; j++) {
                Random random = new Random(j);
                running.add(actors.submit(() -> {
                    start.await();
                    boolean midway = false;
                    for (int k = 0; (k < MAX_JOINS_PER_JOINER || !midway) && publishersDone.getCount() > 0; k++) {
                        Joined now = join(hub, epoch, random, k);
                        joined.add(now);
                        if (!midway && now.head() > 0) {
                            midway = true; // the publishers wait at halfway, so the head is short of the end
                            everyJoinerJoinedMidway.countDown();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            rig.settle();
        } finally {
            actors.shutdownNow();
            rig.close();
            dispatch.shutdown();
        }

        List<Published> log = new ArrayList<>(published);
        log.sort(Comparator.comparingLong(Published::sequence));
        assertTrue(log.stream().allMatch(Published::accepted), "every publish was accepted");
        assertEquals(PUBLISHERS * EVENTS_PER_PUBLISHER, log.size());
        int total = log.size();
        long joinedMidway = joined.stream().filter(j -> j.head() > 0 && j.head() < total).count();
        assertTrue(joinedMidway > 0, "no subscription joined while publishers were busy");
        for (Joined j : joined) {
            Opening opening = j.subscriber().opening();
            assertNull(opening.resetReason(), "cursor " + j.cursor());
            long after = j.pinned() ? sequenceOf(opening.pinId()) : j.cursor();
            List<String> expected = log.stream()
                    .filter(e -> e.sequence() > after && j.topics().contains(e.topic()))
                    .map(Published::id)
                    .toList();
            assertContiguous(expected, j.subscriber().receivedIds(),
                    "subscription to " + j.topics() + " after " + epoch + "-" + after);
        }
    }

    /** Subscribes at a recent cursor, at the head, or (every fifth time) without a cursor. */
    private static Joined join(Hub hub, String epoch, Random random, int k) {
        List<String> topics = TOPIC_CHOICES.get(k % TOPIC_CHOICES.size());
        RecordingSubscriber subscriber = new RecordingSubscriber();
        long head = sequenceOf(hub.headId());
        if (k % 5 == 4) {
            hub.subscribe(topics, null, subscriber);
            return new Joined(topics, head, -1, true, subscriber);
        }
        long cursor = Math.max(0, head - random.nextInt(200));
        hub.subscribe(topics, epoch + "-" + cursor, subscriber);
        return new Joined(topics, head, cursor, false, subscriber);
    }

    /** Like assertEquals on the two lists, but says where they part instead of printing thousands of ids. */
    private static void assertContiguous(List<String> expected, List<String> actual, String what) {
        int n = Math.min(expected.size(), actual.size());
        int i = 0;
        while (i < n && expected.get(i).equals(actual.get(i))) {
            i++;
        }
        if (i < n || expected.size() != actual.size()) {
            fail(what + ": " + actual.size() + " events instead of " + expected.size() + "; first difference at "
                    + i + ": expected " + expected.subList(i, Math.min(i + 3, expected.size())) + " but got "
                    + actual.subList(i, Math.min(i + 3, actual.size())));
        }
    }

    private static long sequenceOf(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }
}
