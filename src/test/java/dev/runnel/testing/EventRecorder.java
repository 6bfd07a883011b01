package dev.runnel.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.runnel.protocol.SseEvent;
import dev.runnel.protocol.SseParser;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Reads one SSE response through jetty-client and the strict {@link SseParser}: events queue up for
 * {@link #next}, comments and retry values are kept, and the response's headers and end are
 * observable. Waits are bounded by timeouts; nothing sleeps.
 */
public final class EventRecorder implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
    private final List<Long> retries = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Response> headers = new CompletableFuture<>();
    private final CompletableFuture<Result> end = new CompletableFuture<>();
    private final SseParser parser;
    private final Request request;

    private EventRecorder(HttpClient client, URI uri, String lastEventId, String... extraHeaders) {
        parser = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                events.add(event);
            }

            @Override
            public void onRetry(long millis) {
                retries.add(millis);
            }

            @Override
            public void onComment(String text) {
                comments.add(text);
            }
        });
        request = client.newRequest(uri)
                .idleTimeout(60, TimeUnit.SECONDS)
                .headers(h -> {
                    h.put(HttpHeader.ACCEPT, "text/event-stream");
                    if (lastEventId != null) {
                        h.put("Last-Event-ID", lastEventId);
                    }
                    for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
                        h.put(extraHeaders[i], extraHeaders[i + 1]);
                    }
                })
                .onResponseHeaders(headers::complete)
                .onResponseContent((response, content) -> parser.feed(content));
        request.send(result -> {
            parser.end();
            headers.complete(result.getResponse());
            end.complete(result);
        });
    }

    public static EventRecorder open(HttpClient client, URI uri, String lastEventId) {
        return new EventRecorder(client, uri, lastEventId);
    }

    /** Opens with extra request headers given as name, value, name, value… */
    public static EventRecorder open(HttpClient client, URI uri, String lastEventId, String... headers) {
        return new EventRecorder(client, uri, lastEventId, headers);
    }

    /** The response, once its headers arrived (before any event: the server flushes them at once). */
    public Response response() {
        try {
            return headers.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("no response headers within " + TIMEOUT, e);
        }
    }

    public int status() {
        return response().getStatus();
    }

    public HttpFields responseHeaders() {
        return response().getHeaders();
    }

    /** The next event, waiting up to the default timeout. */
    public SseEvent next() {
        return next(TIMEOUT);
    }

    public SseEvent next(Duration timeout) {
        try {
            SseEvent e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                fail("no event within " + timeout + " (ended: " + end.isDone() + ")");
            }
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The next event, or null once the response has ended with nothing left to take; fails after
     * {@code timeout} with neither. Waits on the event queue in short slices so it notices the end.
     */
    public SseEvent nextOrEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                SseEvent e = events.poll(20, TimeUnit.MILLISECONDS);
                if (e != null) {
                    return e;
                }
                if (end.isDone() && events.isEmpty()) {
                    return null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return fail("neither an event nor the end within " + timeout);
    }

    /** The next {@code n} events. */
    public List<SseEvent> next(int n) {
        List<SseEvent> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(next());
        }
        return list;
    }

    /** Skips the {@code connected} event every stream opens with, and returns it. */
    public SseEvent connected() {
        SseEvent e = next();
        assertEquals("connected", e.event(), "first event");
        return e;
    }

    /** Waits for the next comment line (heartbeats are {@code keep-alive}). */
    public String nextComment(Duration timeout) {
        try {
            String c = comments.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (c == null) {
                fail("no comment within " + timeout);
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public List<Long> retries() {
        return retries;
    }

    /** The parser's last event ID: what a browser would send as {@code Last-Event-ID} on reconnect. */
    public String lastEventId() {
        return parser.lastEventId();
    }

    /** Waits for the server to end the response; returns the result. */
    public Result awaitEnd(Duration timeout) {
        try {
            return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the response did not end within " + timeout, e);
        }
    }

    public boolean isEnded() {
        return end.isDone();
    }

    /** Asserts that no further event arrives within {@code quiet}. */
    public void assertNoMoreEvents(Duration quiet) {
        try {
            SseEvent e = events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            assertNull(e, "unexpected event");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Events already received and not yet taken. */
    public List<SseEvent> drainReceived() {
        List<SseEvent> list = new ArrayList<>();
        events.drainTo(list);
        return list;
    }

    /** Drops the connection from the client's side. */
    public void abort() {
        request.abort(new Exception("test aborts the stream"));
        awaitEnd(TIMEOUT);
    }

    @Override
    public void close() {
        if (!end.isDone()) {
            request.abort(new Exception("test is done with the stream"));
        }
    }
}
