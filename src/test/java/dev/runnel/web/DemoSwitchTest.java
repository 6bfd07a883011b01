package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static dev.runnel.web.PublishEndpointTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.Test;

/** {@code runnel.demos.enabled} switches every demo endpoint and feed as one; an endpoint that is off is a JSON 404. */
class DemoSwitchTest {

    @Test
    void withTheDemosOffEveryDemoEndpointIsAJson404AndNoFeedRuns() throws Exception {
        try (TestServer server = TestServer.start("runnel.demos.enabled", "false", "runnel.stocks.enabled", "true",
                "runnel.stocks.interval", "10ms", "runnel.metrics.enabled", "true", "runnel.metrics.interval", "10ms",
                "runnel.demo.tokens", "true")) {
            for (String path : new String[] {"/tasks", "/chat", "/notifications", "/demo/token"}) {
                assertError(server.postJson(path, "{}"), 404, "runnel.demos.enabled=false");
            }
            assertError(server.send(HttpMethod.GET, "/tasks/abc"), 404, "runnel.demos.enabled=false");
            assertError(server.send(HttpMethod.GET, "/demo/poem"), 404, "runnel.demos.enabled=false");
            JsonObject demos = json(server.send(HttpMethod.GET, "/demos"));
            assertEquals("{\"enabled\":false,\"tokens\":false,\"stocks\":false,\"metrics\":false,\"chat\":false}",
                    demos.toString());
            try (EventRecorder stocks = server.subscribe("stocks", "system")) {
                stocks.connected();
                stocks.assertNoMoreEvents(java.time.Duration.ofMillis(300));
            }
            assertEquals(0, server.stats().get("eventsPublished").getAsLong());
            assertEquals(200, server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\"}").getStatus(),
                    "Runnel itself is unaffected");
        }
    }

    @Test
    void demoTokensThatAreOffAreAJson404NotA405() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertError(server.postJson("/demo/token", "{\"user\":\"alice\"}"), 404, "runnel.demo.tokens=false");
            assertEquals("{\"enabled\":true,\"tokens\":false,\"stocks\":false,\"metrics\":false,\"chat\":true}",
                    json(server.send(HttpMethod.GET, "/demos")).toString());
        }
    }
}
