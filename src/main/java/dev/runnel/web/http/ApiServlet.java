package dev.runnel.web.http;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Base of Runnel's HTTP endpoints: JSON answers and JSON errors {@code {"error": "...", "detail":
 * "..."}}, including for an unsupported method (405), so no client ever has to parse an HTML page.
 *
 * <p>{@code HEAD} is handled as {@code GET} (the container sends no body). An endpoint whose
 * {@code GET} does something — opens a stream, starts a run — asks {@link #isHead} and answers only
 * the headers and status the {@code GET} would get, doing nothing.
 *
 * <p>Threading: servlets are shared by container threads; subclasses keep no request state in fields.
 */
public abstract class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(ApiServlet.class.getName());
    protected static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /** The longest an asynchronous answer may take: past any hold-back and any round trip of Runnel's. */
    static final long ASYNC_ANSWER_MILLIS = 60_000;

    private final Set<String> methods;

    protected ApiServlet(String... methods) {
        this.methods = Set.of(methods);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        if (method.equals("OPTIONS")) {
            resp.setHeader("Allow", allow());
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (!methods.contains(method) && !(method.equals("HEAD") && methods.contains("GET"))) {
            send(resp, methodNotAllowed(method, allow()));
            return;
        }
        try {
            handle(method.equals("HEAD") ? "GET" : method, req, resp);
        } catch (HttpError e) {
            send(resp, e);
        } catch (RuntimeException e) {
            // A bug: answer in JSON like every other error, and say so loudly in the log.
            LOG.log(System.Logger.Level.ERROR, "internal error on " + method + " " + req.getRequestURI(), e);
            if (!resp.isCommitted() && !req.isAsyncStarted()) {
                resp.reset();
                sendError(resp, 500, "internal-error", "the server failed on this request; see its log");
            }
        }
    }

    protected abstract void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException;

    private String allow() {
        return String.join(", ", methods.stream().sorted().toList());
    }

    protected static void sendJson(HttpServletResponse resp, int status, Object body) throws IOException {
        byte[] bytes = GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    static void sendError(HttpServletResponse resp, int status, String error, String detail) throws IOException {
        sendError(resp, status, error, detail, null);
    }

    private static void sendError(HttpServletResponse resp, int status, String error, String detail, String reason)
            throws IOException {
        JsonObject body = new JsonObject();
        body.addProperty("error", error);
        body.addProperty("detail", detail);
        if (reason != null) {
            body.addProperty("reason", reason);
        }
        sendJson(resp, status, body);
    }

    /** Absent, {@code *}{@code /*}, {@code text/*} or {@code text/event-stream} (unless given q=0). */
    public static boolean acceptsEventStream(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            if (!type.equals("text/event-stream") && !type.equals("text/*") && !type.equals("*/*")) {
                continue;
            }
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].strip().toLowerCase(Locale.ROOT).replace(" ", "");
                if (param.matches("q=0(\\.0{0,3})?")) {
                    refused = true;
                }
            }
            if (!refused) {
                return true;
            }
        }
        return false;
    }

    /** Whether the request is a {@code HEAD} (which {@link #handle} sees as {@code GET}). */
    protected static boolean isHead(HttpServletRequest req) {
        return req.getMethod().equals("HEAD");
    }

    /**
     * The status and headers of an event stream: {@code 200}, UTF-8 {@code text/event-stream}, never
     * cached, never buffered by a proxy. Bytes, not a Writer: getWriter() without an explicit encoding
     * would be ISO-8859-1.
     */
    public static void eventStreamHeaders(HttpServletResponse resp) {
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("text/event-stream;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Accel-Buffering", "no");
    }

    /** 405 for {@code method}, with the {@code Allow} header listing {@code allowed}. */
    protected static HttpError methodNotAllowed(String method, String allowed) {
        return new HttpError(405, "method-not-allowed", method + " is not supported here (allowed: " + allowed + ")")
                .withHeader("Allow", allowed);
    }

    /** 406 unless the request's {@code Accept} allows {@code text/event-stream}. */
    protected static void requireEventStream(HttpServletRequest req) {
        String accept = req.getHeader("Accept");
        if (!acceptsEventStream(accept)) {
            throw new HttpError(406, "not-acceptable",
                    "this endpoint only produces text/event-stream (Accept was \"" + accept + "\")");
        }
    }

    /** What an endpoint sends once an asynchronous result has come; it may throw {@link HttpError}. */
    @FunctionalInterface
    protected interface Answer<T> {
        void send(HttpServletResponse resp, T result) throws IOException;
    }

    /**
     * Answers with {@code answer} when {@code result} completes, and holds no container thread meanwhile:
     * a result that is already there is answered at once, on this thread; otherwise the request goes
     * asynchronous and the answer is written on a container thread ({@link AsyncContext#start}), never
     * on the thread that completed the result. A result that never comes is answered {@code 503} after
     * {@value #ASYNC_ANSWER_MILLIS} ms (longer than anything Runnel lets a result take).
     */
    protected <T> void answerWhenDone(HttpServletRequest req, HttpServletResponse resp, CompletionStage<T> result,
            Answer<T> answer) throws IOException {
        CompletableFuture<T> future = result.toCompletableFuture();
        if (future.isDone() && !future.isCompletedExceptionally()) {
            answer.send(resp, future.join());
            return;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(ASYNC_ANSWER_MILLIS);
        AtomicBoolean answered = new AtomicBoolean();
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) throws IOException {
                if (answered.compareAndSet(false, true)) {
                    send((HttpServletResponse) async.getResponse(), new HttpError(503, "timeout",
                            "no answer within " + ASYNC_ANSWER_MILLIS + " ms").withHeader("Retry-After", "5"));
                    async.complete();
                }
            }

            @Override
            public void onError(AsyncEvent event) {
                answered.set(true); // the client went away; nothing to answer
            }

            @Override
            public void onComplete(AsyncEvent event) {
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        future.whenComplete((value, failure) -> {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            async.start(() -> {
                HttpServletResponse r = (HttpServletResponse) async.getResponse();
                try {
                    if (failure != null) {
                        LOG.log(System.Logger.Level.ERROR, "internal error on " + req.getMethod() + " "
                                + req.getRequestURI(), failure);
                        sendError(r, 500, "internal-error", "the server failed on this request; see its log");
                    } else {
                        try {
                            answer.send(r, value);
                        } catch (HttpError e) {
                            send(r, e);
                        }
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "the client went away before its answer: " + e);
                } finally {
                    async.complete();
                }
            });
        });
    }

    /** Answers {@code error} as JSON, with its headers. */
    public static void send(HttpServletResponse resp, HttpError error) throws IOException {
        error.headers().forEach(resp::setHeader);
        sendError(resp, error.status(), error.error(), error.detail(), error.reason());
    }
}
