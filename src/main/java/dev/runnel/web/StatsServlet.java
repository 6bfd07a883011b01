package dev.runnel.web;

import dev.runnel.hub.Hub;
import dev.runnel.stream.StreamMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /stats}: the hub and stream counters as JSON.
 *
 * <p>Threading: container threads; the counters are thread-safe.
 */
final class StatsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;

    private final transient Runnel runnel;

    StatsServlet(Runnel runnel) {
        super("GET");
        this.runnel = runnel;
    }

    @Override
    void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        sendJson(resp, 200, stats(runnel));
    }

    static Map<String, Object> stats(Runnel runnel) {
        Hub hub = runnel.hub();
        StreamMetrics m = runnel.metrics();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("epoch", hub.epoch());
        s.put("uptimeMillis", runnel.uptimeMillis());
        s.put("connections", runnel.streams().size());
        s.put("subscriptions", hub.subscriptionCount());
        s.put("topics", hub.topicCount());
        s.put("eventsPublished", hub.eventsPublished());
        s.put("framesDelivered", m.framesDelivered());
        s.put("writes", m.writes());
        s.put("bytesWritten", m.bytesWritten());
        s.put("evictions", m.evictions());
        s.put("heartbeats", m.heartbeats());
        s.put("streamsOpened", m.streamsOpened());
        s.put("streamsClosed", m.streamsClosed());
        s.put("logSize", hub.logSize());
        s.put("lastEventId", hub.headId());
        s.put("writeTimeouts", m.writeTimeouts());
        s.put("deadlines", m.deadlines());
        s.put("streamAddresses", runnel.limits().addresses());
        s.put("tickets", runnel.access().tickets().size());
        s.put("rateLimitedCredentials", runnel.publishRate().credentials());
        s.put("shuttingDown", runnel.isShuttingDown());
        return s;
    }
}
