package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.FormRequestContent;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.Test;

class PublishEndpointTest {

    @Test
    void formFieldsPublishLikeCurlDoes() throws Exception {
        try (TestServer server = TestServer.start(); EventRecorder stream = server.subscribe("news")) {
            stream.connected();
            Fields form = new Fields();
            form.put("topic", "news");
            form.put("event", "headline");
            form.put("data", "line one\nline two");
            ContentResponse response = server.client().newRequest(server.uri("/publish")).method(HttpMethod.POST)
                    .body(new FormRequestContent(form)).timeout(10, TimeUnit.SECONDS).send();
            assertEquals(200, response.getStatus(), response.getContentAsString());
            String id = json(response).get("id").getAsString();
            SseEvent e = stream.next();
            assertEquals("headline", e.event());
            assertEquals("line one\nline two", e.data());
            assertEquals(id, e.id());
        }
    }

    @Test
    void aPublishRepeatedWithItsIdempotencyKeyAnswersTheFirstIdAndIsLoggedOnce() throws Exception {
        try (TestServer server = TestServer.start(); EventRecorder stream = server.subscribe("news")) {
            stream.connected();
            String body = "{\"topic\":\"news\",\"data\":\"once\"}";
            ContentResponse first = server.postJson("/publish", body, "Idempotency-Key", "order-17");
            ContentResponse retried = server.postJson("/publish", body, "Idempotency-Key", "order-17");
            ContentResponse other = server.postJson("/publish", body, "Idempotency-Key", "order-18");

            assertEquals(200, retried.getStatus(), retried.getContentAsString());
            String id = json(first).get("id").getAsString();
            assertEquals(id, json(retried).get("id").getAsString());
            assertEquals(id, stream.next().id());
            assertEquals(json(other).get("id").getAsString(), stream.next().id(), "the retry was not logged");
            stream.assertNoMoreEvents(Duration.ofMillis(200));
            assertError(server.postJson("/publish", body, "Idempotency-Key", "has space"), 400, "Idempotency-Key");
        }
    }

    @Test
    void jsonDataThatIsNotAStringGoesOutCompactly() throws Exception {
        try (TestServer server = TestServer.start(); EventRecorder stream = server.subscribe("news")) {
            stream.connected();
            ContentResponse response = server.postJson("/publish",
                    "{\"topic\":\"news\",\"data\":{ \"a\" : [1, 2, {\"b\": \"<x>\"}] }}");
            assertEquals(200, response.getStatus(), response.getContentAsString());
            SseEvent e = stream.next();
            assertEquals("message", e.event());
            assertEquals("{\"a\":[1,2,{\"b\":\"<x>\"}]}", e.data());
        }
    }

    @Test
    void badInputIsRefusedWithAJsonReasonAndPublishesNothing() throws Exception {
        try (TestServer server = TestServer.start(); EventRecorder stream = server.subscribe("news")) {
            stream.connected();
            assertError(server.postJson("/publish", "{\"topic\":\"news\"}"), 400, "data: missing");
            assertError(server.postJson("/publish", "{\"topic\":\"a//b\",\"data\":\"x\"}"), 400, "empty segment");
            assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\",\"colour\":1}"), 400,
                    "unknown field \"colour\"");
            assertError(server.postJson("/publish", "{\"topic\":\"news\",\"event\":\"a\\nid: 9\",\"data\":\"x\"}"),
                    400, "event");
            assertError(server.postJson("/publish", "{\"topic\":\"news\",\"event\":\"reset\",\"data\":\"x\"}"), 400,
                    "reserved");
            assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\",\"key\":\"k\"}"), 400,
                    "state topics");
            assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\",\"final\":true}"), 400,
                    "finite topics");
            assertError(server.postJson("/publish", "{\"topic\": 5, \"data\":\"x\"}"), 400, "expected: a string");
            assertError(server.postJson("/publish", "[1,2]"), 400, "array");
            assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":"), 400, "not valid JSON");
            assertError(server.postJson("/publish", "[".repeat(10_000)), 400, "not valid JSON");
            ContentResponse xml = server.client().newRequest(server.uri("/publish")).method(HttpMethod.POST)
                    .body(new StringRequestContent("text/xml", "<a/>", StandardCharsets.UTF_8)).send();
            assertError(xml, 415, "Content-Type");
            ContentResponse get = server.client().newRequest(server.uri("/publish")).send();
            assertError(get, 405, "GET is not supported");
            stream.assertNoMoreEvents(Duration.ofMillis(300));
        }
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        try (TestServer server = TestServer.start("runnel.publish.maxBytes", "1KiB")) {
            String big = "{\"topic\":\"news\",\"data\":\"" + "x".repeat(2000) + "\"}";
            assertError(server.postJson("/publish", big), 413, "runnel.publish.maxBytes");
            assertEquals(200, server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"small\"}").getStatus());
        }
    }

    @Test
    void configuredSecretIsRequiredAsBearer() throws Exception {
        try (TestServer server = TestServer.start("runnel.publish.secret", "s3cret", "runnel.publish.allowLoopback", "false")) {
            String body = "{\"topic\":\"news\",\"data\":\"x\"}";
            ContentResponse missing = server.postJson("/publish", body);
            assertError(missing, 401, "Authorization: Bearer");
            assertTrue(missing.getHeaders().get("WWW-Authenticate").startsWith("Bearer"));
            assertError(server.postJson("/publish", body, "Authorization", "Bearer wrong"), 401, "not the publish secret");
            assertEquals(200, server.postJson("/publish", body, "Authorization", "Bearer s3cret").getStatus());
        }
    }

    @Test
    void byDefaultNothingPublishesWithoutACredentialNotEvenLoopback() throws Exception {
        try (TestServer server = TestServer.start("runnel.publish.allowLoopback", "false")) {
            String body = "{\"topic\":\"news\",\"data\":\"x\"}";
            ContentResponse loopback = server.postJson("/publish", body);
            assertError(loopback, 401, "publishing needs a credential, and this server accepts none yet");
            assertTrue(loopback.getHeaders().get("WWW-Authenticate").startsWith("Bearer"));
            assertError(server.postJson("/publish", body, TestServer.REMOTE_ADDRESS_HEADER, "203.0.113.7"), 401,
                    "needs a credential");
        }
    }

    @Test
    void allowLoopbackLetsThisMachinePublishButNeverARequestAProxyPassedOn() throws Exception {
        try (TestServer server = TestServer.start("runnel.publish.allowLoopback", "true", "runnel.publish.secret", "s3cret",
                "runnel.jwt.secret", Tokens.SECRET)) {
            String body = "{\"topic\":\"news\",\"data\":\"x\"}";
            assertEquals(200, server.postJson("/publish", body).getStatus(), "whatever else is configured");
            assertError(server.postJson("/publish", body, "X-Forwarded-For", "198.51.100.7"), 401, "Authorization: Bearer");
            assertError(server.postJson("/publish", body, "Forwarded", "for=198.51.100.7"), 401, "Authorization: Bearer");
            assertError(server.postJson("/publish", body, "X-Forwarded-For", "127.0.0.1"), 401, "Authorization: Bearer");
            assertError(server.postJson("/publish", body, TestServer.REMOTE_ADDRESS_HEADER, "203.0.113.7"), 401,
                    "Authorization: Bearer");
        }
        try (TestServer proxied = TestServer.start("runnel.publish.allowLoopback", "true",
                "runnel.proxies.trusted", "127.0.0.1")) {
            // A trusted proxy on this machine passes on everyone's requests: none of them is loopback.
            assertError(proxied.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\"}"), 401, "needs a credential");
        }
    }

    @Test
    void publishingToAnEndedFiniteTopicIsAConflict() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertEquals(200, server.postJson("/publish", "{\"topic\":\"demo/t1\",\"data\":\"end\",\"final\":true}")
                    .getStatus());
            assertError(server.postJson("/publish", "{\"topic\":\"demo/t1\",\"data\":\"more\"}"), 409, "has ended");
        }
    }

    static JsonObject json(ContentResponse response) {
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }

    static void assertError(ContentResponse response, int status, String detailPart) {
        assertEquals(status, response.getStatus(), response.getContentAsString());
        assertTrue(response.getMediaType().startsWith("application/json"), response.getMediaType());
        JsonObject body = json(response);
        assertTrue(body.has("error"), body.toString());
        assertTrue(body.get("detail").getAsString().contains(detailPart), body.toString());
    }
}
