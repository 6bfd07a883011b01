package dev.runnel.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A scripted OpenAI-compatible server on embedded Jetty: {@code POST /v1/chat/completions} answers
 * with the next queued {@link Script} (or the default one), written by a real servlet on real
 * sockets — paced tokens, reasoning and tool-call deltas, the usage chunk, error statuses with
 * {@code retry-after}, a connection dropped mid-answer, a malformed chunk, silences. It records
 * every request it was sent and whether, and when, the client went away.
 *
 * <p>Threading: thread-safe; each request runs on a Jetty thread.
 */
public final class FakeUpstream implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final ConcurrentLinkedQueue<Script> scripts = new ConcurrentLinkedQueue<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Call> started = new LinkedBlockingQueue<>();
    private volatile Script fallback = script().content("Hello", " from", " upstream", ".").usage(7, 4).done();

    /** One request as the fake saw it. */
    public static final class Call {
        public final JsonObject body;
        public final String authorization;
        public final long startedNanos = System.nanoTime();
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile boolean clientGone;
        private volatile long clientGoneNanos;
        private volatile int chunksWritten;

        Call(JsonObject body, String authorization) {
            this.body = body;
            this.authorization = authorization;
        }

        /** Whether a write failed because the client had closed the connection. */
        public boolean clientGone() {
            return clientGone;
        }

        /** When ({@link System#nanoTime}) a write first found the client gone; 0 while it has not. */
        public long clientGoneNanos() {
            return clientGoneNanos;
        }

        public int chunksWritten() {
            return chunksWritten;
        }

        /** Waits until the fake is done with this request (it ended, or the client went away). */
        public boolean awaitEnd(Duration timeout) throws InterruptedException {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** What the fake answers to one request; built with {@link #script()}. */
    public static final class Script {
        private final List<Step> steps = new ArrayList<>();
        private int status = 200;
        private final Map<String, String> headers = new java.util.LinkedHashMap<>();
        private String errorBody;
        private Duration pace = Duration.ZERO;
        private int chunks;

        private interface Step {
            void run(Writer w) throws IOException, InterruptedException;
        }

        /** An error status with an OpenAI error body. */
        public Script status(int code, String message) {
            status = code;
            JsonObject error = new JsonObject();
            error.addProperty("message", message);
            error.addProperty("type", "fake_error");
            JsonObject body = new JsonObject();
            body.add("error", error);
            errorBody = body.toString();
            return this;
        }

        public Script header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** The time between two chunks. */
        public Script pace(Duration between) {
            pace = between;
            return this;
        }

        /** One content delta per piece, leading spaces intact. */
        public Script content(String... pieces) {
            for (String piece : pieces) {
                JsonObject delta = new JsonObject();
                delta.addProperty("content", piece);
                chunk(delta, null);
            }
            return this;
        }

        public Script reasoning(String... pieces) {
            for (String piece : pieces) {
                JsonObject delta = new JsonObject();
                delta.addProperty("reasoning_content", piece);
                chunk(delta, null);
            }
            return this;
        }

        /** A tool call in two pieces: the name with half the arguments, then the rest. */
        public Script toolCall(int index, String id, String name, String arguments) {
            int half = arguments.length() / 2;
            chunk(toolDelta(index, id, name, arguments.substring(0, half)), null);
            chunk(toolDelta(index, null, null, arguments.substring(half)), null);
            return this;
        }

        public Script finish(String reason) {
            chunk(new JsonObject(), reason);
            return this;
        }

        /** The usage chunk: {@code choices: []} and the counts. */
        public Script usage(int prompt, int completion) {
            JsonObject usage = new JsonObject();
            usage.addProperty("prompt_tokens", prompt);
            usage.addProperty("completion_tokens", completion);
            usage.addProperty("total_tokens", prompt + completion);
            JsonObject chunk = new JsonObject();
            chunk.addProperty("id", "chatcmpl-fake");
            chunk.addProperty("object", "chat.completion.chunk");
            chunk.add("choices", new JsonArray());
            chunk.add("usage", usage);
            return raw("data: " + chunk + "\n\n");
        }

        /** {@code finish_reason: stop} (unless one was given) and {@code data: [DONE]}. */
        public Script done() {
            boolean finished = steps.stream().anyMatch(s -> s instanceof Finish);
            if (!finished) {
                finish("stop");
            }
            return raw("data: [DONE]\n\n");
        }

        /** Bytes as they are. */
        public Script raw(String text) {
            steps.add(w -> w.write(text));
            return this;
        }

        /** Nothing for a while (the fake's thread waits; the connection stays open). */
        public Script silence(Duration d) {
            steps.add(w -> Thread.sleep(d.toMillis()));
            return this;
        }

        /** Waits until {@code latch} opens (or 60 s), saying nothing meanwhile. */
        public Script until(CountDownLatch latch) {
            steps.add(w -> latch.await(60, TimeUnit.SECONDS));
            return this;
        }

        /** Drops the connection without ending the response. */
        public Script drop() {
            steps.add(w -> {
                throw new DroppedOnPurpose();
            });
            return this;
        }

        /** Runs {@code action} at this point (to signal a test). */
        public Script then(Runnable action) {
            steps.add(w -> action.run());
            return this;
        }

        private record Finish(String reason, JsonObject chunk) implements Step {
            @Override
            public void run(Writer w) throws IOException {
                w.chunk(chunk);
            }
        }

        private void chunk(JsonObject delta, String finishReason) {
            JsonObject choice = new JsonObject();
            choice.addProperty("index", 0);
            choice.add("delta", delta);
            if (finishReason == null) {
                choice.add("finish_reason", com.google.gson.JsonNull.INSTANCE);
            } else {
                choice.addProperty("finish_reason", finishReason);
            }
            JsonArray choices = new JsonArray();
            choices.add(choice);
            JsonObject chunk = new JsonObject();
            chunk.addProperty("id", "chatcmpl-fake");
            chunk.addProperty("object", "chat.completion.chunk");
            chunk.addProperty("created", 1);
            chunk.addProperty("model", "fake");
            chunk.add("choices", choices);
            int n = chunks++;
            if (finishReason != null) {
                steps.add(new Finish(finishReason, chunk));
            } else {
                steps.add(w -> {
                    if (n > 0 && !pace.isZero()) {
                        Thread.sleep(pace.toMillis());
                    }
                    w.chunk(chunk);
                });
            }
        }

        private static JsonObject toolDelta(int index, String id, String name, String arguments) {
            JsonObject function = new JsonObject();
            if (name != null) {
                function.addProperty("name", name);
            }
            function.addProperty("arguments", arguments);
            JsonObject call = new JsonObject();
            call.addProperty("index", index);
            if (id != null) {
                call.addProperty("id", id);
                call.addProperty("type", "function");
            }
            call.add("function", function);
            JsonArray calls = new JsonArray();
            calls.add(call);
            JsonObject delta = new JsonObject();
            delta.add("tool_calls", calls);
            return delta;
        }
    }

    private static final class DroppedOnPurpose extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DroppedOnPurpose() {
            super("the fake upstream drops this connection", null, false, false);
        }
    }

    /** Writes one response and records its progress on the call. */
    private static final class Writer {
        final OutputStream out;
        final Call call;

        Writer(OutputStream out, Call call) {
            this.out = out;
            this.call = call;
        }

        void chunk(JsonObject chunk) throws IOException {
            write("data: " + chunk + "\n\n");
            call.chunksWritten++;
        }

        void write(String text) throws IOException {
            try {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                if (!call.clientGone) {
                    call.clientGoneNanos = System.nanoTime();
                }
                call.clientGone = true;
                throw e;
            }
        }
    }

    public static Script script() {
        return new Script();
    }

    private FakeUpstream() throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                serve(req, resp);
            }
        }), "/v1/chat/completions");
        server.setHandler(context);
        server.start();
    }

    public static FakeUpstream start() throws Exception {
        return new FakeUpstream();
    }

    /** The base URL, up to and including {@code /v1}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/v1");
    }

    /** The next request gets {@code script}; scripts queue up in order. */
    public FakeUpstream then(Script script) {
        scripts.add(script);
        return this;
    }

    /** What a request gets when no script is queued. */
    public void byDefault(Script script) {
        fallback = script;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The next request to arrive, waiting up to {@code timeout}. */
    public Call nextCall(Duration timeout) throws InterruptedException {
        Call c = started.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (c == null) {
            throw new AssertionError("no request reached the fake upstream within " + timeout);
        }
        return c;
    }

    private void serve(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        JsonObject body = JsonParser.parseString(new String(req.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8)).getAsJsonObject();
        Call call = new Call(body, req.getHeader("Authorization"));
        calls.add(call);
        started.add(call);
        Script script = scripts.poll();
        if (script == null) {
            script = fallback;
        }
        try {
            script.headers.forEach(resp::setHeader);
            if (script.status != 200) {
                resp.setStatus(script.status);
                resp.setContentType("application/json");
                resp.getOutputStream().write(script.errorBody.getBytes(StandardCharsets.UTF_8));
                return;
            }
            resp.setStatus(200);
            resp.setContentType("text/event-stream");
            resp.setHeader("Cache-Control", "no-cache");
            resp.flushBuffer();
            Writer w = new Writer(resp.getOutputStream(), call);
            for (Script.Step step : script.steps) {
                step.run(w);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException gone) {
            // the client went away: recorded on the call
        } finally {
            call.ended.countDown();
        }
    }

    /** Runs {@code check} on every recorded call. */
    public void forEachCall(Consumer<Call> check) {
        calls.forEach(check);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
