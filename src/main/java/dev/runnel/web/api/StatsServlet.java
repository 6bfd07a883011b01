package dev.runnel.web.api;

import dev.runnel.hub.EventLog;
import dev.runnel.hub.Hub;
import dev.runnel.hub.StateLimits;
import dev.runnel.stream.StreamMetrics;
import dev.runnel.web.http.ApiServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /stats}: the hub and stream counters as JSON. Needs the admin credential (401 or 403 in
 * JSON without it) unless {@code runnel.metrics.public} is on: it tells the heap, the threads and the
 * tickets outstanding, which is nobody else's business.
 *
 * <p>Threading: container threads; the counters are thread-safe.
 */
public final class StatsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;

    private final transient Server server;

    public StatsServlet(Server server) {
        super("GET");
        this.server = server;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!server.metricsPublic()) {
            server.access().admin(req);
        }
        sendJson(resp, 200, stats(server));
    }

    static Map<String, Object> stats(Server server) {
        Hub hub = server.hub();
        StreamMetrics m = server.metrics();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("epoch", hub.epoch());
        s.put("node", server.nodeId());
        s.put("uptimeMillis", server.uptimeMillis());
        s.put("connections", server.streams().size());
        s.put("subscriptions", hub.subscriptionCount());
        s.put("pollsWaiting", hub.waitingReaders());
        s.put("topics", hub.topicCount());
        s.put("eventsPublished", hub.eventsPublished());
        s.put("framesDelivered", m.framesDelivered());
        s.put("writes", m.writes());
        s.put("bytesWritten", m.bytesWritten());
        s.put("evictions", m.evictions());
        s.put("heartbeats", m.heartbeats());
        s.put("streamsOpened", m.streamsOpened());
        s.put("streamsClosed", m.streamsClosed());
        s.put("logSize", hub.logFigures().events());
        s.put("lastEventId", hub.headId());
        s.put("writeTimeouts", m.writeTimeouts());
        s.put("deadlines", m.deadlines());
        s.put("streamAddresses", server.limits().addresses());
        s.put("tickets", server.access().tickets().size());
        s.put("rateLimitedCredentials", server.publishRate().credentials());
        s.put("shuttingDown", server.isShuttingDown());
        s.put("ready", server.ready());
        s.put("fanOutBacklog", hub.fanOutBacklog());
        s.put("fanOutLagMillis", hub.fanOutLagMillis());
        s.put("heldPublishes", hub.heldPublishes());
        s.put("lateWritesPercent", hub.lateWriteShare());
        s.put("log", log(server));
        s.put("state", state(server));
        s.put("incidents", Map.of("fanOut", hub.fanOutIncidents(), "drain", m.drainIncidents()));
        return s;
    }

    /** The replay log: what it holds and its bounds. */
    private static Map<String, Object> log(Server server) {
        EventLog.Figures figures = server.hub().logFigures();
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("shared", server.sharedLog());
        log.put("events", figures.events());
        log.put("bytes", figures.bytes());
        log.put("maxEvents", server.logMaxEvents());
        log.put("maxBytes", server.logMaxBytes());
        log.put("maxAgeMillis", server.logMaxAgeMillis());
        return log;
    }

    /** State topics: what they hold and their bounds. */
    private static Map<String, Object> state(Server server) {
        StateLimits limits = server.stateLimits();
        EventLog.Figures figures = server.hub().logFigures();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("topics", figures.stateTopics());
        state.put("keys", figures.stateKeys());
        state.put("maxTopics", limits.maxTopics());
        state.put("maxKeysPerTopic", limits.maxKeysPerTopic());
        state.put("keyMaxAgeMillis", limits.keyMaxAgeMillis());
        return state;
    }
}
