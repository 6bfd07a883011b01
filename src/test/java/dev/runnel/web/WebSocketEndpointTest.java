package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.Feed;
import dev.runnel.testing.Feed.Item;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import dev.runnel.testing.WebSocketFeed;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;

/** {@code /ws}: what only the WebSocket transport has to say — its handshake, messages and close codes. */
public class WebSocketEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static WebSocketFeed open(TestServer server, String query, List<String> topics, String... headers) {
        return new WebSocketFeed(server.webSocketUri(query), topics, null, headers);
    }

    private static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    @Test
    void heartbeatsArePingsAndTheConnectionStaysOpen() throws Exception {
        try (TestServer server = TestServer.start("runnel.heartbeat", "100ms");
                WebSocketFeed feed = open(server, null, List.of("quiet"))) {
            feed.awaitJoined();
            Eventually.await(WAIT, "three pings", () -> feed.pings() >= 3);
            server.publishDirect("quiet", null, "still there");
            assertEquals("still there", feed.next().data());
        }
    }

    @Test
    void aBadSubscribeIsAnErrorMessageAndAPolicyClose() throws Exception {
        try (TestServer server = TestServer.start()) {
            for (String bad : List.of("not json", "{\"type\":\"subscribe\",\"topics\":\"news\"}",
                    "{\"type\":\"subscribe\",\"topics\":[\"a//b\"]}", "{\"type\":\"listen\",\"topics\":[\"news\"]}",
                    "{\"type\":\"subscribe\",\"topics\":[\"news\"],\"extra\":1}",
                    "{\"type\":\"subscribe\",\"topics\":[\"news\"],\"lastEventId\":\"a\\u0000b\"}")) {
                try (WebSocketFeed feed = new WebSocketFeed(server.webSocketUri(null), List.of(), null)) {
                    feed.send(bad);
                    Item error = feed.next();
                    assertEquals("error", error.type(), bad);
                    JsonObject body = json(error.data());
                    assertEquals(400, body.get("status").getAsInt(), bad);
                    assertEquals("bad-request", body.get("error").getAsString());
                    assertEquals(1008, feed.awaitClose(WAIT), bad);
                }
            }
            server.api().awaitConnections(0, WAIT);
            // The permit goes back when the container reports the close, which may come after the count.
            server.api().awaitStats("every permit was given back", s -> s.get("streamAddresses").getAsInt() == 0, WAIT);
        }
    }

    @Test
    void privateTopicsTakeTheHandshakesTicketBearerOrCookie() throws Exception {
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET)) {
            String topic = "users/alice/inbox";
            String token = Tokens.subscriber("alice", "users/alice/");
            try (WebSocketFeed none = open(server, null, List.of(topic))) {
                JsonObject error = json(none.next().data());
                assertEquals(401, error.get("status").getAsInt());
                assertEquals(1008, none.awaitClose(WAIT));
            }
            try (WebSocketFeed bearer = open(server, null, List.of(topic), "Authorization", "Bearer " + token);
                    WebSocketFeed cookie = open(server, null, List.of(topic), "Cookie", "runnel_token=" + token)) {
                bearer.awaitJoined();
                cookie.awaitJoined();
                String ticket = PrivateTopicsTest.ticket(server, token, topic);
                try (WebSocketFeed ticketed = open(server, "?ticket=" + ticket, List.of(topic))) {
                    ticketed.awaitJoined();
                    server.publishDirect(topic, null, "for alice");
                    assertEquals("for alice", bearer.next().data());
                    assertEquals("for alice", cookie.next().data());
                    assertEquals("for alice", ticketed.next().data());
                }
                try (WebSocketFeed again = open(server, "?ticket=" + ticket, List.of(topic))) {
                    assertEquals(401, json(again.next().data()).get("status").getAsInt(), "a ticket opens one stream");
                }
            }
            try (WebSocketFeed other = open(server, null, List.of("users/bob/inbox"), "Authorization", "Bearer " + token)) {
                assertEquals(403, json(other.next().data()).get("status").getAsInt());
            }
        }
    }

    @Test
    void whatHttpCanRefuseIsRefusedBeforeTheUpgradeAsJson() throws Exception {
        try (TestServer server = TestServer.start("runnel.streams.perAddress", "1")) {
            ContentResponse plain = server.client().newRequest(server.uri("/ws")).timeout(10, TimeUnit.SECONDS).send();
            assertEquals(426, plain.getStatus());
            assertEquals("upgrade-required", json(plain.getContentAsString()).get("error").getAsString());
            assertEquals("websocket", plain.getHeaders().get("Upgrade"));

            AssertionError foreign = assertThrows(AssertionError.class,
                    () -> open(server, null, List.of("news"), "Origin", "http://evil.example"));
            assertTrue(String.valueOf(foreign.getCause()).contains("403"), String.valueOf(foreign.getCause()));
            open(server, null, List.of("news"), "Origin", "http://127.0.0.1:" + server.port()).close();
            server.api().awaitConnections(0, WAIT);
            Eventually.await(WAIT, "the permit is back", () -> server.runnel().limits().open() == 0);

            try (WebSocketFeed first = open(server, null, List.of("news"))) {
                first.awaitJoined();
                AssertionError second = assertThrows(AssertionError.class, () -> open(server, null, List.of("news")));
                assertTrue(String.valueOf(second.getCause()).contains("429"), String.valueOf(second.getCause()));
            }
        }
    }

    @Test
    void aFiniteTopicEndsWithEndAndANormalClose() throws Exception {
        try (TestServer server = TestServer.start(); WebSocketFeed feed = open(server, null, List.of("tasks/ws"))) {
            feed.awaitJoined();
            server.runnel().hub().publish(dev.runnel.hub.Publication.of("tasks/ws", "done", "100").asLast());
            assertEquals("100", feed.next().data());
            assertEquals(1000, feed.awaitClose(WAIT));
        }
    }

    @Test
    void shutdownClosesWithGoingAway() throws Exception {
        try (TestServer server = TestServer.start(); WebSocketFeed feed = open(server, null, List.of("news"))) {
            feed.awaitJoined();
            server.undeploy();
            assertEquals(1001, feed.awaitClose(WAIT));
            assertTrue(feed.closeReason().startsWith("going away"), feed.closeReason());
        }
    }

    @Test
    void aClientThatStopsReadingIsEvictedWithTryAgainLater() throws Exception {
        try (TestServer server = TestServer.start("runnel.stream.queueBytes", "64KiB",
                "runnel.stream.writeTimeout", "500ms")) {
            Stalled stalled = new Stalled();
            WebSocketClient client = new WebSocketClient();
            client.start();
            try {
                client.connect(stalled, new ClientUpgradeRequest(server.webSocketUri(null))).get(10, TimeUnit.SECONDS);
                assertTrue(stalled.joined.await(10, TimeUnit.SECONDS));
                String chunk = "x".repeat(32 * 1024);
                for (int i = 0; i < 4000 && server.runnel().metrics().evictions() == 0; i++) {
                    server.publishDirect("news", null, chunk);
                }
                Eventually.await(WAIT, "evicted", () -> server.runnel().metrics().evictions() == 1);
                stalled.read(); // the client reads again: what was sent, then the close frame
                assertTrue(stalled.closed.await(30, TimeUnit.SECONDS), "closed");
                assertEquals(1013, stalled.code.get());
                assertTrue(stalled.reason.get().startsWith("evicted"), stalled.reason.get());
                server.api().awaitConnections(0, WAIT);
            } finally {
                client.stop();
            }
        }
    }

    @Test
    void withoutAWebSocketContainerWsIsAJson404AndTheRestWorks() throws Exception {
        try (TestServer server = TestServer.start(TestServer.WEBSOCKET, "false")) {
            ContentResponse r = server.client().newRequest(server.uri("/ws")).timeout(10, TimeUnit.SECONDS).send();
            assertEquals(404, r.getStatus());
            assertTrue(json(r.getContentAsString()).get("detail").getAsString().contains("/poll"));
            try (Feed feed = dev.runnel.testing.Transports.POLL.open(server, List.of("news"), null)) {
                feed.awaitJoined();
                server.publishDirect("news", null, "by poll");
                assertEquals("by poll", feed.next().data());
            }
        }
    }

    /** A client that reads the first message (connected) and then nothing, until told to. */
    public static final class Stalled implements Session.Listener {
        final CountDownLatch joined = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicInteger code = new AtomicInteger();
        final AtomicReference<String> reason = new AtomicReference<>();
        volatile Session session;
        volatile boolean reading;

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            s.sendText("{\"type\":\"subscribe\",\"topics\":[\"news\"]}", Callback.NOOP);
            s.demand();
        }

        @Override
        public void onWebSocketText(String text) {
            joined.countDown();
            if (reading) {
                session.demand();
            }
        }

        void read() {
            reading = true;
            session.demand();
        }

        @Override
        public void onWebSocketClose(int statusCode, String why, Callback callback) {
            code.set(statusCode);
            reason.set(why);
            closed.countDown();
            callback.succeed();
        }
    }

}
