package dev.runnel.web;

import dev.runnel.feed.ChatFeed;
import dev.runnel.feed.ChatModel;
import dev.runnel.feed.MarkovChain;
import dev.runnel.feed.MarkovChatModel;
import dev.runnel.feed.MetricsFeed;
import dev.runnel.feed.NotificationFeed;
import dev.runnel.feed.PoemFeed;
import dev.runnel.feed.StockFeed;
import dev.runnel.feed.TaskFeed;
import dev.runnel.web.demo.ChatServlet;
import dev.runnel.web.demo.NotificationsServlet;
import dev.runnel.web.demo.PoemServlet;
import dev.runnel.web.demo.TasksServlet;
import jakarta.servlet.ServletContext;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The bundled feeds and their endpoints: stock prices, tasks, notifications, chat, system metrics and
 * the typewriter poem. Reads the feeds' settings, starts the ticking feeds on Runnel's scheduler,
 * registers the servlets, and stops every feed on {@link #close} (before Runnel itself closes).
 *
 * <p>Threading: built and closed by {@link RunnelListener}.
 */
final class Feeds implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Feeds.class.getName());
    static final String ATTRIBUTE = Feeds.class.getName();

    private final Runnel runnel;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final TaskFeed tasks;
    private final ChatFeed chat;
    private final NotificationFeed notifications;
    private final PoemFeed poems;

    private Feeds(Runnel runnel) {
        this.runnel = runnel;
        Settings s = runnel.settings();
        Random random = new Random();
        if (s.bool("runnel.stocks.enabled", true)) {
            StockFeed stocks = new StockFeed(runnel.hub(),
                    s.list("runnel.stocks.symbols", String.join(",", StockFeed.DEFAULT_SYMBOLS)), random);
            started.add(stocks);
            stocks.start(runnel.scheduler(), s.duration("runnel.stocks.interval", Duration.ofSeconds(1)));
        }
        if (s.bool("runnel.metrics.enabled", true)) {
            MetricsFeed metrics = new MetricsFeed(runnel.hub(), new MetricsFeed.Sources(
                    () -> runnel.streams().size(), () -> runnel.hub().eventsPublished(),
                    () -> runnel.metrics().framesDelivered(), () -> runnel.metrics().evictions(),
                    runnel::uptimeMillis));
            started.add(metrics);
            metrics.start(runnel.scheduler(), s.duration("runnel.metrics.interval", Duration.ofSeconds(2)));
        }
        tasks = new TaskFeed(runnel.hub(), runnel.scheduler(), s.integer("runnel.tasks.maxRunning", 8, 1, 10_000));
        started.add(tasks);
        ChatModel model = new MarkovChatModel(MarkovChain.fromResource("/dev/runnel/feed/corpus.txt"),
                runnel.scheduler(), s.integer("runnel.chat.tokensPerSecond", 30, 1, 1000),
                s.integer("runnel.chat.maxTokens", 400, 1, 100_000), random);
        chat = new ChatFeed(runnel.hub(), model, s.integer("runnel.chat.maxRunning", 16, 1, 10_000));
        started.add(chat);
        notifications = new NotificationFeed(runnel.hub());
        poems = new PoemFeed(runnel.hub(), runnel.scheduler(), s.duration("runnel.poem.interval",
                Duration.ofMillis(300)), random);
        started.add(poems);
    }

    /**
     * Builds and starts the feeds. A wrong setting throws; whatever had started runs on Runnel's
     * scheduler, so closing Runnel stops it.
     */
    static Feeds start(Runnel runnel) {
        return new Feeds(runnel);
    }

    /** Registers the feed endpoints in {@code context}. */
    void register(ServletContext context) {
        long maxBody = runnel.config().publishMaxBytes();
        RunnelListener.add(context, "tasks", new TasksServlet(tasks, maxBody), "/tasks", "/tasks/*");
        RunnelListener.add(context, "chat", new ChatServlet(chat, maxBody), "/chat", "/chat/*");
        RunnelListener.add(context, "notifications", new NotificationsServlet(notifications, maxBody),
                "/notifications");
        RunnelListener.add(context, "poem", new PoemServlet(poems), "/demo/poem");
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
