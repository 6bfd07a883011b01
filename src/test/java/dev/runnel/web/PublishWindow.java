package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.testing.RunnelClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Publishes to {@code news} on one node without pause, {@code window} publishes in flight (each
 * answer sends the next), until closed or until one fails at the client (its node died): then it
 * sends no more. Data are {@code <name>-<n>}, unique; publish {@code n} carries the Idempotency-Key
 * {@code <name>-<n>} when {@code keyed} says so. Keeps the data and id of every {@code 200} and what
 * failed at the client; any other answer fails the test.
 *
 * <p>Threading: the HTTP client's threads send and record; the test thread waits on it.
 */
final class PublishWindow implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A publish that failed at the client: its data and its key (null: sent without one). */
    record Sent(String data, String key) {}

    final Map<String, String> accepted = new ConcurrentHashMap<>();
    final List<Sent> failed = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final RunnelClient node;
    private final String name;
    private final IntPredicate keyed;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Semaphore answers = new Semaphore(0);
    private volatile boolean sending = true;

    PublishWindow(RunnelClient node, String name, int window, IntPredicate keyed) {
        this.node = node;
        this.name = name;
        this.keyed = keyed;
        for (int i = 0; i < window; i++) {
            send();
        }
    }

    static String body(String data) {
        JsonObject body = new JsonObject();
        body.addProperty("topic", "news");
        body.addProperty("data", data);
        return body.toString();
    }

    private void send() {
        int n = next.getAndIncrement();
        String data = name + "-" + n;
        String key = keyed.test(n) ? data : null;
        Request request = node.httpClient().newRequest(node.uri("publish")).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", body(data), StandardCharsets.UTF_8))
                .timeout(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (key != null) {
            request.headers(h -> h.put("Idempotency-Key", key));
        }
        inFlight.incrementAndGet();
        new CompletableResponseListener(request).send().whenComplete((response, failure) -> {
            if (failure != null) {
                sending = false;
                failed.add(new Sent(data, key));
            } else if (response.getStatus() == 200) {
                accepted.put(data, JsonParser.parseString(response.getContentAsString()).getAsJsonObject()
                        .get("id").getAsString());
            } else {
                sending = false;
                refused.add(data + ": " + response.getStatus() + " " + response.getContentAsString());
            }
            if (sending) {
                send(); // before this one counts as answered: the window stays full
            }
            inFlight.decrementAndGet();
            answers.release();
        });
    }

    void awaitAccepted(int count) {
        await(() -> accepted.size() >= count, count + " accepted publishes");
    }

    /** Waits until nothing is in flight any more (after a failure, or {@link #close}). */
    void awaitSettled() {
        await(() -> !sending && inFlight.get() == 0, "every publish answered or failed");
    }

    private void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertEquals(List.of(), refused, name + ": only 200s or failures at the client");
            long left = deadline - System.nanoTime();
            assertTrue(left > 0, name + ": no " + what + " within " + WAIT + " (accepted " + accepted.size()
                    + ", failed " + failed.size() + ")");
            try {
                answers.tryAcquire(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertEquals(List.of(), refused, name + ": only 200s or failures at the client");
    }

    @Override
    public void close() {
        sending = false;
        awaitSettled();
    }
}
