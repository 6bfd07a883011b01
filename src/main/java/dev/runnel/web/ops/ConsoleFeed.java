package dev.runnel.web.ops;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.runnel.hub.EventLog;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import dev.runnel.metrics.Rejections;
import dev.runnel.metrics.TopicActivity;
import dev.runnel.stream.StreamMetrics;
import dev.runnel.web.auth.Access;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The admin console's feed, over Runnel itself: once a second, while at least one stream watches
 * {@value #TOPIC}, one {@code sample} event with the node, the open streams, the busiest topics, the
 * evictions and rejections since the last sample, the publish and delivery rates and the log's fill.
 * <pre>
 * event: sample
 * data: {"time":…,"nodes":[{"id":"4242@host","self":true,"version":"0.1.0",…}],"rates":{"published":12.0,
 *        "delivered":480.0},"log":{…},"streams":{"open":3,"shown":[…]},"topics":[…],"happenings":{…}}
 * </pre>
 * Its cost is bounded whatever the load: one sample a second (sampled counters, not a line per event),
 * at most {@value #MAX_STREAMS} streams, {@value #MAX_TOPICS} topics and {@value #MAX_HAPPENINGS}
 * happenings per sample (with the number of those left out). Nobody watching, nothing is published,
 * so the log is not filled with samples nobody reads. The topic is reserved ({@link Access#ADMIN_TOPICS}):
 * only an admin credential, or a ticket one issued, subscribes; nobody publishes there over HTTP.
 *
 * <p>Threading: {@link #tick} runs on Runnel's scheduler, one at a time.
 */
public final class ConsoleFeed {
    public static final String TOPIC = Access.ADMIN_TOPICS + "console";
    public static final String EVENT = "sample";
    static final int MAX_STREAMS = 100;
    static final int MAX_TOPICS = 10;
    static final int MAX_HAPPENINGS = 20;
    private static final int MAX_TOPICS_PER_STREAM = 8;
    private static final long FORGET_TOPICS_AFTER_MILLIS = TimeUnit.MINUTES.toMillis(10);
    private static final System.Logger LOG = System.getLogger(ConsoleFeed.class.getName());

    /** Where a sample comes from. */
    public record Sources(Hub hub, StreamMetrics streams, OpenStreams open, TopicActivity topics,
            Happenings happenings, Rejections rejections, Node node) {}

    /** This node as the console names it; several with a shared log. */
    public record Node(String version, String logKind, int logMaxEvents, long logMaxBytes,
            java.util.function.LongSupplier uptimeMillis, java.util.function.BooleanSupplier shuttingDown) {}

    private final Sources s;
    private final String nodeId = ManagementFactory.getRuntimeMXBean().getName();
    // Scheduler thread only.
    private long lastNanos = System.nanoTime();
    private long lastPublished;
    private long lastDelivered;
    private long lastHappening;
    private Map<String, Long> lastTopicEvents = new HashMap<>();

    public ConsoleFeed(Sources sources) {
        this.s = sources;
    }

    /** Samples, and publishes the sample when someone watches. Scheduler thread. */
    public void tick() {
        if (s.node().shuttingDown().getAsBoolean()) {
            return;
        }
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        long published = s.hub().eventsPublished();
        long delivered = s.streams().framesDelivered();
        Map<String, Double> topicRates = topicRates(seconds);
        List<OpenStreams.Entry> open = s.open().snapshot();
        JsonObject rates = new JsonObject();
        rates.addProperty("published", round1((published - lastPublished) / seconds));
        rates.addProperty("delivered", round1((delivered - lastDelivered) / seconds));
        lastNanos = now;
        lastPublished = published;
        lastDelivered = delivered;
        if (open.stream().noneMatch(e -> e.stream().topics().contains(TOPIC))) {
            return;
        }
        JsonObject sample = new JsonObject();
        sample.addProperty("time", System.currentTimeMillis());
        sample.add("nodes", nodes(open.size()));
        sample.add("rates", rates);
        sample.add("log", log());
        sample.add("streams", streams(open, now));
        sample.add("topics", topics(open, topicRates));
        sample.add("happenings", happenings());
        try {
            s.hub().publish(new Publication(TOPIC, EVENT, sample.toString(), null, false));
        } catch (IllegalStateException e) {
            LOG.log(Level.DEBUG, () -> "console feed: the hub is shut down: " + e.getMessage());
        }
    }

    private JsonArray nodes(int openStreams) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        JsonObject node = new JsonObject();
        node.addProperty("id", nodeId);
        node.addProperty("self", true);
        node.addProperty("version", s.node().version());
        node.addProperty("epoch", s.hub().epoch());
        node.addProperty("log", s.node().logKind());
        node.addProperty("uptimeSeconds", s.node().uptimeMillis().getAsLong() / 1000);
        node.addProperty("streams", openStreams);
        node.addProperty("subscriptions", s.hub().subscriptionCount());
        node.addProperty("heapUsed", heap.getUsed());
        node.addProperty("heapMax", heap.getMax() > 0 ? heap.getMax() : heap.getCommitted());
        node.addProperty("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        JsonArray nodes = new JsonArray();
        nodes.add(node);
        return nodes;
    }

    private JsonObject log() {
        EventLog.Figures figures = s.hub().logFigures();
        JsonObject log = new JsonObject();
        log.addProperty("events", figures.events());
        log.addProperty("maxEvents", s.node().logMaxEvents());
        log.addProperty("bytes", figures.bytes());
        log.addProperty("maxBytes", s.node().logMaxBytes());
        return log;
    }

    /** The most queued first, then the oldest. */
    private JsonObject streams(List<OpenStreams.Entry> open, long now) {
        JsonArray shown = new JsonArray();
        open.stream().map(e -> Map.entry(e, e.stream().queuedBytes()))
                .sorted(Comparator.comparing((Map.Entry<OpenStreams.Entry, Long> e) -> e.getValue()).reversed()
                        .thenComparing(e -> e.getKey().openedNanos()))
                .limit(MAX_STREAMS)
                .forEach(e -> {
                    OpenStreams.Entry entry = e.getKey();
                    JsonObject row = new JsonObject();
                    row.addProperty("id", entry.stream().id());
                    row.addProperty("address", entry.address());
                    row.addProperty("transport", entry.transport());
                    List<String> topics = entry.stream().topics();
                    JsonArray names = new JsonArray();
                    topics.stream().limit(MAX_TOPICS_PER_STREAM).forEach(names::add);
                    row.add("topics", names);
                    row.addProperty("topicCount", topics.size());
                    row.addProperty("ageSeconds", round1(entry.ageNanos(now) / 1e9));
                    row.addProperty("queuedBytes", e.getValue());
                    row.addProperty("events", entry.stream().eventsSent());
                    shown.add(row);
                });
        JsonObject streams = new JsonObject();
        streams.addProperty("open", open.size());
        streams.add("shown", shown);
        return streams;
    }

    /** Events per second of each tracked topic since the last tick. */
    private Map<String, Double> topicRates(double seconds) {
        s.topics().forgetIdle(System.currentTimeMillis() - FORGET_TOPICS_AFTER_MILLIS);
        Map<String, Long> counts = new HashMap<>();
        Map<String, Double> rates = new HashMap<>();
        for (TopicActivity.Topic t : s.topics().topics()) {
            long events = t.events();
            counts.put(t.name(), events);
            rates.put(t.name(), (events - lastTopicEvents.getOrDefault(t.name(), events)) / seconds);
        }
        lastTopicEvents = counts;
        return rates;
    }

    /** The busiest topics: by events per second, then by subscribers; Runnel's own left out. */
    private JsonArray topics(List<OpenStreams.Entry> open, Map<String, Double> rates) {
        Map<String, Integer> subscribers = new HashMap<>();
        for (OpenStreams.Entry e : open) {
            for (String topic : e.stream().topics()) {
                subscribers.merge(topic, 1, Integer::sum);
            }
        }
        Map<String, TopicActivity.Topic> activity = new HashMap<>();
        s.topics().topics().forEach(t -> activity.put(t.name(), t));
        java.util.Set<String> names = new java.util.HashSet<>(subscribers.keySet());
        names.addAll(activity.keySet());
        JsonArray busiest = new JsonArray();
        names.stream().filter(n -> !n.startsWith(Access.ADMIN_TOPICS))
                .sorted(Comparator.comparing((String n) -> rates.getOrDefault(n, 0.0)).reversed()
                        .thenComparing(n -> -subscribers.getOrDefault(n, 0)).thenComparing(n -> n))
                .limit(MAX_TOPICS)
                .forEach(n -> {
                    JsonObject row = new JsonObject();
                    row.addProperty("topic", n);
                    row.addProperty("subscribers", subscribers.getOrDefault(n, 0));
                    row.addProperty("eventsPerSecond", round1(rates.getOrDefault(n, 0.0)));
                    TopicActivity.Topic t = activity.get(n);
                    if (t != null) {
                        row.addProperty("lastEventId", t.lastId());
                        row.addProperty("lastEventTime", t.lastMillis());
                    }
                    busiest.add(row);
                });
        return busiest;
    }

    /** The evictions and rejections since the last sample, the newest at most; and the totals. */
    private JsonObject happenings() {
        long last = s.happenings().last();
        List<Happenings.Happening> recent = s.happenings().after(lastHappening, MAX_HAPPENINGS);
        JsonArray list = new JsonArray();
        for (Happenings.Happening h : recent) {
            JsonObject row = new JsonObject();
            row.addProperty("time", h.timeMillis());
            row.addProperty("kind", h.kind());
            row.addProperty("reason", h.reason());
            row.addProperty("address", h.address());
            row.addProperty("what", h.what());
            if (h.detail() != null) {
                row.addProperty("detail", h.detail());
            }
            list.add(row);
        }
        JsonObject happenings = new JsonObject();
        happenings.add("recent", list);
        happenings.addProperty("leftOut", last - lastHappening - recent.size());
        happenings.addProperty("evictions", s.streams().evictions());
        happenings.addProperty("rejections", s.rejections().total());
        lastHappening = last;
        return happenings;
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
