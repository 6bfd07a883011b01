package dev.runnel.web.ops;

import com.google.gson.JsonObject;
import dev.runnel.hub.Hub;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Instant;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * How this node describes itself in the admin console's list of nodes, the same card on its own
 * console and, through {@link NodeDirectory}, on the other nodes' consoles:
 * <pre>
 * {"id":"web-1-k3f9ab","version":"0.1.0","log":"redis","context":"/runnel","server":"jetty/12.1.12",
 *  "epoch":"k3f9","started":"2026-12-01T16:00:00Z","uptimeSeconds":42,"streams":{"poll":0,"sse":3,"ws":1},
 *  "subscriptions":5,"rates":{"published":12.0,"delivered":480.0},"tailLag":0,"heapUsed":31457280,
 *  "heapMax":4294967296,"threads":23}
 * </pre>
 * {@code tailLag} (events Redis holds beyond what this node's tail has read) is null without a shared
 * log; {@code context} and {@code server} are null until the container has said them. A few hundred
 * bytes whatever the load: counts, never lists.
 *
 * <p>Threading: {@link #describe} on the scheduler; the suppliers are read from there.
 */
public final class NodeCard {
    /** Where this node runs, as its container says it once started. */
    public record Where(String context, String server) {}

    /** What the card is made of. */
    public record Sources(String id, String version, String logKind, Hub hub, Instant started,
            LongSupplier uptimeMillis, Supplier<Map<String, Long>> streamsByTransport, LongSupplier tailLag,
            Supplier<Where> where) {}

    private final Sources s;

    public NodeCard(Sources sources) {
        this.s = sources;
    }

    /** This node's id, as the other nodes know it. */
    public String id() {
        return s.id();
    }

    /** The card now, with the publish and delivery rates the caller measured. */
    JsonObject describe(JsonObject rates) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Where where = s.where().get();
        JsonObject card = new JsonObject();
        card.addProperty("id", s.id());
        card.addProperty("version", s.version());
        card.addProperty("log", s.logKind());
        card.addProperty("context", where == null ? null : where.context());
        card.addProperty("server", where == null ? null : where.server());
        card.addProperty("epoch", s.hub().epoch());
        card.addProperty("started", s.started().toString());
        card.addProperty("uptimeSeconds", s.uptimeMillis().getAsLong() / 1000);
        JsonObject streams = new JsonObject();
        s.streamsByTransport().get().forEach(streams::addProperty);
        card.add("streams", streams);
        card.addProperty("subscriptions", s.hub().subscriptionCount());
        card.add("rates", rates);
        long lag = s.tailLag().getAsLong();
        card.addProperty("tailLag", lag < 0 ? null : lag);
        card.addProperty("heapUsed", heap.getUsed());
        card.addProperty("heapMax", heap.getMax() > 0 ? heap.getMax() : heap.getCommitted());
        card.addProperty("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        return card;
    }
}
