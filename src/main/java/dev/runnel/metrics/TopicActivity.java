package dev.runnel.metrics;

import dev.runnel.hub.Hub;
import dev.runnel.hub.TopicKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What publishers do: events published by topic kind (for {@code runnel_events_published_total}) and,
 * for the admin console's busiest topics, per topic how many and the last one. Per-topic entries are
 * bounded ({@value #MAX_TOPICS}): when that many are tracked, a new topic is counted only by kind until
 * {@link #forgetIdle} has made room. Topic names never become metric labels.
 *
 * <p>Threading: thread-safe; {@link #published} is called by publishing threads and costs a map
 * lookup and an adder increment.
 */
public final class TopicActivity implements Hub.PublishListener {
    static final int MAX_TOPICS = 1000;

    private final LongAdder[] byKind = new LongAdder[TopicKind.values().length];
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();

    /** One topic's publishing so far. */
    public static final class Topic {
        private final String name;
        private final LongAdder events = new LongAdder();
        private volatile String lastId;
        private volatile long lastMillis;

        Topic(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public long events() {
            return events.sum();
        }

        public String lastId() {
            return lastId;
        }

        /** Wall-clock time of the last event, epoch milliseconds. */
        public long lastMillis() {
            return lastMillis;
        }
    }

    public TopicActivity() {
        for (int i = 0; i < byKind.length; i++) {
            byKind[i] = new LongAdder();
        }
    }

    @Override
    public void published(String name, String id, TopicKind kind) {
        byKind[kind.ordinal()].increment();
        Topic topic = topics.get(name);
        if (topic == null) {
            if (topics.size() >= MAX_TOPICS) {
                return;
            }
            topic = topics.computeIfAbsent(name, Topic::new);
        }
        topic.events.increment();
        topic.lastId = id;
        topic.lastMillis = System.currentTimeMillis();
    }

    public long published(TopicKind kind) {
        return byKind[kind.ordinal()].sum();
    }

    /** The tracked topics, in no order. */
    public List<Topic> topics() {
        return new ArrayList<>(topics.values());
    }

    /** Forgets the topics that published nothing since {@code beforeMillis} (wall clock). */
    public void forgetIdle(long beforeMillis) {
        for (Map.Entry<String, Topic> e : topics.entrySet()) {
            if (e.getValue().lastMillis < beforeMillis) {
                topics.remove(e.getKey(), e.getValue());
            }
        }
    }
}
