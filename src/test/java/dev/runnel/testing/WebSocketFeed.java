package dev.runnel.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A {@link Feed} over {@code /ws}, read with Jetty's WebSocket client: sends the subscribe message
 * once open, and takes every message the server sends. Pings are answered by the client.
 */
public final class WebSocketFeed extends Feed implements Session.Listener.AutoDemanding {
    private static WebSocketClient shared;

    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final String subscribe;
    private final AtomicInteger pings = new AtomicInteger();
    private volatile Session session;
    private volatile int closeCode;
    private volatile String closeReason;

    /** {@code uri}: {@code ws://…/ws[?ticket=…]}; {@code headers}: name, value, … for the handshake. */
    public WebSocketFeed(URI uri, List<String> topics, String cursor, String... headers) {
        JsonObject m = new JsonObject();
        m.addProperty("type", "subscribe");
        JsonArray names = new JsonArray();
        topics.forEach(names::add);
        m.add("topics", names);
        if (cursor != null) {
            m.addProperty("lastEventId", cursor);
        }
        subscribe = m.toString();
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        try {
            client().connect(this, request).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("websocket connect to " + uri + " failed", e);
        }
    }

    static synchronized WebSocketClient client() {
        if (shared == null) {
            WebSocketClient c = new WebSocketClient();
            c.setIdleTimeout(java.time.Duration.ofSeconds(120));
            try {
                c.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            shared = c;
        }
        return shared;
    }

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
        if (subscribe != null) {
            s.sendText(subscribe, Callback.NOOP);
        }
    }

    @Override
    public void onWebSocketText(String text) {
        JsonObject m = JsonParser.parseString(text).getAsJsonObject();
        switch (m.get("type").getAsString()) {
            case "connected" -> {
                cursor(m.has("cursor") ? m.get("cursor").getAsString() : null);
                joined();
            }
            case "cursor" -> cursor(m.get("id").getAsString());
            case "event" -> {
                cursor(m.get("id").getAsString());
                add(new Item("event", m.get("topic").getAsString(), m.get("event").getAsString(), m.get("id").getAsString(),
                        m.get("data").getAsString()));
            }
            case "reset" -> add(new Item("reset", null, m.get("reason").getAsString(), null, text));
            case "end" -> {
                joined(); // ended at once: the stream's 204
            }
            case "error" -> {
                add(new Item("error", null, m.get("error").getAsString(), null, text));
                joined();
            }
            default -> add(new Item(m.get("type").getAsString(), null, null, null, text));
        }
    }

    @Override
    public void onWebSocketPing(java.nio.ByteBuffer payload) {
        pings.incrementAndGet();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        closeCode = statusCode;
        closeReason = reason;
        ended();
        joined();
        closedLatch.countDown();
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        ended();
        joined();
        closedLatch.countDown();
    }

    /** Pings the server sent (its heartbeats). */
    public int pings() {
        return pings.get();
    }

    /** Waits for the close; returns its code. */
    public int awaitClose(java.time.Duration timeout) {
        try {
            if (!closedLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the websocket did not close within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }

    /** Sends a raw text message (for tests of bad input). */
    public void send(String text) {
        session.sendText(text, Callback.NOOP);
    }


    @Override
    public void close() {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(1000, "test is done", Callback.NOOP);
        }
    }
}
