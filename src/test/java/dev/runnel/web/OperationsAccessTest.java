package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static dev.runnel.web.PublishEndpointTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import dev.runnel.web.ops.ConsoleFeed;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.Test;

/**
 * Who may see and steer operations: {@code /metrics} and {@code /stats} need the admin credential (the
 * secret, or a token with {@code admin: true}) unless {@code runnel.metrics.public}; the admin endpoints
 * always do; Runnel's own topics open to the admin credential alone and take no publish over HTTP.
 */
class OperationsAccessTest {
    private static final String ADMIN = TestServer.ADMIN_SECRET;

    private static ContentResponse get(TestServer server, String path, String... headers) throws Exception {
        return send(server, HttpMethod.GET, path, headers);
    }

    private static ContentResponse send(TestServer server, HttpMethod method, String path, String... headers)
            throws Exception {
        Request request = server.client().newRequest(server.uri(path)).method(method).timeout(10, TimeUnit.SECONDS);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            String name = headers[i];
            String value = headers[i + 1];
            request.headers(h -> h.put(name, value));
        }
        return request.send();
    }

    @Test
    void metricsAndStatsWithoutTheAdminCredentialAre401InJson() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            for (String path : List.of("/metrics", "/stats")) {
                ContentResponse none = get(server, path);
                assertError(none, 401, "admin credential");
                assertTrue(none.getHeaders().get("WWW-Authenticate").startsWith("Bearer"), path);
                assertError(get(server, path, "Authorization", "Bearer not-the-admin-secret"), 401, "token");
                assertError(get(server, path, "Authorization", "Bearer " + Tokens.subscriber("alice", "users/alice/")),
                        403, "admin: true");
                assertEquals(200, get(server, path, "Authorization", "Bearer " + ADMIN).getStatus(), path);
                String operator = Tokens.hs256(Tokens.claims("ops", 600).claim("admin", true).build());
                assertEquals(200, get(server, path, "Authorization", "Bearer " + operator).getStatus(), path);
            }
        }
    }

    @Test
    void publicMetricsAnswerWithoutACredentialButTheAdminEndpointsStillNeedOne() throws Exception {
        try (TestServer server = TestServer.start("runnel.metrics.public", "true")) {
            assertEquals(200, get(server, "/metrics").getStatus());
            assertEquals(200, get(server, "/stats").getStatus());
            assertError(get(server, "/admin"), 401, "admin credential");
            ContentResponse admin = get(server, "/admin", "Authorization", "Bearer " + ADMIN);
            assertEquals(200, admin.getStatus());
            assertEquals(ConsoleFeed.TOPIC, json(admin).get("topic").getAsString());
            assertTrue(json(admin).get("admin").getAsBoolean());
        }
    }

    @Test
    void runnelsOwnTopicsOpenToTheAdminCredentialOnlyAndTakeNoPublish() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET,
                "runnel.publish.secret", "publish-secret-of-this-test")) {
            String topic = "topic=" + ConsoleFeed.TOPIC;
            assertError(get(server, "/events?" + topic), 401, "private");
            String everything = Tokens.subscriber("alice", "runnel/", "users/alice/");
            assertError(get(server, "/events?" + topic, "Authorization", "Bearer " + everything), 403, "not granted");
            assertError(server.postJson("/tickets", "{\"topics\":[\"" + ConsoleFeed.TOPIC + "\"]}",
                    "Authorization", "Bearer " + everything), 403, "admin credential");
            ContentResponse ticket = server.postJson("/tickets", "{\"topics\":[\"" + ConsoleFeed.TOPIC + "\"]}",
                    "Authorization", "Bearer " + ADMIN);
            assertEquals(200, ticket.getStatus(), ticket.getContentAsString());
            String t = json(ticket).get("ticket").getAsString();
            try (EventRecorder feed = EventRecorder.open(server.client(),
                    server.uri("/events?" + topic + "&ticket=" + t), null)) {
                assertEquals(200, feed.status());
                feed.connected();
            }
            // The admin credential opens any private topic too (the console's frame debugger).
            try (EventRecorder inbox = EventRecorder.open(server.client(), server.uri("/events?topic=users/bob/inbox"),
                    null, "Authorization", "Bearer " + ADMIN)) {
                assertEquals(200, inbox.status());
            }
            for (String credential : List.of("publish-secret-of-this-test", ADMIN)) {
                assertError(server.postJson("/publish", "{\"topic\":\"" + ConsoleFeed.TOPIC + "\",\"data\":\"fake\"}",
                        "Authorization", "Bearer " + credential), 403, "Runnel's own");
            }
            ContentResponse test = server.postJson("/publish", "{\"topic\":\"admin/test\",\"data\":\"hi\"}",
                    "Authorization", "Bearer " + ADMIN);
            assertEquals(200, test.getStatus(), "the admin credential publishes the console's test event");
        }
    }

    @Test
    void anOperatorClosesAStreamAndItsClientSeesItEnd() throws Exception {
        try (TestServer server = TestServer.start(); EventRecorder stream = server.subscribe("ops/close")) {
            String id = JsonParser.parseString(stream.connected().data()).getAsJsonObject().get("connection").getAsString();
            assertError(send(server, HttpMethod.DELETE, "/admin/streams/" + id), 401, "admin credential");
            assertError(send(server, HttpMethod.DELETE, "/admin/streams/no-such-id", "Authorization", "Bearer " + ADMIN),
                    404, "no-such-id");
            ContentResponse closed = send(server, HttpMethod.DELETE, "/admin/streams/" + id,
                    "Authorization", "Bearer " + ADMIN);
            assertEquals(204, closed.getStatus(), closed.getContentAsString());
            stream.awaitEnd(EventRecorder.TIMEOUT);
            assertEquals(1, server.runnel().metrics().streamsClosed(dev.runnel.stream.CloseReason.OPERATOR));
            assertError(send(server, HttpMethod.DELETE, "/admin/streams/" + id, "Authorization", "Bearer " + ADMIN),
                    404, id);
        }
    }
}
