package dev.runnel.web.api;

import dev.runnel.hub.LogUnavailableException;
import dev.runnel.web.auth.Grants;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.limits.StreamLimits;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

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
 * ({@link Access#subscriber}: 401, 403). While the log cannot be reached (a shared log's Redis), 503
 * with {@code Retry-After}. {@code HEAD} runs the same checks without taking anything
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

    private final transient Server server;

    public EventsServlet(Server server) {
        super("GET");
        this.server = server;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (server.isShuttingDown() || server.hub().isClosed()) {
            throw shuttingDown();
        }
        if (!server.hub().available()) {
            throw Refusals.logUnavailable("this node cannot reach its log now; reconnect in a few seconds");
        }
        requireEventStream(req);
        checkParameters(req);
        List<String> topics = topics(req);
        String lastEventId = EventStreams.lastEventId(req, server);
        String client = server.clients().of(req);
        boolean head = isHead(req);
        Runnable permit = head ? server.limits().check(client) : server.limits().acquire(client);
        boolean handedOver = false;
        try {
            Grants grants = head ? server.access().checkSubscriber(req, topics) : server.access().subscriber(req, topics);
            if (finished(server, topics, lastEventId)) {
                // WHATWG: a 204 tells EventSource to stop reconnecting; the client has the whole finite topic.
                resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
                return;
            }
            if (head) {
                eventStreamHeaders(resp);
                return;
            }
            EventStreams.open(server, req.startAsync(), topics, lastEventId, grants, permit, null);
            handedOver = true;
        } finally {
            if (!handedOver) {
                permit.run();
            }
        }
    }

    /** Whether the client has all of its finite topics ({@link dev.runnel.hub.Hub#isFinished}); may read a shared log. */
    public static boolean finished(Server server, List<String> topics, String lastEventId) {
        try {
            return server.hub().isFinished(topics, lastEventId);
        } catch (LogUnavailableException e) {
            throw Refusals.logUnavailable(e.getMessage());
        }
    }

    static HttpError shuttingDown() {
        return Refusals.shuttingDown("the server is shutting down; reconnect in a few seconds");
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
}
