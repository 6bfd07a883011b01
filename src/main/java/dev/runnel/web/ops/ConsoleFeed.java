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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The admin console's feed, over Runnel itself: once a second, while at least one stream watches
 * {@value #TOPIC}, one {@code sample} event with the node that sampled, the nodes, the open streams,
 * the busiest topics, the evictions and rejections since the last sample, the publish and delivery
 * rates and the log's fill.
 * <pre>
 * event: sample
 * data: {"time":…,"node":"web-1-k3f9ab","nodes":[{"id":"web-1-k3f9ab","self":true,"lastSeenSeconds":0,…},
 *        {"id":"web-2-77c1d0","lastSeenSeconds":0.6,…}],"nodesLeftOut":0,"rates":{"published":12.0,
 *        "delivered":480.0},"log":{…},"streams":{"open":3,"shown":[…]},"topics":[…],"happenings":{…}}
 * </pre>
 * {@code nodes} holds this node's {@link NodeCard} first, then the other nodes the {@link NodeDirectory}
 * knows (with a shared log, every node sharing it). Everything else is this node's own: with a shared
 * log the topic is shared too, and a console follows the samples of one {@code node}.
 *
 * <p>Its cost is bounded whatever the load: one sample a second (sampled counters, not a line per event),
 * at most {@value #MAX_STREAMS} streams, {@value #MAX_TOPICS} topics and {@value #MAX_HAPPENINGS}
 * happenings per sample (with the number of those left out), and as many nodes as the directory lists.
 * Nobody watching, nothing is published, so the log is not filled with samples nobody reads; the card
 * still goes to the directory every tick, for the consoles of the other nodes. The topic is reserved
 * ({@link Access#ADMIN_TOPICS}): only an admin credential, or a ticket one issued, subscribes; nobody
 * publishes there over HTTP.
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
            Happenings happenings, Rejections rejections, LogBounds log, NodeCard self, NodeDirectory nodes,
            BooleanSupplier shuttingDown) {}

    /** The log's bounds, for its fill. */
    public record LogBounds(int maxEvents, long maxBytes) {}

    private final Sources s;
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
        if (s.shuttingDown().getAsBoolean()) {
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
        boolean watched = open.stream().anyMatch(e -> e.stream().topics().contains(TOPIC));
        JsonObject card = s.self().describe(rates);
        s.nodes().offer(card, watched);
        if (!watched) {
            return;
        }
        JsonObject sample = new JsonObject();
        sample.addProperty("time", System.currentTimeMillis());
        sample.addProperty("node", s.self().id());
        NodeDirectory.Others others = s.nodes().others();
        sample.add("nodes", nodes(card, others));
        sample.addProperty("nodesLeftOut", others.leftOut());
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

    /** This node's card first, then the others'. */
    private static JsonArray nodes(JsonObject card, NodeDirectory.Others others) {
        JsonObject self = card.deepCopy();
        self.addProperty("self", true);
        self.addProperty("lastSeenSeconds", 0);
        JsonArray nodes = new JsonArray();
        nodes.add(self);
        others.nodes().forEach(nodes::add);
        return nodes;
    }

    private JsonObject log() {
        EventLog.Figures figures = s.hub().logFigures();
        JsonObject log = new JsonObject();
        log.addProperty("events", figures.events());
        log.addProperty("maxEvents", s.log().maxEvents());
        log.addProperty("bytes", figures.bytes());
        log.addProperty("maxBytes", s.log().maxBytes());
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
