package dev.runnel.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.ManualExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bound on the fan-out lag ({@link FanOutLimits}): beyond it publishes are held back, then
 * refused as {@link Receipt.Status#BACKLOGGED}; a value published with {@link Hub#publishLatest}
 * replaces a held one of its key; nothing accepted is lost. The fan-out runs when the test says
 * ({@link ManualExecutor}), so the backlog is exactly what the test published.
 */
class FanOutBacklogTest {
    private static final TopicKinds KINDS = TopicKinds.of(List.of("prices"), List.of());

    private final TestClock clock = new TestClock(0);
    private final ManualExecutor fanOut = new ManualExecutor();
    private final MemoryEventLog log = new MemoryEventLog(MemoryEventLog.Bounds.of(1000, 3_600_000), StateLimits.NONE,
            fanOut, clock, "e1");

    private Hub hub(int maxBacklog, long maxLagMillis) {
        return new Hub(log, KINDS, new FanOutLimits(maxBacklog, maxLagMillis), clock);
    }

    @Test
    void beyondTheBacklogPublishesAreHeldBackAndLoggedInOrderOnceTheFanOutMakesRoom() {
        Hub hub = hub(3, 60_000);
        RecordingSubscriber subscriber = subscribe(hub, "news");
        List<CompletableFuture<Receipt>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(hub.publish(Publication.of("news", null, "n" + i)).toCompletableFuture());
        }

        assertEquals(3, hub.fanOutBacklog(), "three accepted, not yet handed on");
        assertEquals(2, hub.heldPublishes());
        assertTrue(answers.get(2).join().isAccepted());
        assertFalse(answers.get(3).isDone(), "held back, not refused yet");
        assertEquals(3, log.size(), "nothing held is in the log");

        fanOut.runAll();

        assertEquals(0, hub.heldPublishes());
        assertEquals(List.of("e1-4", "e1-5"), List.of(answers.get(3).join().id(), answers.get(4).join().id()));
        fanOut.runAll();
        assertEquals(List.of("e1-1", "e1-2", "e1-3", "e1-4", "e1-5"), subscriber.liveIds());
        assertEquals(0, hub.fanOutBacklog());
    }

    @Test
    void aPublishHeldLongerThanItMayIsRefusedAsBackloggedAndNeverLogged() {
        Hub hub = hub(2, 100);
        RecordingSubscriber subscriber = subscribe(hub, "news");
        hub.publish(Publication.of("news", null, "a"));
        hub.publish(Publication.of("news", null, "b"));
        CompletableFuture<Receipt> held = hub.publish(Publication.of("news", null, "c")).toCompletableFuture();

        clock.set(new FanOutLimits(2, 100).maxHoldMillis() - 1);
        assertEquals(0, hub.expireHeldPublishes(), "not yet");
        clock.set(new FanOutLimits(2, 100).maxHoldMillis());
        assertEquals(1, hub.expireHeldPublishes());

        Receipt refused = held.join();
        assertEquals(Receipt.Status.BACKLOGGED, refused.status());
        assertTrue(refused.status().retryLater());
        assertTrue(refused.detail().contains("at most 2 events"), refused.detail());
        fanOut.runAll();
        assertEquals(List.of("e1-1", "e1-2"), subscriber.liveIds(), "what was accepted, and only that");
        assertEquals(2, log.head());
    }

    @Test
    void aFanOutBehindByTimeHoldsPublishesBackToo() {
        Hub hub = hub(1000, 500);
        hub.publish(Publication.of("news", null, "a"));   // at t=0, not handed on
        clock.set(500);

        CompletableFuture<Receipt> held = hub.publish(Publication.of("news", null, "b")).toCompletableFuture();

        assertFalse(held.isDone(), "the oldest waits 500 ms: the lag bound");
        assertEquals(500, hub.fanOutLagMillis());
        fanOut.runAll();
        assertEquals("e1-2", held.join().id());
    }

    @Test
    void streamsWritingLateHoldPublishesBackUntilTheyCatchUp() {
        Hub hub = hub(1000, 500);
        RecordingSubscriber subscriber = subscribe(hub, "news");
        assertTrue(hub.publish(Publication.of("news", null, "a")).toCompletableFuture().join().isAccepted());
        fanOut.runAll(); // handed on: the hub's own queue is empty, the lag is in the streams'
        for (int i = 0; i < 20; i++) {
            hub.streamWrote(TimeUnit.MILLISECONDS.toNanos(400)); // most writes late (past a fifth of the bound)
        }
        clock.set(WriteLag.WINDOW_MILLIS);
        hub.streamWrote(TimeUnit.MILLISECONDS.toNanos(400));

        CompletableFuture<Receipt> held = hub.publish(Publication.of("news", null, "b")).toCompletableFuture();
        assertFalse(held.isDone(), "the streams are behind: held back");
        assertEquals(0, hub.fanOutBacklog());
        assertEquals(1, hub.heldPublishes());
        assertEquals(100, hub.lateWriteShare());

        clock.set(2 * WriteLag.WINDOW_MILLIS); // a window passed without late writes: caught up
        assertEquals(0, hub.expireHeldPublishes(), "let in by the scheduler, not refused");
        assertEquals("e1-2", held.join().id());
        fanOut.runAll();
        assertEquals(List.of("e1-1", "e1-2"), subscriber.liveIds());
    }

    @Test
    void aLatestValueHeldBackIsReplacedByANewerOneForTheSameKey() {
        Hub hub = hub(2, 60_000);
        RecordingSubscriber subscriber = subscribe(hub, "prices");
        hub.publishLatest(quote("AAPL", "1"));                                              // e1-1
        hub.publishLatest(quote("GOOG", "1"));                                              // e1-2
        CompletableFuture<Receipt> aapl2 = hub.publishLatest(quote("AAPL", "2")).toCompletableFuture();
        CompletableFuture<Receipt> msft = hub.publishLatest(quote("MSFT", "1")).toCompletableFuture();
        CompletableFuture<Receipt> aapl3 = hub.publishLatest(quote("AAPL", "3")).toCompletableFuture();

        assertEquals(Receipt.Status.SUPERSEDED, aapl2.join().status());
        assertEquals(2, hub.heldPublishes(), "AAPL 3 took AAPL 2's place in line; MSFT behind it");
        fanOut.runAll();
        fanOut.runAll();

        assertEquals("e1-3", aapl3.join().id(), "in the superseded one's place, before MSFT");
        assertEquals("e1-4", msft.join().id());
        assertEquals(List.of("AAPL 1", "GOOG 1", "AAPL 3", "MSFT 1"),
                subscriber.live().stream().map(FanOutBacklogTest::data).toList());
    }

    @Test
    void anOrdinaryPublishIsNeverReplacedAndNoMoreAreHeldThanTheBacklogHolds() {
        Hub hub = hub(2, 60_000);
        hub.publish(quote("AAPL", "1"));
        hub.publish(quote("AAPL", "2"));
        CompletableFuture<Receipt> third = hub.publish(quote("AAPL", "3")).toCompletableFuture();
        CompletableFuture<Receipt> fourth = hub.publish(quote("AAPL", "4")).toCompletableFuture();
        Receipt fifth = hub.publish(quote("AAPL", "5")).toCompletableFuture().join();

        assertEquals(Receipt.Status.BACKLOGGED, fifth.status(), "two held already: refused at once");
        fanOut.runAll();
        fanOut.runAll();

        assertEquals("e1-3", third.join().id());
        assertEquals("e1-4", fourth.join().id());
        assertEquals(4, log.head());
    }

    @Test
    void closingRefusesWhatIsHeldAndKeepsWhatWasAccepted() {
        Hub hub = hub(1, 60_000);
        RecordingSubscriber subscriber = subscribe(hub, "news");
        assertTrue(hub.publish(Publication.of("news", null, "a")).toCompletableFuture().join().isAccepted());
        CompletableFuture<Receipt> held = hub.publish(Publication.of("news", null, "b")).toCompletableFuture();

        hub.close();

        assertEquals(Receipt.Status.CLOSED, held.join().status());
        fanOut.runAll();
        assertEquals(List.of("e1-1"), subscriber.liveIds());
    }

    @Test
    void withoutABoundNothingIsHeld() {
        Hub hub = new Hub(log, KINDS, FanOutLimits.NONE, clock);
        for (int i = 0; i < 100; i++) {
            assertTrue(hub.publish(Publication.of("news", null, "n" + i)).toCompletableFuture().join().isAccepted());
        }
        assertEquals(100, hub.fanOutBacklog());
        assertEquals(0, hub.heldPublishes());
    }

    /** The payload of a one-line event, from its frame. */
    private static String data(LoggedEvent e) {
        String frame = new String(e.frame(), java.nio.charset.StandardCharsets.UTF_8);
        int at = frame.indexOf("data: ") + "data: ".length();
        return frame.substring(at, frame.indexOf('\n', at));
    }

    private static Publication quote(String symbol, String price) {
        return new Publication("prices", "quote", symbol + " " + price, symbol, false);
    }

    private static RecordingSubscriber subscribe(Hub hub, String topic) {
        RecordingSubscriber s = new RecordingSubscriber();
        hub.subscribe(List.of(topic), null, s);
        return s;
    }
}
