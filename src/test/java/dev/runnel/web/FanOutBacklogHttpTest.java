package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.Opening;
import dev.runnel.hub.Subscriber;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.Test;

/**
 * {@code runnel.fanout.maxBacklog} over HTTP: while the fan-out is behind its bound, {@code POST
 * /publish} is held back and then refused with {@code 503} and {@code Retry-After}; what was accepted
 * reaches the streams; {@code /stats} shows the backlog. The fan-out is stalled by an in-process
 * subscriber that does not return from {@code offer} until the test lets it, a stand-in for a fan-out
 * that cannot keep up with the publishers.
 */
class FanOutBacklogHttpTest {

    /** Holds the fan-out inside {@link #offer} until released. */
    private static final class Stall implements Subscriber {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);

        @Override
        public void open(Opening opening) {
        }

        @Override
        public boolean offer(LoggedEvent event) {
            entered.countDown();
            try {
                released.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }

        @Override
        public void end() {
        }

        @Override
        public void close(String reason) {
        }
    }

    @Test
    void beyondTheBacklogPublishIsRefusedWith503AndRetryAfterAndNothingAcceptedIsLost() throws Exception {
        try (TestServer server = TestServer.start("runnel.fanout.maxBacklog", "1", "runnel.fanout.maxLag", "100ms");
                EventRecorder stream = server.subscribe("slow")) {
            stream.connected();
            Stall stall = new Stall();
            server.runnel().hub().subscribe(List.of("slow"), null, stall);
            try {
                String first = publish(server, "first", 200).get("id").getAsString();
                assertTrue(stall.entered.await(30, TimeUnit.SECONDS), "the fan-out reached the stalled subscriber");
                assertEquals(1, server.stats().get("fanOutBacklog").getAsLong(), "accepted, not yet handed on");

                ContentResponse refused = server.postJson("/publish", "{\"topic\":\"slow\",\"data\":\"refused\"}");

                assertEquals(503, refused.getStatus(), refused.getContentAsString());
                assertEquals("1", refused.getHeaders().get("Retry-After"));
                JsonObject error = JsonParser.parseString(refused.getContentAsString()).getAsJsonObject();
                assertEquals("backlogged", error.get("error").getAsString());
                assertTrue(error.get("detail").getAsString().contains("at most 1 events"), error.toString());

                stall.released.countDown();
                String after = publish(server, "after", 200).get("id").getAsString();
                assertEquals(first, stream.next().id());
                assertEquals(after, stream.next().id(), "the refused event was never logged");
                stream.assertNoMoreEvents(Duration.ofMillis(200));
                assertEquals(0, server.stats().get("fanOutBacklog").getAsLong());
            } finally {
                stall.released.countDown();
            }
        }
    }

    private static JsonObject publish(TestServer server, String data, int status) throws Exception {
        ContentResponse response = server.postJson("/publish", "{\"topic\":\"slow\",\"data\":\"" + data + "\"}");
        assertEquals(status, response.getStatus(), response.getContentAsString());
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }
}
