package dev.runnel.feed;

import com.google.gson.JsonObject;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import dev.runnel.hub.Receipt;
import java.util.concurrent.CompletionStage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The typewriter demo: each run types a short poem onto its own finite topic {@code demo/poem/<run>},
 * first a {@code ping} event, then {@code message} events of 1 to 3 characters, one per interval; the
 * last one ends the topic, so the stream completes and a reconnect gets {@code 204}.
 * <pre>
 * event: ping
 * data: {"run":"k2j4…","title":"Who Has Seen the Wind?","author":"Christina Rossetti"}
 *
 * event: message
 * data: {"id":0,"content":"Wh","time":"2025-06-01T12:00:00.300Z"}
 * </pre>
 * Because a browser reconnects to the URL it started with, the feed remembers which run each
 * published event id belongs to ({@link #topicOf}), for the most recent runs. At most
 * {@code maxRunning} runs type at once, {@code perOwner} of them for one owner (the web layer passes
 * the client address).
 *
 * <p>Threading: thread-safe; chunks are published by the scheduler.
 */
public final class PoemFeed implements AutoCloseable {
    public static final String TOPIC_PREFIX = "demo/poem/";
    public static final String TITLE = "Who Has Seen the Wind?";
    public static final String AUTHOR = "Christina Rossetti";
    /** Christina Rossetti, from "Sing-Song" (1872); in the public domain. */
    public static final String POEM = """
            Who has seen the wind?
            Neither I nor you:
            But when the leaves hang trembling,
            The wind is passing through.

            Who has seen the wind?
            Neither you nor I:
            But when the trees bow down their heads,
            The wind is passing by.
            """.strip();
    /** The most events a run publishes: its {@code ping} and at worst one chunk per character. */
    public static final int EVENTS = POEM.length() + 1;
    private static final int REMEMBERED_IDS = 50_000;

    private final Hub hub;
    private final ScheduledExecutorService scheduler;
    private final long periodNanos;
    private final Random random;
    private final Object lock = new Object();
    private final Map<String, String> topicById = new LinkedHashMap<>(16, 0.75f, false) { // guarded by lock
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_IDS;
        }
    };
    private final int maxRunning;
    private final int perOwner;
    private final Map<String, Run> runs = new LinkedHashMap<>(); // guarded by lock, by topic
    private final Map<String, Integer> runsByOwner = new HashMap<>(); // guarded by lock
    private boolean closed; // guarded by lock

    private record Run(String owner, ScheduledFuture<?> future) {}

    public PoemFeed(Hub hub, ScheduledExecutorService scheduler, Duration interval, Random random, int maxRunning,
            int perOwner) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("runnel.poem.interval: " + interval.toMillis() + "ms (expected: > 0)");
        }
        if (maxRunning < 1) {
            throw new IllegalArgumentException("runnel.poem.maxRunning: " + maxRunning + " (expected: >= 1)");
        }
        if (perOwner < 1) {
            throw new IllegalArgumentException("runnel.poem.perAddress: " + perOwner + " (expected: >= 1)");
        }
        this.maxRunning = maxRunning;
        this.perOwner = perOwner;
        this.hub = hub;
        this.scheduler = scheduler;
        this.periodNanos = interval.toNanos();
        this.random = random;
    }

    /**
     * Starts a run for {@code owner}: publishes its {@code ping} and schedules the poem. Returns the run's topic.
     *
     * @throws LimitReachedException {@code maxRunning} runs are typing already, or {@code perOwner} of the owner's
     */
    public String start(String owner) {
        String run = Ids.random();
        String topic = TOPIC_PREFIX + run;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the poem feed is shut down");
            }
            if (runs.size() >= maxRunning) {
                throw new LimitReachedException(runs.size() + " poems are being typed (limit " + maxRunning
                        + ", runnel.poem.maxRunning)", 5);
            }
            int owned = runsByOwner.getOrDefault(owner, 0);
            if (owned >= perOwner) {
                throw new LimitReachedException(owned + " of this client's poems are being typed (limit " + perOwner
                        + ", runnel.poem.perAddress)", 5);
            }
            JsonObject ping = new JsonObject();
            ping.addProperty("run", run);
            ping.addProperty("title", TITLE);
            ping.addProperty("author", AUTHOR);
            Typing typing = new Typing(topic);
            runs.put(topic, new Run(owner, scheduler.scheduleAtFixedRate(Guarded.run("poem " + run, typing),
                    periodNanos, periodNanos, TimeUnit.NANOSECONDS)));
            runsByOwner.merge(owner, 1, Integer::sum);
            publish(new Publication(topic, "ping", ping.toString(), null, false));
        }
        return topic;
    }

    /** The topic of the run that published {@code eventId}, if it is a recent poem event. */
    public Optional<String> topicOf(String eventId) {
        synchronized (lock) {
            return Optional.ofNullable(eventId == null ? null : topicById.get(eventId));
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            runs.values().forEach(r -> r.future().cancel(false));
            runs.clear();
            runsByOwner.clear();
        }
    }

    /**
     * Guarded by lock. Publishes one of a run's events and remembers its id once logged; a run whose
     * event the hub refuses stops typing.
     */
    private void publish(Publication p) {
        CompletionStage<Receipt> answer = hub.publish(p);
        answer.thenAccept(receipt -> {
            if (receipt.isAccepted()) {
                synchronized (lock) {
                    topicById.put(receipt.id(), p.topic());
                }
            }
        });
        Refusals.onRefusal(answer, "poem " + p.topic(), receipt -> stop(p.topic()));
    }

    /** Ends a run's typing: its last chunk went out, or the hub refused one. */
    private void stop(String topic) {
        synchronized (lock) {
            Run ended = runs.remove(topic);
            if (ended != null) {
                ended.future().cancel(false);
                runsByOwner.computeIfPresent(ended.owner(), (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    /** Types one chunk per run; scheduler thread. */
    private final class Typing implements Runnable {
        private final String topic;
        private int at;
        private int index;

        Typing(String topic) {
            this.topic = topic;
        }

        @Override
        public void run() {
            int length;
            synchronized (random) {
                length = 1 + random.nextInt(3);
            }
            int end = Math.min(POEM.length(), at + length);
            boolean last = end == POEM.length();
            JsonObject data = new JsonObject();
            data.addProperty("id", index++);
            data.addProperty("content", POEM.substring(at, end));
            data.addProperty("time", Instant.now().toString());
            at = end;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                publish(new Publication(topic, "message", data.toString(), null, last));
                if (last) {
                    stop(topic);
                }
            }
        }
    }
}
