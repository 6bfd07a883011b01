package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stock ticker on two nodes of one real {@code redis-server}: one node at a time holds its lease
 * and ticks; when that node stops, the other takes the lease over and prices keep coming to its
 * subscribers. The metrics feed, by contrast, is per node: every node samples itself and labels its
 * samples with its node. Skipped with the reason when {@code redis-server} is missing (failed under
 * {@code RUNNEL_REQUIRE_ALL=true}).
 */
class TickerAcrossNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private RedisServer redis;
    private String prefix;
    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.shared();
        prefix = RedisServer.freshPrefix();
        for (int i = 0; i < 2; i++) {
            nodes.add(TestServer.startNode(redis, prefix, "runnel.stocks.enabled", "true", "runnel.stocks.interval", "200ms",
                    "runnel.stocks.symbols", "ACME,GLOBEX", "runnel.redis.leaseTtl", "1500ms",
                    "runnel.metrics.enabled", "true", "runnel.metrics.interval", "200ms"));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (TestServer node : nodes) {
            node.close();
        }
    }

    @Test
    void theTickerRunsOnOneNodeAndMovesToTheOtherWhenThatNodeStops() throws Exception {
        Eventually.await(WAIT, "one node holds the ticker's lease", () -> holds(nodes.get(0)) || holds(nodes.get(1)));
        TestServer holder = holds(nodes.get(0)) ? nodes.get(0) : nodes.get(1);
        TestServer survivor = holder == nodes.get(0) ? nodes.get(1) : nodes.get(0);
        assertFalse(holds(survivor), "one holder at a time");

        try (EventRecorder prices = survivor.subscribe("stocks")) {
            prices.connected();
            assertEquals("price", prices.next(WAIT).event(), "the holder's prices reach the other node");

            holder.close();
            Eventually.await(WAIT, "the surviving node takes the lease over", () -> holds(survivor));
            // Everything the stopped node published is in Redis by now (its close waited for its appender).
            long before = redisHead(survivor.stats().get("epoch").getAsString());
            for (int i = 0; i < 50; i++) {
                SseEvent price = prices.next(WAIT);
                assertEquals("price", price.event());
                if (sequence(price.id()) > before) {
                    return; // published after the takeover: the survivor ticks
                }
            }
            throw new AssertionError("no price published after the takeover reached the surviving node");
        }
    }

    @Test
    void everyNodeSamplesItsOwnMetricsUnderItsNodeLabel() throws Exception {
        java.util.Set<String> expected = new java.util.HashSet<>();
        for (TestServer node : nodes) {
            expected.add(node.runnel().nodeId());
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (EventRecorder metrics = nodes.get(0).subscribe("system")) {
            metrics.connected();
            for (int i = 0; i < 200 && !seen.equals(expected); i++) {
                SseEvent sample = metrics.next(WAIT);
                seen.add(com.google.gson.JsonParser.parseString(sample.data()).getAsJsonObject().get("node").getAsString());
            }
        }
        assertEquals(expected, seen, "each node's samples, labelled with its node");
    }

    @Test
    void aNewSubscriberOfTheMetricsGetsTheLatestSampleOfEveryNode() throws Exception {
        java.util.Set<String> expected = new java.util.HashSet<>();
        for (TestServer node : nodes) {
            expected.add(node.runnel().nodeId());
        }
        try (EventRecorder first = nodes.get(0).subscribe("system")) {
            first.connected();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 200 && !seen.equals(expected); i++) {
                seen.add(com.google.gson.JsonParser.parseString(first.next(WAIT).data()).getAsJsonObject().get("node")
                        .getAsString());
            }
            assertEquals(expected, seen, "both nodes have sampled");
        }
        for (TestServer node : nodes) {
            try (EventRecorder late = node.subscribe("system")) {
                String cursor = com.google.gson.JsonParser.parseString(late.connected().data()).getAsJsonObject()
                        .get("cursor").getAsString();
                // The snapshot comes first, its events at or before where the stream joined; live ones follow.
                java.util.Set<String> snapshot = new java.util.HashSet<>();
                for (SseEvent e = late.next(WAIT); sequence(e.id()) <= sequence(cursor); e = late.next(WAIT)) {
                    snapshot.add(com.google.gson.JsonParser.parseString(e.data()).getAsJsonObject().get("node")
                            .getAsString());
                }
                assertEquals(expected, snapshot, "the latest sample of each node, on " + node.runnel().nodeId());
            }
        }
    }

    /** Whether the lease in Redis names {@code node}. */
    private boolean holds(TestServer node) {
        String answer = redis.command("EVAL", "return redis.call('GET', KEYS[1]) == ARGV[1] and 1 or 0", "1",
                prefix + ":lease:stocks", node.runnel().nodeId());
        return answer.equals(":1");
    }

    private long redisHead(String epoch) {
        String answer = redis.command("EVAL", "return tonumber(redis.call('HGET', KEYS[1], 'head'))", "1",
                prefix + ":" + epoch + ":meta");
        return Long.parseLong(answer.substring(1));
    }

    private static long sequence(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }
}
