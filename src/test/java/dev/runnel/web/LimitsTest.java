package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.Test;

class LimitsTest {

    private static ContentResponse get(TestServer server, String pathAndQuery, String... headers) throws Exception {
        var request = server.client().newRequest(server.uri(pathAndQuery)).timeout(10, TimeUnit.SECONDS);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            String name = headers[i];
            String value = headers[i + 1];
            request.headers(h -> h.put(name, value));
        }
        return request.send();
    }

    private static EventRecorder from(TestServer server, String address) {
        return EventRecorder.open(server.client(), server.uri("/events?topic=news"), null,
                TestServer.REMOTE_ADDRESS_HEADER, address);
    }

    @Test
    void streamsPerAddressAreLimitedWith429AndFreedWhenAStreamCloses() throws Exception {
        try (TestServer server = TestServer.start("runnel.streams.perAddress", "2", "runnel.heartbeat", "100ms")) {
            EventRecorder a = from(server, "203.0.113.7");
            EventRecorder b = from(server, "203.0.113.7");
            a.connected();
            b.connected();
            ContentResponse third = get(server, "/events?topic=news", TestServer.REMOTE_ADDRESS_HEADER, "203.0.113.7");
            assertError(third, 429, "runnel.streams.perAddress");
            assertEquals("5", third.getHeaders().get("Retry-After"));
            try (EventRecorder other = from(server, "203.0.113.8")) {
                other.connected();
            }
            a.abort();
            Eventually.await(Duration.ofSeconds(5), "a's permit released",
                    () -> server.stats().get("connections").getAsInt() == 1);
            try (EventRecorder again = from(server, "203.0.113.7")) {
                again.connected();
            }
            b.close();
            Eventually.await(Duration.ofSeconds(5), "no address left",
                    () -> server.stats().get("streamAddresses").getAsInt() == 0);
        }
    }

    @Test
    void totalStreamsAreLimitedWith503AndRetryAfter() throws Exception {
        try (TestServer server = TestServer.start("runnel.streams.max", "2");
                EventRecorder a = server.subscribe("news");
                EventRecorder b = server.subscribe("news")) {
            a.connected();
            b.connected();
            ContentResponse third = get(server, "/events?topic=news");
            assertError(third, 503, "runnel.streams.max");
            assertEquals("5", third.getHeaders().get("Retry-After"));
        }
    }

    @Test
    void refusedSubscriptionsReleaseTheirPermit() throws Exception {
        try (TestServer server = TestServer.start("runnel.streams.max", "1", "runnel.jwt.secret", Tokens.SECRET)) {
            for (int i = 0; i < 5; i++) {
                assertError(get(server, "/events?topic=users/alice/inbox"), 401, "private");
            }
            try (EventRecorder stream = server.subscribe("news")) {
                stream.connected();
            }
        }
    }

    @Test
    void publishRateIsLimitedPerCredentialWith429AndRetryAfter() throws Exception {
        try (TestServer server = TestServer.start("runnel.publish.rate", "1", "runnel.publish.burst", "3",
                "runnel.jwt.secret", Tokens.SECRET)) {
            String a = "Bearer " + Tokens.publisher("feed-a", "news");
            String b = "Bearer " + Tokens.publisher("feed-b", "news");
            String body = "{\"topic\":\"news\",\"data\":\"x\"}";
            // The burst passes; a slow machine may earn a token or two more while it publishes.
            int passed = 0;
            ContentResponse limited;
            while ((limited = server.postJson("/publish", body, "Authorization", a)).getStatus() == 200 && passed < 10) {
                passed++;
            }
            assertTrue(passed >= 3 && passed < 10, "published " + passed + " before the limit");
            assertError(limited, 429, "runnel.publish.rate");
            long retryAfter = Long.parseLong(limited.getHeaders().get("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
            assertEquals(200, server.postJson("/publish", body, "Authorization", b).getStatus(), "another credential");
            assertEquals(2, server.stats().get("rateLimitedCredentials").getAsInt());
        }
    }

    @Test
    void oversizedHeadersAndLastEventIdAreRefusedWithAReason() throws Exception {
        try (TestServer server = TestServer.start("runnel.request.maxHeaderBytes", "2KiB",
                "runnel.subscribe.maxLastEventIdLength", "32")) {
            assertError(get(server, "/stats", "X-Padding", "p".repeat(3000)), 431, "runnel.request.maxHeaderBytes");
            assertError(get(server, "/events?topic=news", "Last-Event-ID", "1".repeat(33)), 400,
                    "runnel.subscribe.maxLastEventIdLength");
            assertError(get(server, "/events?topic=news&last_event_id=" + "1".repeat(33)), 400, "at most 32");
        }
    }

    @Test
    void topicsPerSubscriptionAndEventSizeKeepTheirLimits() throws Exception {
        try (TestServer server = TestServer.start("runnel.subscribe.maxTopics", "2", "runnel.publish.maxBytes", "100")) {
            assertError(get(server, "/events?topic=a&topic=b&topic=c"), 400, "runnel.subscribe.maxTopics");
            assertError(server.postJson("/publish", "{\"topic\":\"a\",\"data\":\"" + "x".repeat(200) + "\"}"), 413,
                    "runnel.publish.maxBytes");
        }
    }
}
