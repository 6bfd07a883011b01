package dev.runnel.web;

import dev.runnel.chat.ChatGateway;
import dev.runnel.web.api.ChatServlet;
import dev.runnel.web.api.EventsServlet;
import dev.runnel.web.api.HealthServlet;
import dev.runnel.web.api.PollServlet;
import dev.runnel.web.api.PublishServlet;
import dev.runnel.web.api.StatsServlet;
import dev.runnel.web.api.TicketsServlet;
import dev.runnel.web.demo.DemoOffServlet;
import dev.runnel.web.http.CorsFilter;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.ErrorServlet;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.RequestGuardFilter;
import dev.runnel.web.openai.CompletionsServlet;
import dev.runnel.web.openai.ModelsServlet;
import dev.runnel.web.ops.AdminServlet;
import dev.runnel.web.ops.LogLine;
import dev.runnel.web.ops.MetricsServlet;
import dev.runnel.web.ops.RejectionsFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds Runnel when the web application starts (settings, hub, dispatcher, scheduler, servlets,
 * the rejections, CORS and request-guard filters, the bundled {@link Feeds}, the chat gateway of
 * {@link ChatConfig} with its endpoints) and takes it all down when it stops:
 * every feed stops, every stream is finished and every thread started here ends, so a redeploy leaves
 * nothing behind. Declared in {@code WEB-INF/web.xml}; embedded servers add it too. Once started, it
 * logs at INFO the settings that are not their defaults (secrets masked) and one line with the
 * version, the log's kind and the context:
 * <pre>
 * Runnel settings runnel.admin.secret=**** runnel.heartbeat=500ms
 * Runnel started version=0.1.0 log=memory context=/runnel server="jetty/12.1.12" epoch=k3f9 dispatchThreads=2 logSize=10000
 * </pre>
 *
 * <p>Threading: called by the container, once each.
 */
public final class RunnelListener implements ServletContextListener {
    private static final System.Logger LOG = System.getLogger(RunnelListener.class.getName());
    private static final String CHAT_ATTRIBUTE = ChatGateway.class.getName();

    @Override
    public void contextInitialized(ServletContextEvent sce) {
        ServletContext context = sce.getServletContext();
        Runnel runnel = new Runnel(Settings.of(context::getInitParameter));
        runnel.locate(context.getContextPath(), context.getServerInfo());
        ChatConfig chatConfig = runnel.chat();
        RunnelConfig config = runnel.config();
        context.setAttribute(Runnel.ATTRIBUTE, runnel);
        add(context, "events", new EventsServlet(runnel), "/events");
        add(context, "publish", new PublishServlet(runnel), "/publish");
        add(context, "stats", new StatsServlet(runnel), "/stats");
        add(context, "health", new HealthServlet(runnel), "/health", "/health/*");
        add(context, "error", new ErrorServlet(), "/error");
        add(context, "tickets", new TicketsServlet(runnel), "/tickets");
        add(context, "poll", new PollServlet(runnel), "/poll");
        webSocket(context, runnel);
        add(context, "metrics", new MetricsServlet(runnel.meters(), runnel.access(), runnel.metricsPublic()), "/metrics");
        add(context, "admin", new AdminServlet(runnel.access(), runnel.openStreams(), () -> about(runnel)),
                "/admin", "/admin/*");
        // Counting rejections around everything, so that every filter's refusals count; then CORS, so
        // that even the guard's refusals are readable by an allowed page.
        filter(context, "rejections", new RejectionsFilter(runnel.rejections(), runnel.happenings(), runnel.clients()));
        filter(context, "cors", new CorsFilter(runnel.security().corsOrigins()));
        filter(context, "request-guard", new RequestGuardFilter(runnel.security().maxHeaderBytes()));
        Feeds feeds;
        ChatGateway chat;
        try {
            feeds = Feeds.start(runnel);
            chat = chatConfig.start(runnel.hub(), runnel.scheduler(), runnel.runs(), runnel.nodeId());
        } catch (RuntimeException e) {
            runnel.close();
            throw e;
        }
        feeds.register(context);
        context.setAttribute(Feeds.ATTRIBUTE, feeds);
        context.setAttribute(CHAT_ATTRIBUTE, chat);
        registerChat(context, runnel, chat);
        LOG.log(Level.INFO, () -> {
            LogLine settings = LogLine.of("Runnel settings");
            runnel.settings().changed().forEach(settings::with);
            return settings.toString();
        });
        String epoch = runnel.hub().epoch();
        LOG.log(Level.INFO, () -> LogLine.of("Runnel started").with("version", runnel.version())
                .with("log", runnel.logKind()).with("context", context.getContextPath().isEmpty() ? "/" : context.getContextPath())
                .with("server", context.getServerInfo()).with("epoch", epoch != null ? epoch : "(not yet read from the shared log)")
                .with("dispatchThreads", config.dispatchThreads()).with("logSize", config.logSize()).toString());
    }

    /** What {@code GET /admin} tells about this instance. */
    private static Map<String, Object> about(Runnel runnel) {
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("node", runnel.nodeId());
        about.put("version", runnel.version());
        about.put("epoch", runnel.hub().epoch());
        about.put("log", runnel.logKind());
        return about;
    }

    /**
     * {@code /chat} and {@code /v1/chat/completions}: with an upstream, the product's endpoints, always
     * on and for credentials only; with the offline model, demos like the others (behind
     * {@code runnel.demos.enabled}, anonymous starts through the demo gate).
     */
    private static void registerChat(ServletContext context, Runnel runnel, ChatGateway chat) {
        boolean product = runnel.chat().needsCredential();
        add(context, "openai-models", new ModelsServlet(chat.modelName()), "/v1/models", "/v1/models/*");
        if (!product && !runnel.demos().enabled()) {
            add(context, "chat-off", new DemoOffServlet("the demos are off on this server (runnel.demos.enabled=false) "
                    + "and no runnel.chat.upstream.url is set"), "/chat", "/chat/*", "/v1/chat/completions",
                    "/v1/chat/completions/*");
            return;
        }
        int cost = runnel.demos().chatEvents();
        ChatServlet.Admission admission = product ? (req, start) -> start.get()
                : (req, start) -> runnel.demoGate().admit(req, cost, client -> start.get());
        add(context, "chat", new ChatServlet(chat, runnel, product, admission), "/chat", "/chat/*");
        add(context, "openai-completions", new CompletionsServlet(chat, runnel, product, admission),
                "/v1/chat/completions", "/v1/chat/completions/*");
    }

    @Override
    public void contextDestroyed(ServletContextEvent sce) {
        if (sce.getServletContext().getAttribute(Feeds.ATTRIBUTE) instanceof Feeds feeds) {
            feeds.close();
            sce.getServletContext().removeAttribute(Feeds.ATTRIBUTE);
        }
        if (sce.getServletContext().getAttribute(CHAT_ATTRIBUTE) instanceof ChatGateway chat) {
            chat.close(); // running answers end; the upstream's client stops its threads
            sce.getServletContext().removeAttribute(CHAT_ATTRIBUTE);
        }
        Object runnel = sce.getServletContext().getAttribute(Runnel.ATTRIBUTE);
        if (runnel instanceof Runnel r) {
            r.close();
            sce.getServletContext().removeAttribute(Runnel.ATTRIBUTE);
            LOG.log(Level.INFO, "Runnel stopped");
        }
    }

    /**
     * {@code /ws} where the container offers Jakarta WebSocket; elsewhere a JSON 404 that says so, and
     * one line in the log: the other transports serve every client.
     */
    private static void webSocket(ServletContext context, Runnel runnel) {
        if (context.getAttribute(WebSocketSupport.CONTAINER_ATTRIBUTE) != null && WebSocketSupport.register(context, runnel)) {
            return;
        }
        LOG.log(Level.WARNING, "WebSocket transport off: this container offers no Jakarta WebSocket (no "
                + WebSocketSupport.CONTAINER_ATTRIBUTE + " attribute; on Jetty, enable the ee10-websocket-jakarta "
                + "module). /ws answers 404; /events and /poll serve every client.");
        add(context, "websocket", new ApiServlet("GET") {
            private static final long serialVersionUID = 1L;

            @Override
            protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) {
                throw new HttpError(404, "not-found", "this server's container offers no WebSocket: use /events "
                        + "(Server-Sent Events) or /poll (long-poll)");
            }
        }, "/ws");
    }

    private static void filter(ServletContext context, String name, Filter filter) {
        FilterRegistration.Dynamic registration = context.addFilter(name, filter);
        registration.setAsyncSupported(true); // /events goes async behind it
        registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    }

    static void add(ServletContext context, String name, HttpServlet servlet, String... paths) {
        ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
        registration.setAsyncSupported(true);
        registration.addMapping(paths);
    }
}
