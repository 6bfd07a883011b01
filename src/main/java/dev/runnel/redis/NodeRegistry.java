package dev.runnel.redis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import redis.clients.jedis.Pipeline;

/**
 * The nodes sharing this Redis and prefix, each with what it last said about itself (opaque here:
 * the node's own JSON), so that any node can list them all. A node {@link #announce}s itself well
 * within its ttl; one that stops {@link #remove}s itself; one that dies, or loses Redis, is no longer
 * listed once its ttl has run out by Redis's clock, whatever the other nodes' clocks say.
 *
 * <pre>
 * &lt;prefix&gt;:nodes         sorted set   node -> when its entry expires (Redis's time, ms)
 * &lt;prefix&gt;:nodes:said    hash         node -> "&lt;Redis's time when it last announced, ms&gt;\n&lt;what it said&gt;"
 * </pre>
 * Both keys expire once the longest-lived entry would have: with every node gone, nothing is left.
 * Each announcement forgets up to a hundred expired entries, so the keys stay as small as the nodes
 * alive; a listing answers at most the number it is asked for, with the count of all that are alive.
 *
 * <p>Threading: thread-safe.
 */
public final class NodeRegistry {
    private final RedisConnections redis;
    private final List<String> keys;

    /**
     * A node as last announced.
     *
     * @param ageMillis how long ago it announced itself, by Redis's clock
     */
    public record Entry(String node, String said, long ageMillis) {}

    /** The nodes alive, sorted by name, at most as many as asked for; {@code alive} counts them all. */
    public record Listing(List<Entry> nodes, long alive) {}

    public NodeRegistry(RedisConnections redis, String prefix) {
        this.redis = redis;
        this.keys = List.of(prefix + ":nodes", prefix + ":nodes:said");
    }

    /** Registers or refreshes {@code node}, saying {@code said}, for {@code ttlMillis} from now. */
    public void announce(String node, String said, long ttlMillis) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("ttlMillis: " + ttlMillis + " (expected: > 0)");
        }
        redis.call("announce node " + node, true, jedis -> Script.NODE_ANNOUNCE.run(jedis, keys,
                List.of(node, said, Long.toString(ttlMillis))));
    }

    /** The nodes whose ttl has not run out, at most {@code max} of them. */
    public Listing list(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: > 0)");
        }
        List<?> reply = Replies.list(redis.call("list nodes", true,
                jedis -> Script.NODES_LIST.run(jedis, keys, List.of(Integer.toString(max)))), "nodes-list.lua");
        long now = Replies.number(reply.get(0));
        List<Entry> nodes = new ArrayList<>();
        for (int i = 2; i + 1 < reply.size(); i += 2) {
            String node = Replies.text(reply.get(i));
            String stored = Replies.text(reply.get(i + 1));
            int newline = stored.indexOf('\n');
            long announced = Long.parseLong(stored.substring(0, newline));
            nodes.add(new Entry(node, stored.substring(newline + 1), Math.max(0, now - announced)));
        }
        nodes.sort(Comparator.comparing(Entry::node));
        return new Listing(List.copyOf(nodes), Replies.number(reply.get(1)));
    }

    /** Forgets {@code node} at once (it is stopping), so that nobody lists it until its ttl runs out. */
    public void remove(String node) {
        redis.call("remove node " + node, true, jedis -> {
            try (Pipeline pipeline = jedis.pipelined()) {
                pipeline.zrem(keys.get(0), node);
                pipeline.hdel(keys.get(1), node);
                pipeline.sync();
            }
            return null;
        });
    }
}
