package dev.runnel.feed;

import com.google.gson.JsonObject;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Simulated stock prices on the state topic {@code stocks}: every tick publishes one {@code price}
 * event per symbol, keyed by the symbol, so a new subscriber gets every symbol's latest price at once.
 * <pre>
 * event: price
 * data: {"symbol":"ACME","price":131.42,"change":1.17,"changePercent":0.9,"time":"2025-06-01T12:00:00Z"}
 * </pre>
 * Prices follow a geometric random walk; one tick stands for one trading minute, so each symbol moves
 * with a per-tick deviation of its annual volatility over {@code sqrt(252 * 390)} (about 0.1 %), and
 * {@code change} is measured from the price at start-up (the "open"). Prices are published with
 * {@link Hub#publishLatest}: when the fan-out is behind, they coalesce per symbol instead of queueing,
 * and a tick the hub refuses is dropped (the next one carries the latest prices).
 *
 * <p>Threading: ticks run on the scheduler; {@link #close} may be called from any thread.
 */
public final class StockFeed implements AutoCloseable {
    public static final String TOPIC = "stocks";
    public static final String EVENT = "price";
    public static final List<String> DEFAULT_SYMBOLS =
            List.of("ACME", "GLOBEX", "INITECH", "UMBRELLA", "STARK", "WAYNE", "TYRELL", "CYBERDYNE");
    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9.-]{1,12}");
    private static final double MINUTES_PER_YEAR = 252 * 390;

    private final Hub hub;
    private final Random random;
    private final List<Stock> stocks = new ArrayList<>();
    private final Refusals refusals = new Refusals("the stock feed");
    private ScheduledFuture<?> ticks;
    private volatile java.util.function.BooleanSupplier gate = () -> true;

    private static final class Stock {
        final String symbol;
        final double open;
        final double sigma;
        double price;

        Stock(String symbol, double open, double annualVolatility) {
            this.symbol = symbol;
            this.open = open;
            this.price = open;
            this.sigma = annualVolatility / Math.sqrt(MINUTES_PER_YEAR);
        }
    }

    public StockFeed(Hub hub, List<String> symbols, Random random) {
        this.hub = hub;
        this.random = random;
        for (String symbol : checkSymbols(symbols)) {
            // Stable per symbol, so the same symbol opens at the same price after a restart.
            Random seeded = new Random(symbol.hashCode());
            double open = Math.round((20 + seeded.nextDouble() * 480) * 100) / 100.0;
            stocks.add(new Stock(symbol, open, 0.2 + seeded.nextDouble() * 0.4));
        }
    }

    /** {@code symbols}, each checked: 1 to 12 of {@code A-Z 0-9 . -}; a setting error names the first bad one. */
    public static List<String> checkSymbols(List<String> symbols) {
        if (symbols.isEmpty()) {
            throw new IllegalArgumentException("runnel.stocks.symbols: empty (expected: at least one symbol)");
        }
        for (String symbol : symbols) {
            if (!SYMBOL.matcher(symbol).matches()) {
                throw new IllegalArgumentException("runnel.stocks.symbols: \"" + symbol
                        + "\" (expected: 1 to 12 of A-Z 0-9 . -)");
            }
        }
        return List.copyOf(symbols);
    }

    /** Publishes the opening prices at once, then one tick every {@code interval}. */
    /**
     * Ticks only while {@code gate} says so (with several nodes: while this node holds the ticker's
     * lease, so that one node at a time publishes prices).
     */
    public void onlyWhile(java.util.function.BooleanSupplier gate) {
        this.gate = gate;
    }

    public synchronized void start(ScheduledExecutorService scheduler, Duration interval) {
        if (ticks != null) {
            throw new IllegalStateException("the stock feed is already started");
        }
        long period = interval.toNanos();
        if (period <= 0) {
            throw new IllegalArgumentException("runnel.stocks.interval: " + interval.toMillis() + "ms (expected: > 0)");
        }
        ticks = scheduler.scheduleAtFixedRate(Guarded.run("stock tick", this::tick), 0, period, TimeUnit.NANOSECONDS);
    }

    /** Moves every price one step and publishes it. Scheduler thread (tests call it directly). */
    void tick() {
        if (!gate.getAsBoolean()) {
            return;
        }
        String time = Instant.now().toString();
        for (Stock stock : stocks) {
            double z = random.nextGaussian();
            stock.price = Math.max(0.01, stock.price * Math.exp(-0.5 * stock.sigma * stock.sigma + stock.sigma * z));
            double price = round2(stock.price);
            double change = price - stock.open;
            JsonObject data = new JsonObject();
            data.addProperty("symbol", stock.symbol);
            data.addProperty("price", price);
            data.addProperty("change", round2(change));
            data.addProperty("changePercent", round2(change / stock.open * 100));
            data.addProperty("time", time);
            // Only the latest price matters: while the fan-out is behind, a newer one replaces a held one.
            refusals.note(hub.publishLatest(new Publication(TOPIC, EVENT, data.toString(), stock.symbol, false)));
        }
    }

    @Override
    public synchronized void close() {
        if (ticks != null) {
            ticks.cancel(false);
        }
    }

    private static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
