package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.Opening;
import dev.runnel.hub.Publication;
import dev.runnel.hub.Subscriber;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fan-out runs apart from the stream writers, and a subscriber's failure stops nobody else. */
class FanOutIsolationTest {

    @Test
    void fanOutDeliversWhileEveryDispatcherThreadIsBusyWriting() throws Exception {
        try (TestServer server = TestServer.start("runnel.dispatch.threads", "2")) {
            Runnel runnel = server.runnel();
            CountDownLatch busy = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < 2; i++) {
                runnel.dispatch().execute(() -> {
                    busy.countDown();
                    await(release); // a drain that does not end: every dispatcher thread is taken
                });
            }
            try {
                assertTrue(busy.await(10, TimeUnit.SECONDS));
                CountDownLatch offered = new CountDownLatch(1);
                runnel.hub().subscribe(List.of("news"), null, new Taker(offered::countDown));

                runnel.hub().publish(Publication.of("news", null, "x"));

                assertTrue(offered.await(10, TimeUnit.SECONDS), "the fan-out waited behind the dispatcher");
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void aSubscriberThrowingAnErrorIsCountedAndTheStreamsGoOn() throws Exception {
        try (TestServer server = TestServer.start(); EventRecorder stream = server.subscribe("news")) {
            stream.connected();
            server.runnel().hub().subscribe(List.of("news"), null, new Taker(() -> {
                throw new AssertionError("a broken subscriber");
            }));

            server.publish("news", null, "1");
            server.publish("news", null, "2");

            assertEquals("1", stream.next().data());
            assertEquals("2", stream.next().data());
            // The stream may write both events before the fan-out reaches the broken subscriber.
            JsonObject incidents = server.api().awaitStats("the fan-out incident is counted",
                    s -> s.getAsJsonObject("incidents").get("fanOut").getAsLong() > 0, Duration.ofSeconds(10))
                    .getAsJsonObject("incidents");
            assertEquals(1, incidents.get("fanOut").getAsLong());
            assertEquals(0, incidents.get("drain").getAsLong());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A subscriber in the hub itself: runs {@code onOffer} for each event. */
    private record Taker(Runnable onOffer) implements Subscriber {
        @Override
        public void open(Opening opening) {
        }

        @Override
        public boolean offer(LoggedEvent event) {
            onOffer.run();
            return true;
        }

        @Override
        public void end() {
        }

        @Override
        public void close(String reason) {
        }
    }
}
