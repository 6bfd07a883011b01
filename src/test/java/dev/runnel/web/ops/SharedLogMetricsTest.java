package dev.runnel.web.ops;

import static dev.runnel.testing.PrometheusParser.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.PrometheusParser;
import dev.runnel.testing.PrometheusParser.Family;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the log shared through a real {@code redis-server}, {@code /metrics} tells whether Redis
 * answers, how far this node's tail is behind and how often talking to Redis failed: up and no lag
 * while it runs, down and errors counted once it is gone.
 */
class SharedLogMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeEach
    void needs() {
        PrometheusParser.assumeAvailable();
        RedisServer.assumeAvailable();
    }

    @Test
    void redisUpTailLagAndErrors() throws Exception {
        try (RedisServer redis = RedisServer.start(RedisServer.Persistence.NONE);
                TestServer server = TestServer.start("runnel.redis.url", redis.url(), "runnel.redis.prefix",
                        RedisServer.freshPrefix())) {
            server.api().awaitStats("the node reached Redis", s -> s.get("ready").getAsBoolean(), WAIT);
            try (EventRecorder stream = server.subscribe("shared/news")) {
                stream.connected();
                server.publish("shared/news", null, "through redis");
                assertEquals("through redis", stream.next(WAIT).data());
            }
            Eventually.await(WAIT, "the tail has read everything", () -> {
                Map<String, Family> now = scrape(server);
                return value(now, "runnel_redis_up") == 1 && value(now, "runnel_redis_tail_lag_events") == 0;
            });
            double errorsBefore = value(scrape(server), "runnel_redis_errors_total");
            assertEquals(1, value(scrape(server), "runnel_events_published_total", "kind", "stream"));
            redis.stop();
            Eventually.await(WAIT, "Redis is reported down and the failure counted", () -> {
                Map<String, Family> now = scrape(server);
                return value(now, "runnel_redis_up") == 0 && value(now, "runnel_redis_errors_total") > errorsBefore;
            });
            assertTrue(scrape(server).containsKey("runnel_redis_tail_lag_events"));
        }
    }

    private static Map<String, Family> scrape(TestServer server) throws Exception {
        ContentResponse response = server.api().metrics(null);
        assertEquals(200, response.getStatus(), response.getContentAsString());
        return PrometheusParser.prometheus(response.getContentAsString());
    }
}
