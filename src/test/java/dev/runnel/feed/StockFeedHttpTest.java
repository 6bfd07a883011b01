package dev.runnel.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StockFeedHttpTest {
    private static final Set<String> SYMBOLS = Set.of("AAA", "BBB", "CCC");
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("runnel.stocks.enabled", "true", "runnel.stocks.interval", "50ms",
                "runnel.stocks.symbols", "AAA,BBB,CCC");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void newSubscriberGetsEverySymbolsLatestPriceAtOnce() {
        try (EventRecorder warmUp = server.subscribe("stocks")) {
            warmUp.connected();
            warmUp.next(SYMBOLS.size() * 2); // two ticks have happened
            try (EventRecorder late = server.subscribe("stocks")) {
                late.connected();
                Set<String> seen = new HashSet<>();
                for (SseEvent e : late.next(SYMBOLS.size())) {
                    assertEquals("price", e.event());
                    seen.add(json(e).get("symbol").getAsString());
                }
                assertEquals(SYMBOLS, seen, "the snapshot holds every symbol once");
            }
        }
    }

    @Test
    void everyTickMovesEverySymbolWithConsistentFields() {
        try (EventRecorder stream = server.subscribe("stocks")) {
            stream.connected();
            Map<String, Integer> ticks = new HashMap<>();
            while (ticks.size() < SYMBOLS.size() || ticks.values().stream().anyMatch(n -> n < 3)) {
                SseEvent e = stream.next();
                JsonObject price = json(e);
                String symbol = price.get("symbol").getAsString();
                assertTrue(SYMBOLS.contains(symbol), symbol);
                ticks.merge(symbol, 1, Integer::sum);
                double p = price.get("price").getAsDouble();
                double change = price.get("change").getAsDouble();
                double percent = price.get("changePercent").getAsDouble();
                assertTrue(p > 0, "price " + p);
                double open = p - change;
                assertEquals(change / open * 100, percent, 0.02, "changePercent is the change against the open");
                assertTrue(price.get("time").getAsString().endsWith("Z"), "ISO-8601 instant");
                assertTrue(e.id() != null && !e.id().isEmpty(), "every price has an id");
            }
        }
    }

    static JsonObject json(SseEvent e) {
        return JsonParser.parseString(e.data()).getAsJsonObject();
    }
}
