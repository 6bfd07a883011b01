package dev.runnel.testing;

import java.net.URI;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;

/** Runnel's three transports, each opening a {@link Feed}: the parameter of transport-neutral suites. */
public enum Transports {
    SSE {
        @Override
        public Feed open(HttpClient client, URI base, List<String> topics, String cursor) {
            return new SseFeed(client, base, TestServer.query(topics.toArray(String[]::new)), cursor);
        }
    },
    WEBSOCKET {
        @Override
        public Feed open(HttpClient client, URI base, List<String> topics, String cursor) {
            URI ws = URI.create(base.toString().replaceFirst("^http", "ws")).resolve("ws");
            return new WebSocketFeed(ws, topics, cursor);
        }
    },
    POLL {
        @Override
        public Feed open(HttpClient client, URI base, List<String> topics, String cursor) {
            return new PollFeed(client, base, TestServer.query(topics.toArray(String[]::new)), cursor, "5s");
        }
    };

    /** Subscribes to {@code topics} at {@code base} (ending in {@code /}), resuming after {@code cursor} (or null). */
    public abstract Feed open(HttpClient client, URI base, List<String> topics, String cursor);

    public Feed open(TestServer server, List<String> topics, String cursor) {
        return open(server.client(), server.uri("/"), topics, cursor);
    }
}
