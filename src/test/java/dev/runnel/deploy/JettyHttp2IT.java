package dev.runnel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Transports;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.AbstractConnectionPool;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The README's opt-in HTTP/2 on the repository's {@code jetty-base/}: a self-signed keystore made with
 * keytool, the {@code https} and {@code http2} modules. The whole smoke suite runs over HTTP/2 with
 * Jetty's HTTP/2 client, which trusts exactly that keystore (and checks the certificate names
 * 127.0.0.1); and more streams than a browser opens per origin over HTTP/1.1 share one connection.
 */
class JettyHttp2IT extends ContainerSmoke {
    private JettyContainer jetty;

    @Override
    Container newContainer() throws Exception {
        jetty = JettyContainer.http2();
        return jetty;
    }

    @Override
    HttpClient newHttpClient() {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setTrustStorePath(jetty.keystore().toString());
        tls.setTrustStorePassword(JettyContainer.STORE_PASSWORD);
        tls.setTrustStoreType("PKCS12");
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(tls);
        return new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
    }

    @Override
    HttpVersion expectedVersion() {
        return HttpVersion.HTTP_2;
    }

    /** The WebSocket handshake is HTTP/1.1's (JettyIT tests it on this same Jetty); long-poll runs over h2. */
    @Override
    List<Transports> otherTransports() {
        return List.of(Transports.POLL);
    }

    @Override
    boolean streamsGetFinalFrameOnShutdown() {
        return false;
    }

    @Test
    @Order(60)
    void moreStreamsThanABrowsersHttp1LimitShareOneConnection() throws Exception {
        List<EventRecorder> streams = new ArrayList<>();
        try {
            // The first stream opens the connection; until its SETTINGS arrive the client cannot know
            // how many streams it multiplexes, and streams requested meanwhile may open a second one.
            EventRecorder first = runnel.subscribe("it/many");
            streams.add(first);
            first.connected();
            for (int i = 1; i < 10; i++) {
                EventRecorder stream = runnel.subscribe("it/many");
                streams.add(stream);
            }
            for (EventRecorder stream : streams) {
                assertEquals(HttpVersion.HTTP_2, stream.response().getVersion());
                if (stream != first) {
                    stream.connected();
                }
            }
            String id = runnel.publish("it/many", "tick", "all of you");
            for (EventRecorder stream : streams) {
                assertEquals(id, stream.next().id());
            }
            List<Destination> destinations = http.getDestinations();
            assertEquals(1, destinations.size(), destinations.toString());
            // Active, not all: an idle connection an earlier test of this class left in the pool carries
            // none of these streams.
            assertEquals(1, ((AbstractConnectionPool) destinations.get(0).getConnectionPool())
                    .getActiveConnectionCount(), "connections to " + destinations.get(0));
        } finally {
            streams.forEach(EventRecorder::close);
        }
    }
}
