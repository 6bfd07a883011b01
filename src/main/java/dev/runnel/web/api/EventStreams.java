package dev.runnel.web.api;

import dev.runnel.hub.LogUnavailableException;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.stream.ControlFrames;
import dev.runnel.stream.EventStream;
import dev.runnel.stream.SseStream;
import dev.runnel.stream.StreamAsyncListener;
import dev.runnel.web.auth.Grants;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.ControlCharacters;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Opens an event stream on an asynchronous response: the headers every stream has, an
 * {@link SseStream} subscribed to the hub, its deadlines, its stream permit and its entry in the
 * operator's record of open streams. {@code GET /events}
 * opens its streams here, and so does every other view of the log ({@code /v1/chat/completions}
 * renders the same events as OpenAI chunks).
 *
 * <p>Threading: stateless but for the connection counter; any thread may open a stream.
 */
public final class EventStreams {
    static final int STREAM_BUFFER_BYTES = 4096;
    private static final AtomicLong CONNECTIONS = new AtomicLong();

    private EventStreams() {}

    /**
     * Starts writing the stream.
     *
     * @param grants the credential whose expiry ends the stream, or null
     * @param permit released once the stream closes
     * @param view   renders each event in another wire format, or null for Runnel's own frames, which
     *               also open the stream with {@code retry:} and {@code connected}
     */
    public static SseStream open(Server server, AsyncContext async, List<String> topics, String lastEventId,
            Grants grants, Runnable permit, UnaryOperator<LoggedEvent> view) throws IOException {
        HttpServletResponse resp = (HttpServletResponse) async.getResponse();
        ApiServlet.eventStreamHeaders(resp);
        // Jetty keeps the response's aggregation buffer (32 KiB by default) for the life of the
        // response: for a long-lived stream that is most of its memory. SseStream hands the output one
        // array per drain, so a small buffer only changes which writes are copied before the flush.
        resp.setBufferSize(STREAM_BUFFER_BYTES);
        async.setTimeout(0); // no container cut-off: heartbeats find dead peers, close() ends streams
        String id = server.hub().epoch() + "-" + Long.toString(CONNECTIONS.incrementAndGet(), 36);
        SseStream stream = new SseStream(id, resp.getOutputStream(), async::complete, server.dispatch(),
                server.queueBytes(), server.metrics(), server.streams());
        // Both views are SSE on the wire: one transport for runnel_streams and the console.
        Runnable forget = server.openStreams().opened(stream, server.clients().of((HttpServletRequest) async.getRequest()),
                "sse", topics, lastEventId);
        stream.onClose(() -> {
            permit.run();
            forget.run();
        });
        async.addListener(new StreamAsyncListener(stream));
        endAtDeadlines(stream, grants, server);
        if (view == null) {
            // The connected event follows from the stream itself, once the hub says where it joins.
            stream.openWith(ControlFrames.retry(server.jitteredRetryMillis()));
        } else {
            stream.renderWith(view); // its headers leave with its first write, or alone if nothing is queued
        }
        try {
            stream.subscribe(server.hub(), topics, lastEventId);
        } catch (IllegalStateException | LogUnavailableException refused) {
            // The hub closed after the caller's checks, or its log could not be read. Nothing was
            // written yet: answer what those checks would have answered.
            if (!resp.isCommitted()) {
                resp.reset();
                ApiServlet.send(resp, refused instanceof LogUnavailableException
                        ? Refusals.logUnavailable(refused.getMessage()) : EventsServlet.shuttingDown());
            }
            stream.close(refused.getMessage());
        }
        return stream;
    }

    /** A stream (of any transport) ends when its token expires, and after its (jittered) maximum lifetime. */
    static void endAtDeadlines(EventStream stream, Grants grants, Server server) {
        long now = System.nanoTime();
        if (grants != null && grants.expiresMillis() != Long.MAX_VALUE) {
            long untilExpiry = Math.max(0, grants.expiresMillis() - System.currentTimeMillis());
            stream.endAt(now + TimeUnit.MILLISECONDS.toNanos(untilExpiry));
        }
        long lifetime = server.jitteredLifetimeNanos();
        if (lifetime > 0) {
            stream.endAt(now + lifetime);
        }
    }

    /**
     * The client's cursor: the {@code Last-Event-ID} header (what {@code EventSource} sends when it
     * reconnects) or, when absent, the {@code last_event_id} query parameter (for a first connect);
     * null for none.
     */
    public static String lastEventId(HttpServletRequest req, Server server) {
        String id = req.getHeader("Last-Event-ID");
        String source = "Last-Event-ID";
        if (id == null || id.isEmpty()) {
            id = req.getParameter("last_event_id");
            source = "last_event_id (Last-Event-ID)";
        }
        return checkCursor(id, source, server.maxLastEventIdLength());
    }

    /**
     * A client's cursor as given ({@code Last-Event-ID}, {@code last_event_id}, a WebSocket
     * {@code lastEventId}, a poll's {@code cursor}): null when absent or empty; 400 when longer than
     * {@code max} or not printable ASCII. Named {@code source} in the refusal.
     */
    static String checkCursor(String id, String source, int max) {
        if (id == null || id.isEmpty()) {
            return null;
        }
        if (id.length() > max) {
            throw HttpError.badRequest(source + ": " + id.length() + " characters (expected: at most " + max
                    + ", runnel.subscribe.maxLastEventIdLength)");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            // Ids are ASCII this server sent; anything else is not a cursor but an attempt at one.
            if (ControlCharacters.is(c) || c > 0x7f) {
                throw HttpError.badRequest(source + ": character " + ControlCharacters.name(c) + " at index " + i
                        + " (expected: an id this server sent, printable ASCII)");
            }
        }
        return id;
    }
}
