package dev.runnel.web;

import dev.runnel.feed.MetricsFeed;
import dev.runnel.feed.NotificationFeed;
import dev.runnel.feed.PoemFeed;
import dev.runnel.feed.StockFeed;
import dev.runnel.feed.TaskFeed;
import dev.runnel.redis.Lease;
import dev.runnel.redis.RunRegistry;
import dev.runnel.web.demo.DemoOffServlet;
import dev.runnel.web.demo.DemoTokenServlet;
import dev.runnel.web.demo.DemosServlet;
import dev.runnel.web.demo.NotificationsServlet;
import dev.runnel.web.demo.OtherNodes;
import dev.runnel.web.demo.PoemServlet;
import dev.runnel.web.demo.TasksServlet;
import jakarta.servlet.ServletContext;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The bundled demos: the feeds (stock prices, tasks, notifications, system metrics, the typewriter
 * poem) and their endpoints, all behind the one switch {@code runnel.demos.enabled}. On,
 * the ticking feeds start on Runnel's scheduler and the endpoints are registered; off, nothing starts
 * and every demo path answers a JSON {@code 404} that says so. {@code GET /demos} tells the pages which.
 * Every feed stops on {@link #close} (before Runnel itself closes). The settings were read and checked
 * into {@link DemoConfig} before Runnel started any thread.
 *
 * <p>Threading: built and closed by {@link RunnelListener}.
 */
final class Feeds implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Feeds.class.getName());
    static final String ATTRIBUTE = Feeds.class.getName();
    private static final String[] DEMO_PATHS = {"/tasks", "/tasks/*", "/notifications", "/demo/*"};
    /** {@code /chat} with the offline model is a demo too; with an upstream it is the product ({@link ChatConfig}). */
    static final String[] CHAT_PATHS = {"/chat", "/chat/*"};

    private final Runnel runnel;
    private final DemoConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private TaskFeed tasks;
    private OtherNodes otherNodes = OtherNodes.NONE;
    private NotificationFeed notifications;
    private PoemFeed poems;

    private Feeds(Runnel runnel) {
        this.runnel = runnel;
        this.config = runnel.demos();
        if (!config.enabled()) {
            return;
        }
        Random random = new Random();
        if (config.stocks()) {
            StockFeed stocks = new StockFeed(runnel.hub(), config.stockSymbols(), random);
            started.add(stocks);
            Lease lease = runnel.lease("stocks");
            if (lease != null) {
                // One ticker for all the nodes of a Redis: on the node that holds its lease, and on the
                // next one when that node stops or dies.
                FeedLease ticker = new FeedLease(lease, "stocks", "the stock ticker",
                        runnel.config().redisLeaseTtl().toMillis());
                started.add(ticker);
                stocks.onlyWhile(ticker::held);
            }
            stocks.start(runnel.scheduler(), config.stocksInterval());
        }
        if (config.metrics()) {
            MetricsFeed metrics = new MetricsFeed(runnel.hub(), new MetricsFeed.Sources(
                    () -> runnel.streams().size(), () -> runnel.hub().eventsPublished(),
                    () -> runnel.metrics().framesDelivered(), () -> runnel.metrics().evictions(),
                    runnel::uptimeMillis), runnel.nodeId());
            started.add(metrics);
            metrics.start(runnel.scheduler(), config.metricsInterval());
        }
        tasks = new TaskFeed(runnel.hub(), runnel.scheduler(), config.tasks());
        started.add(tasks);
        RunRegistry runs = runnel.runs();
        if (runs != null) {
            // GET and DELETE /tasks/<id> on any node: each node registers its tasks in Redis.
            SharedTasks shared = new SharedTasks(runs, runnel.nodeId(), tasks);
            started.add(0, shared); // stops syncing before the tasks stop
            otherNodes = shared;
        }
        notifications = new NotificationFeed(runnel.hub());
        poems = new PoemFeed(runnel.hub(), runnel.scheduler(), config.poemInterval(), random, config.poemMaxRunning(),
                config.poemPerAddress());
        started.add(poems);
    }

    /**
     * Builds and starts the feeds. Whatever had started runs on Runnel's scheduler, so closing Runnel
     * stops it.
     */
    static Feeds start(Runnel runnel) {
        return new Feeds(runnel);
    }

    /** Registers {@code /demos} and the demo endpoints, or their refusals, in {@code context}. */
    void register(ServletContext context) {
        byte[] demoSecret = runnel.demoSecret();
        RunnelListener.add(context, "demos", new DemosServlet(new DemosServlet.Switches(config.enabled(),
                demoSecret != null, config.stocks(), config.metrics(), config.enabled())), "/demos");
        if (!config.enabled()) {
            RunnelListener.add(context, "demos-off",
                    new DemoOffServlet("the demos are off on this server (runnel.demos.enabled=false)"), DEMO_PATHS);
            return;
        }
        long maxBody = runnel.config().publishMaxBytes();
        RunnelListener.add(context, "tasks", new TasksServlet(tasks, runnel.demoGate(), maxBody, otherNodes), "/tasks", "/tasks/*");
        RunnelListener.add(context, "notifications", new NotificationsServlet(notifications, runnel.demoGate(),
                runnel.access(), runnel.publishRate(), maxBody), "/notifications");
        RunnelListener.add(context, "poem", new PoemServlet(poems, runnel.demoGate(), runnel.limits()), "/demo/poem");
        if (demoSecret != null) {
            SecurityConfig security = runnel.security();
            RunnelListener.add(context, "demo-token", new DemoTokenServlet(demoSecret, security.jwtIssuer(),
                    security.jwtAudience()), "/demo/token");
        } else {
            RunnelListener.add(context, "demo-token", new DemoOffServlet("demo tokens are off on this server "
                    + "(runnel.demo.tokens=false); sign in with a token of your own"), "/demo/token");
        }
    }

    @Override
    public void close() {
        for (AutoCloseable feed : started) {
            try {
                feed.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "a feed failed to stop cleanly: " + feed, e);
            }
        }
    }
}
