package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /health} answers 200 while the application is deployed; {@code GET /health/ready} 200
 * while the node can serve, 503 with the reason while its Redis is away or it is shutting down. Both
 * without a credential where every other endpoint needs one, and never cached.
 */
class HealthTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aNodeOnTheInMemoryLogIsAliveAndReadyWithoutACredential() throws Exception {
        try (TestServer server = TestServer.start("runnel.publish.secret", "s3cret-s3cret-s3cret-s3cret-s3cret")) {
            assertHealth(server, "/health", 200, "alive", null);
            assertHealth(server, "/health/ready", 200, "ready", null);
            assertEquals(404, get(server, "/health/other").getStatus());
        }
    }

    @Test
    void readyIs503WhileRedisIsAwayAndAliveStays200() throws Exception {
        try (RedisServer redis = RedisServer.start(RedisServer.Persistence.AOF);
                TestServer server = TestServer.start("runnel.redis.url", redis.url())) {
            awaitStatus(server, 200);
            redis.stop();
            awaitStatus(server, 503);
            assertHealth(server, "/health/ready", 503, "unavailable", "log-unavailable");
            assertHealth(server, "/health", 200, "alive", null);
            redis.restart();
            awaitStatus(server, 200);
        }
    }

    @Test
    void readyIs503WhenTheNodeIsShuttingDown() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertHealth(server, "/health/ready", 200, "ready", null);
            server.runnel().close(); // the servlets stay mapped: the container has not undeployed yet
            assertHealth(server, "/health/ready", 503, "unavailable", "shutting-down");
            assertHealth(server, "/health", 200, "alive", null);
        }
    }

    private static void awaitStatus(TestServer server, int status) throws Exception {
        Eventually.await(WAIT, "/health/ready answers " + status, () -> get(server, "/health/ready").getStatus() == status);
    }

    private static void assertHealth(TestServer server, String path, int status, String state, String reason)
            throws Exception {
        ContentResponse response = get(server, path);
        assertEquals(status, response.getStatus(), response.getContentAsString());
        assertEquals("no-store", response.getHeaders().get("Cache-Control"));
        JsonObject body = JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
        assertEquals(state, body.get("status").getAsString());
        if (reason != null) {
            assertEquals(reason, body.get("reason").getAsString());
        }
    }

    private static ContentResponse get(TestServer server, String path) {
        try {
            return server.client().newRequest(server.uri(path)).method(HttpMethod.GET)
                    .timeout(10, TimeUnit.SECONDS).send();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
