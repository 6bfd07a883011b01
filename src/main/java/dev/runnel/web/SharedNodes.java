package dev.runnel.web;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.runnel.redis.NodeRegistry;
import dev.runnel.redis.RedisUnavailableException;
import dev.runnel.web.ops.NodeDirectory;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The admin console's other nodes, through the {@link NodeRegistry} of the Redis this node shares:
 * on a thread of its own (a call to Redis may wait its socket timeout; the scheduler that offers the
 * cards drives every stream's heartbeats), every third of the ttl and at least once a second, it
 * announces this node's latest card for {@code runnel.redis.leaseTtl} and, while someone watches
 * this node's console, reads the others'. A node that stops removes itself, so it leaves every
 * console at its next sample; one that dies, or loses Redis, is no longer listed once its ttl has
 * run out by Redis's clock. A card read here is answered only while its age, counted on from the
 * read, is within the ttl: with Redis away, the others leave this console within the ttl as well.
 *
 * <p>Threading: {@link NodeDirectory} calls from the scheduler; the syncing on {@code runnel-nodes},
 * which {@link #close} stops and waits for.
 */
final class SharedNodes implements NodeDirectory, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SharedNodes.class.getName());
    /** The most other nodes a console lists; the rest are counted. */
    static final int MAX_LISTED = 50;

    private final NodeRegistry registry;
    private final String node;
    private final long ttlMillis;
    private final SyncThread syncer;
    private final AtomicReference<String> card = new AtomicReference<>();
    private volatile boolean watched;
    private volatile Seen seen = new Seen(List.of(), 0, System.nanoTime());

    /** The others as last read, and when. */
    private record Seen(List<NodeRegistry.Entry> entries, long alive, long readNanos) {}

    SharedNodes(NodeRegistry registry, String node, long ttlMillis) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("ttlMillis: " + ttlMillis + " (expected: > 0)");
        }
        this.registry = registry;
        this.node = node;
        this.ttlMillis = ttlMillis;
        this.syncer = new SyncThread("runnel-nodes");
        long period = Math.max(1, Math.min(1000, ttlMillis / 3));
        syncer.every(period, period, this::sync);
    }

    private void sync() {
        try {
            String said = card.get();
            if (said != null) {
                registry.announce(node, said, ttlMillis);
            }
            if (watched) {
                NodeRegistry.Listing listing = registry.list(MAX_LISTED + 1);
                seen = new Seen(listing.nodes(), listing.alive(), System.nanoTime());
            }
        } catch (RedisUnavailableException e) {
            LOG.log(Level.DEBUG, "this node's card not exchanged with Redis this time: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "exchanging node cards with Redis failed; trying again shortly", e);
        }
    }

    @Override
    public void offer(JsonObject card, boolean watched) {
        this.card.set(card.toString());
        this.watched = watched;
    }

    @Override
    public Others others() {
        Seen last = seen;
        long sinceRead = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last.readNanos());
        List<JsonObject> cards = new ArrayList<>();
        boolean selfListed = false;
        for (NodeRegistry.Entry entry : last.entries()) {
            long age = entry.ageMillis() + sinceRead;
            if (entry.node().equals(node)) {
                selfListed = true;
            } else if (age <= ttlMillis && cards.size() < MAX_LISTED) {
                JsonObject card = parse(entry);
                if (card != null) {
                    card.addProperty("id", entry.node()); // the registry's name for it, whatever the card says
                    card.addProperty("lastSeenSeconds", Math.round(age / 100.0) / 10.0);
                    cards.add(card);
                }
            }
        }
        long others = last.alive() - (selfListed ? 1 : 0);
        return new Others(List.copyOf(cards), sinceRead > ttlMillis ? 0 : Math.max(0, others - cards.size()));
    }

    /** A card as another node wrote it, or null (logged) when it is not a JSON object. */
    private static JsonObject parse(NodeRegistry.Entry entry) {
        try {
            return JsonParser.parseString(entry.said()).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            LOG.log(Level.DEBUG, () -> "node " + entry.node() + " announced no JSON object: " + e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        syncer.close();
        try {
            registry.remove(node); // the other consoles need not wait for the ttl
        } catch (RuntimeException e) {
            LOG.log(Level.INFO, "could not remove this node from Redis's list of nodes (it expires on its own): "
                    + e.getMessage());
        }
    }
}
