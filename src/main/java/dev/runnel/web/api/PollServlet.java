package dev.runnel.web.api;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.runnel.hub.EventEncoding;
import dev.runnel.hub.Hub;
import dev.runnel.hub.LogUnavailableException;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.Waiters;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /poll?topic=a[&topic=b…][&cursor=c][&timeout=25s][&ticket=t]}: long-poll, for clients that
 * cannot hold a stream open (buffering proxies, plain request tools).
 * <pre>
 * {"events": [{"topic": "news", "event": "headline", "id": "k3f9-1042", "data": "…"}, …],
 *  "cursor": "k3f9-1042", "reset": {"reason": "history-lost", "detail": "…"}, "ended": true}
 * </pre>
 * The events after {@code cursor} (or, without one or with one the log cannot honour, a
 * {@code reset} and the snapshot), as a stream with that cursor would open with, answered at once
 * when there are any; otherwise the request waits asynchronously (no container thread is held) until
 * the fan-out hands on an event of its topics, or {@code timeout} passes. The next poll passes the
 * returned {@code cursor}. {@code ended}: every topic is finite and has ended (a stream's 204).
 *
 * <p>A poll reads the log with {@link Hub#read} and waits with {@link Hub#awaitEvent}: it never
 * subscribes. Admission is a stream's: the limits by client address (a waiting poll holds a permit),
 * then the credentials for private topics (a ticket opens one poll). One answer carries about
 * {@code runnel.stream.queueBytes} of events; when there are more, it says so by coming back at
 * once with the next cursor.
 *
 * <p>Threading: container threads; a waiting poll is answered from a dispatcher thread, which hands
 * the answer back to a container thread ({@link AsyncContext#dispatch}) to write it; at shutdown,
 * when the servlets may already be gone, the dispatcher thread writes it itself.
 */
public final class PollServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(PollServlet.class.getName());
    private static final Set<String> PARAMETERS = Set.of("topic", "cursor", "timeout", "ticket");
    private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,9})(ms|s)?");
    static final long DEFAULT_TIMEOUT_MILLIS = 25_000;
    /** The container's own cut-off, only a safety net behind the poll's own timer. */
    private static final long CONTAINER_MARGIN_MILLIS = 10_000;
    private static final String ANSWER = PollServlet.class.getName() + ".answer";

    /** One event as a poll carries it, made once per event and shared by every poll that carries it. */
    static final EventEncoding<String> ENTRY = EventEncoding.of("poll", e -> {
        JsonObject o = new JsonObject();
        o.addProperty("topic", e.topic());
        o.addProperty("event", e.event() == null ? "message" : e.event());
        o.addProperty("id", e.id());
        o.addProperty("data", e.data());
        return o.toString();
    });

    private final transient Server server;

    public PollServlet(Server server) {
        super("GET");
        this.server = server;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getDispatcherType() == DispatcherType.ASYNC && req.getAttribute(ANSWER) instanceof byte[] answer) {
            write(resp, answer);
            return;
        }
        if (server.isShuttingDown() || server.hub().isClosed()) {
            throw EventsServlet.shuttingDown();
        }
        if (!server.hub().available()) {
            throw Refusals.logUnavailable("this node cannot reach its log now; poll again in a few seconds");
        }
        checkParameters(req);
        String[] values = req.getParameterValues("topic");
        if (values == null || values.length == 0) {
            throw HttpError.badRequest("no topic: name one or more with ?topic=a&topic=b");
        }
        List<String> topics = TopicList.of(List.of(values), "topic", server.maxTopics());
        String cursor = EventStreams.checkCursor(req.getParameter("cursor"), "cursor", server.maxLastEventIdLength());
        long timeout = timeoutMillis(req.getParameter("timeout"));
        String client = server.clients().of(req);
        if (isHead(req)) {
            server.limits().check(client);
            server.access().checkSubscriber(req, topics);
            resp.setContentType("application/json;charset=UTF-8");
            resp.setHeader("Cache-Control", "no-store");
            return;
        }
        Runnable permit = server.limits().acquire(client);
        boolean handedOver = false;
        try {
            server.access().subscriber(req, topics);
            Hub hub = server.hub();
            if (EventsServlet.finished(server, topics, cursor)) {
                write(resp, encode(new Hub.Read(null, null, List.of(), cursor, true, false)));
                return;
            }
            Hub.Read read;
            try {
                read = hub.read(topics, cursor, server.queueBytes());
            } catch (LogUnavailableException e) {
                throw Refusals.logUnavailable(e.getMessage());
            }
            if (answersNow(read) || timeout == 0) {
                write(resp, encode(read));
                return;
            }
            new Waiting(req.startAsync(), topics, cursor, timeout, permit).start();
            handedOver = true;
        } finally {
            if (!handedOver) {
                permit.run();
            }
        }
    }

    private static boolean answersNow(Hub.Read read) {
        return !read.events().isEmpty() || read.resetReason() != null || read.ended();
    }

    /** One poll waiting for an event: answered once, by the first of a wake, its timer, or the container. */
    private final class Waiting implements AsyncListener {
        private final AsyncContext async;
        private final List<String> topics;
        private final String cursor;
        private final long timeoutMillis;
        private final Runnable permit;
        private final AtomicBoolean answered = new AtomicBoolean();
        private volatile Waiters.Waiter waiter;
        private volatile ScheduledFuture<?> timer;

        Waiting(AsyncContext async, List<String> topics, String cursor, long timeoutMillis, Runnable permit) {
            this.async = async;
            this.topics = topics;
            this.cursor = cursor;
            this.timeoutMillis = timeoutMillis;
            this.permit = permit;
        }

        void start() {
            async.setTimeout(timeoutMillis + CONTAINER_MARGIN_MILLIS);
            async.addListener(this);
            waiter = server.hub().awaitEvent(topics, () -> server.dispatch().execute(this::answer));
            timer = server.scheduler().schedule(() -> server.dispatch().execute(this::answer), timeoutMillis,
                    TimeUnit.MILLISECONDS);
            // An event appended before the wait began and after the first read is in the log now; one
            // appended later is handed on after the waiter was registered, and wakes it.
            Hub.Read again;
            try {
                again = server.hub().read(topics, cursor, server.queueBytes());
            } catch (LogUnavailableException e) {
                return; // the log went away meanwhile: the timer answers, with the cursor as it was
            }
            if (answersNow(again)) {
                answer();
            }
        }

        /** Reads what there is now and hands it to a container thread to write. Once. */
        void answer() {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            stopWaiting();
            byte[] body;
            try {
                body = encode(server.hub().read(topics, cursor, server.queueBytes()));
            } catch (LogUnavailableException e) {
                // The shared log went away while the poll waited: nothing new, ask again with the same cursor.
                body = encode(new Hub.Read(null, null, List.of(), cursor, false, false));
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "poll: reading the log failed", e);
                body = null;
            }
            try {
                if (!server.isShuttingDown()) {
                    async.getRequest().setAttribute(ANSWER, body);
                    try {
                        async.dispatch();
                        return;
                    } catch (UnsupportedOperationException stopping) {
                        // Tomcat unloads the servlets before the listeners hear of the stop: no
                        // servlet is left to dispatch to, so write in place as at shutdown.
                        LOG.log(Level.DEBUG, () -> "poll: no dispatch while the application stops: " + stopping);
                    }
                }
                // The application is stopping: its servlets may be gone, so a dispatch would find
                // none. Write here (a small body, once, at shutdown) and complete.
                write((HttpServletResponse) async.getResponse(), body);
                async.complete();
            } catch (IllegalStateException | IOException gone) {
                // The container let the request go (a client that reset its HTTP/2 stream) and may not
                // call this listener again: the permit is given back here, as onComplete would.
                LOG.log(Level.DEBUG, () -> "poll: the request ended before its answer: " + gone);
                permit.run();
            }
        }

        private void stopWaiting() {
            Waiters.Waiter w = waiter;
            if (w != null) {
                w.cancel();
            }
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            answered.set(true);
            stopWaiting();
            permit.run();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            answer(); // the container's net, should the scheduler be late
        }

        @Override
        public void onError(AsyncEvent event) {
            answered.set(true);
            stopWaiting();
            permit.run();
            try {
                async.complete();
            } catch (IllegalStateException e) {
                LOG.log(Level.DEBUG, () -> "poll: already completed: " + e);
            }
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // started once
        }
    }

    private static void write(HttpServletResponse resp, byte[] body) throws IOException {
        if (body == null) {
            throw new IllegalStateException("the poll's answer could not be made; see the log");
        }
        resp.setStatus(200);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    /** The answer's JSON, with each event's entry as memoised ({@link #ENTRY}). */
    static byte[] encode(Hub.Read read) {
        StringBuilder json = new StringBuilder(64 + read.events().size() * 128);
        json.append("{\"events\":[");
        boolean first = true;
        for (LoggedEvent e : read.events()) {
            if (!first) {
                json.append(',');
            }
            json.append(e.encoded(ENTRY));
            first = false;
        }
        json.append(']');
        if (read.cursor() != null) {
            json.append(",\"cursor\":").append(new JsonPrimitive(read.cursor()));
        }
        if (read.resetReason() != null) {
            JsonObject reset = new JsonObject();
            reset.addProperty("reason", read.resetReason());
            if (read.resetDetail() != null) {
                reset.addProperty("detail", read.resetDetail());
            }
            json.append(",\"reset\":").append(reset);
        }
        if (read.ended()) {
            json.append(",\"ended\":true");
        }
        if (read.more()) {
            json.append(",\"more\":true");
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private long timeoutMillis(String value) {
        long max = server.pollMaxTimeoutMillis();
        if (value == null || value.isEmpty()) {
            return Math.min(DEFAULT_TIMEOUT_MILLIS, max);
        }
        Matcher m = TIMEOUT.matcher(value);
        if (!m.matches()) {
            throw HttpError.badRequest("timeout: \"" + value + "\" (expected: a duration such as 25s or 500ms)");
        }
        long n = Long.parseLong(m.group(1));
        long millis = "ms".equals(m.group(2)) ? n : n * 1000;
        if (millis > max) {
            throw HttpError.badRequest("timeout: " + value + " (expected: at most " + max + "ms, runnel.poll.maxTimeout)");
        }
        return millis;
    }

    private static void checkParameters(HttpServletRequest req) {
        for (String name : req.getParameterMap().keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw HttpError.badRequest("unknown query parameter \"" + name
                        + "\" (expected: topic, cursor, timeout, ticket)");
            }
        }
        for (String single : List.of("cursor", "timeout", "ticket")) {
            String[] values = req.getParameterValues(single);
            if (values != null && values.length > 1) {
                throw HttpError.badRequest(single + " may be given once");
            }
        }
    }
}
