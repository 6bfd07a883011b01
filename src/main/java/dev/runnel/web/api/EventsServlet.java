package dev.runnel.web.api;

import dev.runnel.stream.ControlFrames;
import dev.runnel.stream.SseStream;
import dev.runnel.stream.StreamAsyncListener;
import dev.runnel.web.auth.Grants;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.ControlCharacters;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.limits.StreamLimits;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /events?topic=a&topic=b[&last_event_id=x]}: opens a Server-Sent Events stream.
 *
 * <p>On the wire, after the headers: {@code retry:} (jittered per connection), a {@code connected}
 * event, then the opening the hub chose (reset, snapshot or replay, id pin), then live events and
 * heartbeats. The cursor is the {@code Last-Event-ID} header (what {@code EventSource} sends when it
 * reconnects) or, when absent, the {@code last_event_id} query parameter (for a first connect).
 *
 * <p>Before a stream opens: the limits ({@link StreamLimits}: 429 per client address, as
 * {@code ClientAddress} tells it, 503 in all), then authorization for private topics
 * ({@link Access#subscriber}: 401, 403). {@code HEAD} runs the same checks without taking anything
 * (no permit, no ticket used, no subscription) and answers the status and headers alone. A stream opened with a
 * token ends when the token expires, and any stream after {@code runnel.stream.maxLifetime}
 * (jittered); the registry's sweep finishes it with a final {@code retry:} and the client resumes
 * with {@code Last-Event-ID}.
 *
 * <p>Threading: container threads; the stream itself takes over after {@code startAsync}.
 */
public final class EventsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final java.util.Set<String> PARAMETERS = java.util.Set.of("topic", "last_event_id", "ticket");
    static final int STREAM_BUFFER_BYTES = 4096;

    private final transient Server server;
    private final AtomicLong connections = new AtomicLong();

    public EventsServlet(Server server) {
        super("GET");
        this.server = server;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (server.isShuttingDown()) {
            throw shuttingDown();
        }
        requireEventStream(req);
        checkParameters(req);
        List<String> topics = topics(req);
        String lastEventId = lastEventId(req);
        String client = server.clients().of(req);
        boolean head = isHead(req);
        Runnable permit = head ? server.limits().check(client) : server.limits().acquire(client);
        boolean handedOver = false;
        try {
            Grants grants = head ? server.access().checkSubscriber(req, topics) : server.access().subscriber(req, topics);
            if (server.hub().isFinished(topics, lastEventId)) {
                // WHATWG: a 204 tells EventSource to stop reconnecting; the client has the whole finite topic.
                resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
                return;
            }
            if (head) {
                eventStreamHeaders(resp);
                return;
            }
            open(req, resp, topics, lastEventId, grants, permit);
            handedOver = true;
        } finally {
            if (!handedOver) {
                permit.run();
            }
        }
    }

    private void open(HttpServletRequest req, HttpServletResponse resp, List<String> topics, String lastEventId,
            Grants grants, Runnable permit) throws IOException {
        eventStreamHeaders(resp);
        // Jetty keeps the response's aggregation buffer (32 KiB by default) for the life of the
        // response: for a long-lived stream that is most of its memory. SseStream hands the output one
        // array per drain, so a small buffer only changes which writes are copied before the flush.
        resp.setBufferSize(STREAM_BUFFER_BYTES);
        AsyncContext async = req.startAsync();
        async.setTimeout(0); // no container cut-off: heartbeats find dead peers, close() ends streams
        String id = server.hub().epoch() + "-" + Long.toString(connections.incrementAndGet(), 36);
        SseStream stream = new SseStream(id, resp.getOutputStream(), async::complete, server.dispatch(),
                server.queueBytes(), server.metrics(), server.streams());
        stream.onClose(permit);
        async.addListener(new StreamAsyncListener(stream));
        long now = System.nanoTime();
        if (grants != null && grants.expiresMillis() != Long.MAX_VALUE) {
            long untilExpiry = Math.max(0, grants.expiresMillis() - System.currentTimeMillis());
            stream.endAt(now + TimeUnit.MILLISECONDS.toNanos(untilExpiry));
        }
        long lifetime = server.jitteredLifetimeNanos();
        if (lifetime > 0) {
            stream.endAt(now + lifetime);
        }
        stream.openWith(ControlFrames.retry(server.jitteredRetryMillis()));
        try {
            stream.subscribe(server.hub(), topics, lastEventId);
        } catch (IllegalStateException shutDown) {
            // The hub closed after the shutdown check above. Nothing was written yet (the stream
            // writes once the container calls it): answer what that check would have answered.
            resp.reset();
            send(resp, shuttingDown());
            stream.close("the server is shutting down");
        }
    }

    private static HttpError shuttingDown() {
        return new HttpError(503, "shutting-down", "the server is shutting down; reconnect in a few seconds")
                .withHeader("Retry-After", "5");
    }

    private List<String> topics(HttpServletRequest req) {
        String[] values = req.getParameterValues("topic");
        if (values == null || values.length == 0) {
            throw HttpError.badRequest("no topic: name one or more with ?topic=a&topic=b");
        }
        return TopicList.of(List.of(values), "topic", server.maxTopics());
    }

    private static void checkParameters(HttpServletRequest req) {
        for (String name : req.getParameterMap().keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw HttpError.badRequest("unknown query parameter \"" + name + "\" (expected: topic, last_event_id, ticket)");
            }
        }
        String[] tickets = req.getParameterValues("ticket");
        String[] ids = req.getParameterValues("last_event_id");
        if ((tickets != null && tickets.length > 1) || (ids != null && ids.length > 1)) {
            throw HttpError.badRequest("ticket and last_event_id may each be given once");
        }
    }

    private String lastEventId(HttpServletRequest req) {
        String id = req.getHeader("Last-Event-ID");
        String source = "Last-Event-ID";
        if (id == null || id.isEmpty()) {
            id = req.getParameter("last_event_id");
            source = "last_event_id (Last-Event-ID)";
        }
        if (id == null || id.isEmpty()) {
            return null;
        }
        int max = server.maxLastEventIdLength();
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
