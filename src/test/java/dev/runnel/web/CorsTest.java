package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CorsTest {
    private static final String APP = "https://app.example.com";
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("runnel.cors.origins", "https://app.example.com/, http://localhost:3000");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private ContentResponse preflight(String path, String origin, String method) throws Exception {
        return server.client().newRequest(server.uri(path)).method(HttpMethod.OPTIONS)
                .headers(h -> {
                    h.put("Origin", origin);
                    h.put("Access-Control-Request-Method", method);
                    h.put("Access-Control-Request-Headers", "authorization, content-type");
                }).timeout(10, TimeUnit.SECONDS).send();
    }

    @Test
    void listedOriginIsEchoedWithCredentialsAndVary() throws Exception {
        ContentResponse r = server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\"}", "Origin", APP);
        assertEquals(200, r.getStatus());
        assertEquals(APP, r.getHeaders().get("Access-Control-Allow-Origin"));
        assertEquals("true", r.getHeaders().get("Access-Control-Allow-Credentials"));
        assertTrue(r.getHeaders().getValuesList("Vary").contains("Origin"), r.getHeaders().toString());
        try (EventRecorder stream = EventRecorder.open(server.client(), server.uri("/events?topic=news"), null,
                "Origin", "http://localhost:3000")) {
            assertEquals("http://localhost:3000", stream.responseHeaders().get("Access-Control-Allow-Origin"));
            assertEquals("true", stream.responseHeaders().get("Access-Control-Allow-Credentials"));
        }
    }

    @Test
    void preflightIsAnsweredForPublishTicketsAndEvents() throws Exception {
        for (String path : new String[] {"/publish", "/tickets"}) {
            ContentResponse r = preflight(path, APP, "POST");
            assertEquals(204, r.getStatus(), path);
            assertEquals(APP, r.getHeaders().get("Access-Control-Allow-Origin"));
            assertEquals("true", r.getHeaders().get("Access-Control-Allow-Credentials"));
            assertEquals("POST", r.getHeaders().get("Access-Control-Allow-Methods"));
            assertTrue(r.getHeaders().get("Access-Control-Allow-Headers").contains("Authorization"));
            assertTrue(r.getHeaders().get("Access-Control-Allow-Headers").contains("Content-Type"));
        }
        ContentResponse events = preflight("/events", APP, "GET");
        assertEquals(204, events.getStatus());
        assertTrue(events.getHeaders().get("Access-Control-Allow-Headers").contains("Last-Event-ID"));
        ContentResponse stats = preflight("/stats", APP, "GET");
        assertNull(stats.getHeaders().get("Access-Control-Allow-Origin"));
    }

    @Test
    void unlistedOriginsGetNoCorsHeaderAtAll() throws Exception {
        for (String origin : new String[] {"https://evil.example.com", "null", "https://app.example.com.evil.net",
                "http://app.example.com"}) {
            ContentResponse r = server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\"}", "Origin", origin);
            assertNull(r.getHeaders().get("Access-Control-Allow-Origin"), origin);
            assertNull(r.getHeaders().get("Access-Control-Allow-Credentials"), origin);
            ContentResponse p = preflight("/publish", origin, "POST");
            assertNull(p.getHeaders().get("Access-Control-Allow-Origin"), origin);
            assertNull(p.getHeaders().get("Access-Control-Allow-Methods"), origin);
        }
    }

    @Test
    void wildcardOrPathIsRefusedAsAConfigurationError() {
        for (String bad : new String[] {"*", "https://app.example.com/path", "app.example.com"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SecurityConfig.from(Settings.fromMap(Map.of("runnel.cors.origins", bad))));
            assertTrue(e.getMessage().contains("runnel.cors.origins"), e.getMessage());
        }
    }
}
