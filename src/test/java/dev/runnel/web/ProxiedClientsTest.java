package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.junit.jupiter.api.Test;

/**
 * The per-address stream limit behind a proxy: by default every client behind it shares the proxy's
 * address; with the proxy trusted, each client has its own, and a client that forges the headers
 * without going through a trusted proxy gains nothing.
 */
class ProxiedClientsTest {

    private static EventRecorder open(TestServer server, String peer, String forwardedFor) {
        return EventRecorder.open(server.client(), server.uri("/events?topic=news"), null,
                TestServer.REMOTE_ADDRESS_HEADER, peer, "X-Forwarded-For", forwardedFor);
    }

    private static ContentResponse get(TestServer server, String peer, String forwardedFor) throws Exception {
        Request request = server.client().newRequest(server.uri("/events?topic=news")).timeout(10, TimeUnit.SECONDS)
                .headers(h -> h.put(TestServer.REMOTE_ADDRESS_HEADER, peer).put("X-Forwarded-For", forwardedFor));
        return request.send();
    }

    @Test
    void byDefaultEveryClientBehindAProxySharesItsAddress() throws Exception {
        try (TestServer server = TestServer.start("runnel.streams.perAddress", "2");
                EventRecorder a = open(server, "10.0.0.2", "198.51.100.1");
                EventRecorder b = open(server, "10.0.0.2", "198.51.100.2")) {
            a.connected();
            b.connected();
            assertError(get(server, "10.0.0.2", "198.51.100.3"), 429, "runnel.streams.perAddress");
            assertEquals(1, server.stats().get("streamAddresses").getAsInt());
        }
    }

    @Test
    void behindATrustedProxyEachClientHasItsOwnLimitAndForgedHeadersCountForNothing() throws Exception {
        try (TestServer server = TestServer.start("runnel.streams.perAddress", "1", "runnel.proxies.trusted", "10.0.0.0/8");
                EventRecorder a = open(server, "10.0.0.2", "198.51.100.1");
                EventRecorder b = open(server, "10.0.0.3", "198.51.100.2");
                EventRecorder forger = open(server, "203.0.113.9", "198.51.100.3")) {
            a.connected();
            b.connected();
            forger.connected();
            assertEquals(3, server.stats().get("streamAddresses").getAsInt());
            assertError(get(server, "10.0.0.4", "198.51.100.1"), 429, "runnel.streams.perAddress");
            // A forged hop to the left of the real client changes nothing: the rightmost untrusted hop counts.
            assertError(get(server, "10.0.0.2", "1.1.1.1, 198.51.100.2"), 429, "runnel.streams.perAddress");
            // The forger's own address is what counts, whatever it claims.
            assertError(get(server, "203.0.113.9", "192.0.2.200"), 429, "runnel.streams.perAddress");
        }
    }
}
