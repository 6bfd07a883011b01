package dev.runnel.web.api;

import com.google.gson.JsonElement;
import dev.runnel.hub.LogUnavailableException;
import dev.runnel.stream.EventStream;
import dev.runnel.stream.WebSocketFrames;
import dev.runnel.stream.WebSocketTransport;
import dev.runnel.web.auth.Access;
import dev.runnel.web.auth.Grants;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.JsonBody;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One WebSocket connection of {@code /ws}, made by {@link WebSocketServlet} once the handshake passed
 * the checks an HTTP request gets (limits, credentials' shape). The client then sends one message,
 * <pre>
 * {"type": "subscribe", "topics": ["news", "users/alice/inbox"], "lastEventId": "k3f9-1041"}
 * </pre>
 * which is authorized with the credentials of the handshake ({@link Access#subscriber(Access.Credentials,
 * List)}: ticket, bearer, cookie) and opens an {@link EventStream} over a {@link WebSocketTransport}:
 * the same opening, queue bound, eviction and deadlines as {@code /events}. A refusal is an
 * {@code error} message with the status and error code the HTTP answer would have, then a close
 * (1008, or 1013 for a limit or a shutdown). A connection that sends no subscribe within
 * {@link #SUBSCRIBE_WITHIN_MILLIS} is closed.
 *
 * <p>Threading: the container calls {@code onOpen}, the message handler, {@code onClose} and
 * {@code onError} for one connection one at a time; the stream takes over after subscribing.
 */
public final class WebSocketEndpoint extends Endpoint {
    private static final System.Logger LOG = System.getLogger(WebSocketEndpoint.class.getName());
    static final long SUBSCRIBE_WITHIN_MILLIS = 30_000;
    /** The largest message a client may send: a subscribe with the most topics of the longest names. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final Set<String> FIELDS = Set.of("type", "topics", "lastEventId");

    private final Server server;
    private final Runnable permit;
    private final Access.Credentials credentials;
    private final String id;
    private final String address;
    private volatile Session session;
    private volatile EventStream stream;

    /** @param address the client's, as {@code web.http.ClientAddress} tells it (for the operator's record) */
    WebSocketEndpoint(Server server, Runnable permit, Access.Credentials credentials, String id, String address) {
        this.server = server;
        this.address = address;
        this.permit = permit;
        this.credentials = credentials;
        this.id = id;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        this.session = session;
        session.setMaxTextMessageBufferSize(MAX_MESSAGE_BYTES);
        session.setMaxIdleTimeout(SUBSCRIBE_WITHIN_MILLIS);
        // Tomcat writes a close frame blocking, for up to this long, when the peer stopped reading.
        session.getUserProperties().put("org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT", 2_000L);
        session.addMessageHandler(new MessageHandler.Whole<String>() {
            @Override
            public void onMessage(String text) {
                onText(text);
            }
        });
    }

    private void onText(String text) {
        if (stream != null) {
            refuse(HttpError.badRequest("already subscribed: one subscribe per connection"));
            return;
        }
        try {
            subscribe(text);
        } catch (HttpError e) {
            refuse(e);
        } catch (IllegalStateException shutDown) {
            refuse(EventsServlet.shuttingDown());
        } catch (LogUnavailableException unavailable) {
            refuse(Refusals.logUnavailable(unavailable.getMessage()));
        }
    }

    private void subscribe(String text) {
        if (server.isShuttingDown()) {
            throw EventsServlet.shuttingDown();
        }
        Map<String, JsonElement> message = JsonBody.object(text);
        for (String name : message.keySet()) {
            if (!FIELDS.contains(name)) {
                throw HttpError.badRequest("unknown field \"" + name + "\" (expected: type, topics, lastEventId)");
            }
        }
        String type = JsonBody.string(message, "type", true);
        if (!type.equals("subscribe")) {
            throw HttpError.badRequest("type: \"" + type + "\" (expected: subscribe)");
        }
        List<String> topics = TopicList.of(topicNames(message.get("topics")), "topics", server.maxTopics());
        String lastEventId = EventStreams.checkCursor(JsonBody.string(message, "lastEventId", false), "lastEventId",
                server.maxLastEventIdLength());
        Grants grants = server.access().subscriber(credentials, topics);
        Session s = session;
        if (EventsServlet.finished(server, topics, lastEventId)) {
            // What a 204 says to EventSource: these finite topics are over for this client.
            send(WebSocketFrames.end(topics));
            close(s, CloseReason.CloseCodes.NORMAL_CLOSURE, "ended");
            return;
        }
        s.setMaxIdleTimeout(0); // heartbeats (pings) and write failures find a dead peer, as on /events
        EventStream opened = new EventStream(id, new WebSocketTransport(s, server.dispatch()), server.dispatch(),
                server.queueBytes(), server.metrics(), server.streams());
        Runnable forget = server.openStreams().opened(opened, address, "ws", topics, lastEventId);
        opened.onClose(() -> {
            permit.run();
            forget.run();
        });
        EventStreams.endAtDeadlines(opened, grants, server);
        stream = opened;
        opened.subscribe(server.hub(), topics, lastEventId);
    }

    private static List<String> topicNames(JsonElement list) {
        if (list == null || !list.isJsonArray()) {
            throw HttpError.badRequest("topics: " + (list == null ? "missing" : "a JSON " + JsonBody.kind(list))
                    + " (expected: an array of topic names)");
        }
        List<String> names = new ArrayList<>();
        for (JsonElement e : list.getAsJsonArray()) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw HttpError.badRequest("topics: an entry is a JSON " + JsonBody.kind(e) + " (expected: a string)");
            }
            names.add(e.getAsString());
        }
        return names;
    }

    /** The HTTP answer it would have been, as an {@code error} message; then the connection closes. */
    private void refuse(HttpError e) {
        Session s = session;
        send(WebSocketFrames.error(e.status(), e.error(), e.detail()));
        boolean retryLater = e.status() == 429 || e.status() == 503;
        close(s, retryLater ? CloseReason.CloseCodes.TRY_AGAIN_LATER : CloseReason.CloseCodes.VIOLATED_POLICY,
                e.error());
        EventStream opened = stream;
        if (opened == null) {
            permit.run();
        } else if (!opened.isClosed()) {
            opened.close("refused: " + e.error()); // a subscribe that raced the shutdown
        }
    }

    /** A message before any stream exists: the connection's only writer now, so a blocking send is safe. */
    private void send(String text) {
        try {
            session.getBasicRemote().sendText(text);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "websocket " + id + ": could not send: " + e);
        }
    }

    private void close(Session s, CloseReason.CloseCode code, String reason) {
        try {
            s.close(new CloseReason(code, reason));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "websocket " + id + ": close failed: " + e);
        }
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        EventStream opened = stream;
        if (opened == null) {
            permit.run();
        } else {
            opened.containerCompleted();
        }
    }

    @Override
    public void onError(Session session, Throwable failure) {
        LOG.log(Level.DEBUG, () -> "websocket " + id + ": " + failure);
        EventStream opened = stream;
        if (opened == null) {
            permit.run();
        } else {
            opened.containerFailed("websocket error: " + failure);
        }
    }
}
