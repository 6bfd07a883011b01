package dev.runnel.web;

import dev.runnel.feed.PoemFeed;
import dev.runnel.feed.StockFeed;
import dev.runnel.feed.TaskFeed;
import java.time.Duration;
import java.util.List;

/**
 * The keys of the bundled demos, with their defaults: the one switch {@code runnel.demos.enabled}, the
 * limits that keep anonymous demo traffic from flooding the log (a request rate per client address,
 * one budget of events for all of them, caps per feed), and each feed's own settings. Read and checked
 * before anything starts, like every other setting.
 *
 * @param enabled         {@code runnel.demos.enabled}: every demo endpoint and feed, or none
 * @param rate            demo requests per second per client address ({@code runnel.demos.rate}; 0 = no limit)
 * @param burst           and their burst ({@code runnel.demos.burst})
 * @param eventsPerMinute events all anonymous demo use may add to the log ({@code runnel.demos.eventsPerMinute};
 *                        0 = no budget); a start is charged the most its run can publish
 *
 * <p>Threading: immutable.
 */
record DemoConfig(
        boolean enabled,
        double rate,
        int burst,
        int eventsPerMinute,
        boolean stocks,
        List<String> stockSymbols,
        Duration stocksInterval,
        boolean metrics,
        Duration metricsInterval,
        TaskFeed.Limits tasks,
        int chatTokensPerSecond,
        int chatMaxTokens,
        int chatMaxRunning,
        Duration poemInterval,
        int poemMaxRunning,
        int poemPerAddress) {

    static DemoConfig from(Settings s) {
        boolean enabled = s.bool("runnel.demos.enabled", true);
        DemoConfig c = new DemoConfig(
                enabled,
                s.integer("runnel.demos.rate", 1, 0, 1_000_000),
                s.integer("runnel.demos.burst", 10, 1, 1_000_000),
                s.integer("runnel.demos.eventsPerMinute", 1200, 0, 100_000_000),
                enabled && s.bool("runnel.stocks.enabled", true),
                StockFeed.checkSymbols(s.list("runnel.stocks.symbols", String.join(",", StockFeed.DEFAULT_SYMBOLS))),
                s.duration("runnel.stocks.interval", Duration.ofSeconds(1)),
                enabled && s.bool("runnel.metrics.enabled", true),
                s.duration("runnel.metrics.interval", Duration.ofSeconds(2)),
                new TaskFeed.Limits(s.integer("runnel.tasks.maxRunning", 8, 1, 10_000),
                        s.integer("runnel.tasks.perAddress", 3, 1, 10_000),
                        s.integer("runnel.tasks.maxSteps", TaskFeed.MAX_STEPS, 1, TaskFeed.MAX_STEPS),
                        s.duration("runnel.tasks.minStepMillis", Duration.ofMillis(100)).toMillis()),
                s.integer("runnel.chat.tokensPerSecond", 30, 1, 1000),
                s.integer("runnel.chat.maxTokens", 400, 1, 100_000),
                s.integer("runnel.chat.maxRunning", 16, 1, 10_000),
                s.duration("runnel.poem.interval", Duration.ofMillis(300)),
                s.integer("runnel.poem.maxRunning", 16, 1, 10_000),
                s.integer("runnel.poem.perAddress", 2, 1, 10_000));
        c.check();
        return c;
    }

    private void check() {
        RunnelConfig.positive("runnel.stocks.interval", stocksInterval);
        RunnelConfig.positive("runnel.metrics.interval", metricsInterval);
        RunnelConfig.positive("runnel.poem.interval", poemInterval);
        int largest = Math.max(TaskFeed.eventsOf(tasks.maxSteps()), Math.max(chatEvents(), PoemFeed.EVENTS));
        if (eventsPerMinute > 0 && eventsPerMinute < largest) {
            throw new IllegalArgumentException("runnel.demos.eventsPerMinute: " + eventsPerMinute + " (expected: 0, or "
                    + "at least " + largest + ", the most one task, answer or poem can publish: runnel.tasks.maxSteps + 2, "
                    + "runnel.chat.maxTokens + 1)");
        }
    }

    /** The most events one chat answer publishes: its tokens and its {@code done}. */
    int chatEvents() {
        return chatMaxTokens + 1;
    }
}
