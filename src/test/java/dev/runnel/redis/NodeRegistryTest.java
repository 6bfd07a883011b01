package dev.runnel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.Eventually;
import dev.runnel.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry of the nodes sharing one real {@code redis-server}: what each node announces, every
 * node lists; a node that removes itself leaves at once, one that stops announcing once its ttl has
 * run out, and nothing of it stays behind.
 */
class NodeRegistryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long LONG_TTL = 60_000;
    private RedisServer server;
    private String prefix;
    private RedisConnections a;
    private RedisConnections b;
    private NodeRegistry onA;
    private NodeRegistry onB;

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.shared();
        prefix = RedisServer.freshPrefix();
        a = RedisRig.connect(server, "a");
        b = RedisRig.connect(server, "b");
        onA = new NodeRegistry(a, prefix);
        onB = new NodeRegistry(b, prefix);
    }

    @AfterEach
    void stop() {
        for (RedisConnections c : new RedisConnections[] {a, b}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void everyNodeListsWhatEveryNodeAnnounced() {
        onA.announce("node-a", "{\"id\":\"node-a\",\"n\":1}", LONG_TTL);
        onB.announce("node-b", "{\"id\":\"node-b\",\"text\":\"two\\nlines\"}", LONG_TTL);
        onA.announce("node-a", "{\"id\":\"node-a\",\"n\":2}", LONG_TTL); // a refresh replaces what it said
        for (NodeRegistry registry : List.of(onA, onB)) {
            NodeRegistry.Listing listing = registry.list(10);
            assertEquals(2, listing.alive());
            assertEquals(List.of("node-a", "node-b"), listing.nodes().stream().map(NodeRegistry.Entry::node).toList());
            assertEquals("{\"id\":\"node-a\",\"n\":2}", listing.nodes().get(0).said());
            assertEquals("{\"id\":\"node-b\",\"text\":\"two\\nlines\"}", listing.nodes().get(1).said());
            for (NodeRegistry.Entry e : listing.nodes()) {
                assertTrue(e.ageMillis() >= 0 && e.ageMillis() < LONG_TTL, e.toString());
            }
        }
    }

    @Test
    void aNodeThatStopsAnnouncingIsNoLongerListedOnceItsTtlHasRunOut() throws Exception {
        onA.announce("node-a", "{}", LONG_TTL);
        onB.announce("node-b", "{}", 300); // and then dies
        Eventually.await(WAIT, "node-b's ttl runs out", () -> onA.list(10).nodes().stream()
                .map(NodeRegistry.Entry::node).toList().equals(List.of("node-a")));
        assertEquals(1, onA.list(10).alive());
        onA.announce("node-a", "{}", LONG_TTL); // an announcement forgets what ran out
        assertEquals("$-1", server.command("ZSCORE", prefix + ":nodes", "node-b"));
        assertEquals(":0", server.command("HEXISTS", prefix + ":nodes:said", "node-b"));
    }

    @Test
    void aNodeThatRemovesItselfLeavesAtOnce() {
        onA.announce("node-a", "{}", LONG_TTL);
        onB.announce("node-b", "{}", LONG_TTL);
        onB.remove("node-b");
        NodeRegistry.Listing listing = onA.list(10);
        assertEquals(List.of("node-a"), listing.nodes().stream().map(NodeRegistry.Entry::node).toList());
        assertEquals(1, listing.alive());
    }

    @Test
    void aListingIsBoundedAndCountsTheNodesItLeftOut() {
        for (int i = 0; i < 5; i++) {
            onA.announce("node-" + i, "{}", LONG_TTL);
        }
        NodeRegistry.Listing listing = onB.list(2);
        assertEquals(2, listing.nodes().size());
        assertEquals(5, listing.alive());
    }

    @Test
    void theRegistryLivesAsLongAsItsLongestLivedNodeAndNoLonger() throws Exception {
        onA.announce("short", "{}", 300);
        onB.announce("long", "{}", LONG_TTL);
        onA.announce("short", "{}", 300); // a shorter ttl never shortens the keys' life
        for (String key : List.of(prefix + ":nodes", prefix + ":nodes:said")) {
            long ttl = Long.parseLong(server.command("PTTL", key).substring(1));
            assertTrue(ttl > LONG_TTL / 2, key + " lives as long as its longest-lived node: " + ttl);
        }
        String other = RedisServer.freshPrefix();
        NodeRegistry gone = new NodeRegistry(a, other);
        gone.announce("one", "{}", 300);
        gone.announce("two", "{}", 600);
        Eventually.await(WAIT, "both keys expire once every node is gone",
                () -> server.command("EXISTS", other + ":nodes", other + ":nodes:said").equals(":0"));
    }
}
