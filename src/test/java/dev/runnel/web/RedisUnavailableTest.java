package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TestServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.Test;

/**
 * A node whose Redis cannot be reached deploys and answers {@code 503 log-unavailable} with
 * {@code Retry-After} on publish and subscribe; one whose Redis goes away and comes back (with its
 * data) keeps its open streams, which receive what is published afterwards. Skipped with the reason
 * when {@code redis-server} is missing (failed under {@code RUNNEL_REQUIRE_ALL=true}).
 */
class RedisUnavailableTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aNodeWhoseRedisWasNeverReachedDeploysAndAnswers503WithRetryAfter() throws Exception {
        RedisServer.assumeAvailable();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // nothing listens there once the socket is closed
        }
        try (TestServer server = TestServer.start("runnel.redis.url", "redis://127.0.0.1:" + closed)) {
            assertFalse(server.stats().get("ready").getAsBoolean());
            assertUnavailable(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\"}"));
            assertUnavailable(subscribe(server));
        }
    }

    @Test
    void whileRedisIsAwayPublishAndSubscribeAre503AndOpenStreamsCarryOnWhenItReturns() throws Exception {
        try (RedisServer redis = RedisServer.start(RedisServer.Persistence.AOF);
                TestServer server = TestServer.start("runnel.redis.url", redis.url())) {
            server.api().awaitStats("the node reached Redis", s -> s.get("ready").getAsBoolean(), WAIT);
            try (EventRecorder stream = server.subscribe("news")) {
                stream.connected();
                String before = server.api().publish("news", null, "before");
                assertEquals(before, stream.next().id());

                redis.stop();
                server.api().awaitStats("the node lost Redis", s -> !s.get("ready").getAsBoolean(), WAIT);
                assertUnavailable(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\"}"));
                assertUnavailable(subscribe(server));

                redis.restart();
                server.api().awaitStats("the node reached Redis again", s -> s.get("ready").getAsBoolean(), WAIT);
                String after = server.api().publish("news", null, "after");
                assertEquals(after, stream.next(WAIT).id(), "the open stream carries on, with no reset");
                stream.assertNoMoreEvents(Duration.ofMillis(200));
            }
        }
    }

    private static ContentResponse subscribe(TestServer server) throws Exception {
        return server.client().newRequest(server.uri("/events?topic=news")).method(HttpMethod.GET)
                .headers(h -> h.put("Accept", "text/event-stream")).timeout(10, TimeUnit.SECONDS).send();
    }

    private static void assertUnavailable(ContentResponse response) {
        assertEquals(503, response.getStatus(), response.getContentAsString());
        assertEquals("2", response.getHeaders().get("Retry-After"));
        JsonObject error = JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
        assertEquals("log-unavailable", error.get("error").getAsString());
    }
}
