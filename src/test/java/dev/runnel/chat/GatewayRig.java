package dev.runnel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.hub.Hub;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.MemoryEventLog;
import dev.runnel.hub.StateLimits;
import dev.runnel.hub.Opening;
import dev.runnel.hub.Subscriber;
import dev.runnel.hub.TopicKinds;
import dev.runnel.protocol.SseEvent;
import dev.runnel.protocol.SseParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A hub, a scheduler and a {@link ChatGateway} over a given model, with readers that parse what the
 * hub would put on the wire for an answer's topic.
 */
final class GatewayRig implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final ExecutorService dispatch = Executors.newSingleThreadExecutor();
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final Hub hub = new Hub(new MemoryEventLog(MemoryEventLog.Bounds.of(10_000, 3_600_000), StateLimits.NONE, dispatch),
            TopicKinds.of(List.of(), List.of("chat/")));
    final ChatGateway gateway;

    GatewayRig(java.util.function.Function<ScheduledExecutorService, ChatModel> model, ChatGateway.Limits limits,
            ChatGateway.Budget budget) {
        gateway = new ChatGateway(hub, model.apply(scheduler), scheduler, limits, null,
                new MemoryAnswerStore(1000, System::currentTimeMillis),
                new ChatGateway.History(20, 64 * 1024, Duration.ofHours(1), 1000), budget);
    }

    static ChatGateway.Limits limits(int maxRunning, Duration idle, Duration max) {
        return new ChatGateway.Limits(maxRunning, 4096, 16 * 1024, idle, max, Duration.ofHours(1), Duration.ZERO);
    }

    /** Reads an answer's topic from its start, as a subscriber without a cursor would. */
    Reader read(String answerId) {
        return new Reader(hub, "chat/" + answerId);
    }

    @Override
    public void close() {
        gateway.close();
        hub.close();
        scheduler.shutdownNow();
        dispatch.shutdownNow();
    }

    /** The events of one topic, parsed from the frames the hub encoded. */
    static final class Reader implements Subscriber {
        private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
        private final CountDownLatch ended = new CountDownLatch(1);
        private final SseParser parser = new SseParser(events::add);

        Reader(Hub hub, String topic) {
            hub.subscribe(List.of(topic), null, this);
        }

        @Override
        public synchronized void open(Opening opening) {
            opening.events().forEach(e -> parser.feed(e.frame()));
            if (opening.ended()) {
                ended.countDown();
            }
        }

        @Override
        public synchronized boolean offer(LoggedEvent event) {
            parser.feed(event.frame());
            return true;
        }

        @Override
        public void end() {
            ended.countDown();
        }

        @Override
        public void close(String reason) {
            fail("the hub closed a reader: " + reason);
        }

        SseEvent next() {
            try {
                SseEvent e = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (e == null) {
                    fail("no event within " + TIMEOUT);
                }
                return e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Every event up to and including the last one ({@code done} or {@code failed}). */
        List<SseEvent> toEnd() {
            List<SseEvent> all = new ArrayList<>();
            for (;;) {
                SseEvent e = next();
                all.add(e);
                if (e.event().equals("done") || e.event().equals("failed")) {
                    return all;
                }
            }
        }

        /** The text of the {@code token} events among {@code events}, each index once and in order. */
        static String text(List<SseEvent> events) {
            StringBuilder text = new StringBuilder();
            int index = 0;
            for (SseEvent e : events) {
                if (e.event().equals("token")) {
                    JsonObject data = json(e);
                    assertEquals(index++, data.get("index").getAsInt(), "tokens once each, in order");
                    text.append(data.get("text").getAsString());
                }
            }
            return text.toString();
        }

        static SseEvent last(List<SseEvent> events) {
            return events.get(events.size() - 1);
        }
    }

    static JsonObject json(SseEvent e) {
        return JsonParser.parseString(e.data()).getAsJsonObject();
    }
}
