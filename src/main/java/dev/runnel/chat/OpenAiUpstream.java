package dev.runnel.chat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.runnel.protocol.SseParser;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * A {@link ChatModel} that is any OpenAI-compatible server (OpenAI, Azure OpenAI, vLLM, Ollama,
 * llama.cpp's server, LiteLLM): {@code POST <url>/chat/completions} with {@code stream: true} and
 * {@code stream_options.include_usage}, the response read incrementally by {@link SseParser} and
 * {@link ChunkReader}.
 *
 * <p>Before the first piece of the answer arrives, {@code 429}, {@code 5xx}, {@code 529}, a dropped
 * connection and timeouts are tried again ({@code retries} times, with jittered exponential backoff,
 * or after the upstream's {@code retry-after} when it is at most {@code maxRetryAfter}); after it,
 * never, since the text already published cannot be taken back. What cannot be retried fails the
 * answer with a {@link Failure} that says why. {@link Generation#cancel} aborts the request: the
 * upstream sees its connection close and stops generating.
 *
 * <p>It runs on Jetty's {@link HttpClient} with threads of its own ({@code runnel-upstream-*}), which
 * {@link #close} stops and joins: on Java 17 the JDK's {@code java.net.http.HttpClient} cannot be
 * closed and its selector thread outlives an undeploy until the client is garbage collected.
 *
 * <p>Threading: thread-safe. One response's callbacks run one at a time on the client's threads;
 * timers on the scheduler only abort requests, and each call's state is guarded by the call itself.
 */
public final class OpenAiUpstream implements ChatModel {
    private static final System.Logger LOG = System.getLogger(OpenAiUpstream.class.getName());
    private static final int MAX_ERROR_BODY = 4096;

    private final UpstreamConfig config;
    private final ScheduledExecutorService scheduler;
    private final HttpClient client;

    private OpenAiUpstream(UpstreamConfig config, ScheduledExecutorService scheduler) {
        this.config = config;
        this.scheduler = scheduler;
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("runnel-upstream");
        threads.setDaemon(true);
        this.client = new HttpClient();
        client.setExecutor(threads);
        client.setScheduler(new ScheduledExecutorScheduler("runnel-upstream-timer", true));
        client.setConnectTimeout(config.connectTimeout().toMillis());
        client.setMaxConnectionsPerDestination(config.maxConcurrent());
        client.setMaxRequestsQueuedPerDestination(10_000);
        client.setFollowRedirects(false);
        client.setUserAgentField(null);
        // An upstream's 401 is the answer's failure to report, not a challenge for this client to meet.
        client.getProtocolHandlers().remove(WWWAuthenticationProtocolHandler.NAME);
        client.getProtocolHandlers().remove(ProxyAuthenticationProtocolHandler.NAME);
    }

    /** Builds the client and starts its threads. */
    public static OpenAiUpstream start(UpstreamConfig config, ScheduledExecutorService scheduler) {
        OpenAiUpstream upstream = new OpenAiUpstream(config, scheduler);
        try {
            upstream.client.start();
        } catch (Exception e) {
            upstream.close();
            throw new IllegalStateException("the upstream's HTTP client did not start: " + e, e);
        }
        LOG.log(Level.INFO, "chat answers are written by " + config);
        return upstream;
    }

    @Override
    public String name() {
        return config.model();
    }

    @Override
    public Generation generate(ChatModel.Prompt request, Sink sink) {
        Call call = new Call(body(request), sink);
        call.attempt();
        return call;
    }

    /** Stops the client and joins its threads; requests in flight are aborted. */
    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "the upstream's HTTP client did not stop cleanly", e);
        }
    }

    private String body(ChatModel.Prompt request) {
        JsonObject body = new JsonObject();
        body.addProperty("model", config.model());
        JsonArray messages = new JsonArray();
        for (ChatModel.Message m : request.messages()) {
            JsonObject message = new JsonObject();
            message.addProperty("role", m.role());
            message.addProperty("content", m.content());
            messages.add(message);
        }
        body.add("messages", messages);
        body.addProperty("max_tokens", request.maxTokens());
        body.addProperty("stream", true);
        JsonObject options = new JsonObject();
        options.addProperty("include_usage", true);
        body.add("stream_options", options);
        return body.toString();
    }

    /** No first piece of the answer within {@code firstTokenTimeout}. */
    private static final class FirstTokenTimeout extends TimeoutException {
        private static final long serialVersionUID = 1L;

        FirstTokenTimeout(long millis) {
            super("no answer within runnel.chat.upstream.firstTokenTimeout (" + millis + " ms)");
        }
    }

    /** One answer's request, tried again before its first token when that can help. */
    private final class Call implements Generation {
        private final String body;
        private final Sink sink;
        private int attempts;                  // guarded by this
        private boolean cancelled;             // guarded by this
        private Request current;               // guarded by this
        private ScheduledFuture<?> timer;      // guarded by this: the first-token timer or the retry
        private volatile ChunkReader reader;

        Call(String body, Sink sink) {
            this.body = body;
            this.sink = sink;
        }

        void attempt() {
            ChunkReader chunks = new ChunkReader(sink);
            SseParser parser = new SseParser(chunks);
            StringBuilder errorBody = new StringBuilder();
            Request r = client.newRequest(config.completions()).method(HttpMethod.POST)
                    .headers(h -> {
                        h.put(HttpHeader.ACCEPT, "text/event-stream");
                        if (config.apiKey() != null) {
                            h.put(HttpHeader.AUTHORIZATION, "Bearer " + config.apiKey());
                        }
                    })
                    .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8))
                    .idleTimeout(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .timeout(config.totalTimeout().toMillis(), TimeUnit.MILLISECONDS);
            r.onResponseContent((response, content) -> read(r, response, content, parser, errorBody));
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                attempts++;
                current = r;
                reader = chunks;
                long millis = config.firstTokenTimeout().toMillis();
                timer = scheduler.schedule(() -> {
                    if (chunks.pieces() == 0) {
                        r.abort(new FirstTokenTimeout(millis));
                    }
                }, millis, TimeUnit.MILLISECONDS);
            }
            r.send(result -> completed(result, chunks, parser, errorBody));
        }

        private void read(Request r, Response response, ByteBuffer content, SseParser parser, StringBuilder errorBody) {
            if (response.getStatus() != 200 || !isEventStream(response)) {
                if (errorBody.length() < MAX_ERROR_BODY) {
                    errorBody.append(StandardCharsets.UTF_8.decode(content));
                }
                return;
            }
            try {
                parser.feed(content);
            } catch (ChunkReader.BadChunk | ChunkReader.StreamError e) {
                r.abort(e);
            }
        }

        private void completed(Result result, ChunkReader chunks, SseParser parser, StringBuilder errorBody) {
            int attempt;
            synchronized (this) {
                if (timer != null) {
                    timer.cancel(false);
                }
                if (cancelled) {
                    return;
                }
                attempt = attempts;
            }
            Response response = result.getResponse();
            int status = response == null ? 0 : response.getStatus();
            Failure f;
            if (result.isFailed() && (status == 0 || status == 200)) {
                f = failure(result.getFailure(), status, chunks);
            } else if (status != 200) {
                f = Failure.ofStatus(status, retryAfter(response), "the upstream answered " + status + ": "
                        + errorDetail(errorBody));
            } else if (!isEventStream(response)) {
                f = new Failure(Failure.BAD_RESPONSE, status, -1, "the upstream answered "
                        + response.getHeaders().get(HttpHeader.CONTENT_TYPE) + ", not text/event-stream");
            } else {
                parser.end();
                if (chunks.done() || chunks.finishReason() != null) {
                    chunks.flushToolCalls();
                    sink.finished(chunks.finishReason() == null ? "stop" : chunks.finishReason(), chunks.usage());
                    return;
                }
                f = Failure.of(Failure.UPSTREAM_ERROR, "the upstream ended the response mid-answer (no [DONE])");
            }
            Failure failure = f;
            if (chunks.pieces() == 0 && failure.retryable() && attempt <= config.retries()
                    && failure.retryAfter() <= config.maxRetryAfter().toSeconds()) {
                long delay = failure.retryAfter() >= 0 ? TimeUnit.SECONDS.toMillis(failure.retryAfter())
                        : backoffMillis(attempt);
                LOG.log(Level.DEBUG, () -> "upstream attempt " + attempt + " failed (" + failure.detail()
                        + "); trying again in " + delay + " ms");
                synchronized (this) {
                    if (!cancelled) {
                        timer = scheduler.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
                    }
                }
                return;
            }
            sink.failed(failure);
        }

        private Failure failure(Throwable t, int status, ChunkReader chunks) {
            if (t instanceof ChunkReader.BadChunk) {
                return new Failure(Failure.BAD_RESPONSE, status, -1, "the upstream sent " + t.getMessage());
            }
            if (t instanceof ChunkReader.StreamError) {
                return new Failure(Failure.UPSTREAM_ERROR, status, -1, "the upstream reported: " + t.getMessage());
            }
            if (t instanceof FirstTokenTimeout) {
                return Failure.of(Failure.TIMEOUT, t.getMessage());
            }
            if (t instanceof TimeoutException) {
                return Failure.of(Failure.TIMEOUT, "the upstream " + (chunks.pieces() == 0 ? "did not answer" : "went "
                        + "silent") + " within runnel.chat.upstream.idleTimeout or totalTimeout: " + t.getMessage());
            }
            return Failure.of(Failure.UPSTREAM_ERROR, (chunks.pieces() == 0 ? "the connection to the upstream failed: "
                    : "the upstream's connection ended mid-answer: ") + t);
        }

        @Override
        public void cancel() {
            Request r;
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                cancelled = true;
                r = current;
                if (timer != null) {
                    timer.cancel(false);
                }
            }
            if (r != null) {
                r.abort(new CancellationException("the answer was stopped"));
            }
        }

        @Override
        public Usage usageSoFar() {
            ChunkReader chunks = reader;
            long completion = chunks == null ? 0 : chunks.pieces();
            long prompt = body.length() / 4; // the upstream never said; about four bytes a token
            return Usage.of(prompt, completion);
        }
    }

    private static boolean isEventStream(Response response) {
        String type = response.getHeaders().get(HttpHeader.CONTENT_TYPE);
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
    }

    /** {@code retry-after} in seconds (a number or an HTTP date), or -1. */
    static long retryAfter(Response response) {
        String value = response.getHeaders().get(HttpHeader.RETRY_AFTER);
        if (value == null || value.isBlank()) {
            return -1;
        }
        try {
            return Math.max(0, (long) Math.ceil(Double.parseDouble(value.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, at.toEpochSecond() - System.currentTimeMillis() / 1000);
            } catch (DateTimeParseException notADate) {
                return -1;
            }
        }
    }

    /** The upstream's own message ({@code {"error": {"message": …}}}) or the start of its body. */
    private static String errorDetail(StringBuilder body) {
        String text = body.toString();
        try {
            JsonObject json = com.google.gson.JsonParser.parseString(text).getAsJsonObject();
            if (json.has("error")) {
                var error = json.get("error");
                if (error.isJsonObject() && error.getAsJsonObject().has("message")) {
                    return ChunkReader.abbreviate(error.getAsJsonObject().get("message").getAsString());
                }
                return ChunkReader.abbreviate(error.toString());
            }
        } catch (RuntimeException notJson) {
            // fall through to the raw text
        }
        return text.isBlank() ? "(no body)" : ChunkReader.abbreviate(text);
    }

    private static long backoffMillis(int attempt) {
        long base = Math.min(8_000, 250L << Math.min(5, attempt - 1));
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }
}
