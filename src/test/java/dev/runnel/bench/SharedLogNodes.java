package dev.runnel.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.runnel.testing.RedisServer;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runnel as three nodes on one Redis (server kind {@code runnel-redis}): a {@code redis-server} of its
 * own (no persistence) and three embedded Runnel JVMs ({@link EmbeddedServer}) with
 * {@code runnel.redis.url} set. The publishers publish on node A, and the load clients subscribe on B
 * and C in turn, so that every event measured went publish → A → Redis → the tails of B and C →
 * their fan-out: the cross-node path. {@link #stats} adds the nodes' counters up (the CPU, memory and
 * streams of the whole cluster, Redis's own left out), except {@code eventsPublished}, which is A's.
 *
 * <p>Threading: like {@link EmbeddedServer}.
 */
final class SharedLogNodes implements ServerProcess {
    private static final String PUBLISHED = "eventsPublished";

    private final RedisServer redis;
    private final List<EmbeddedServer> nodes;

    private SharedLogNodes(RedisServer redis, List<EmbeddedServer> nodes) {
        this.redis = redis;
        this.nodes = nodes;
    }

    static SharedLogNodes start(Bench.Options options, File logDir) throws IOException, InterruptedException {
        RedisServer redis = RedisServer.start(RedisServer.Persistence.NONE);
        List<EmbeddedServer> nodes = new ArrayList<>();
        try {
            for (String name : List.of("a", "b", "c")) {
                nodes.add(EmbeddedServer.start("runnel", "runnel-redis-node-" + name + "-server", options,
                        List.of("runnel.redis.url=" + redis.url()), logDir));
            }
            SharedLogNodes cluster = new SharedLogNodes(redis, nodes);
            cluster.awaitReady();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            nodes.forEach(EmbeddedServer::close);
            redis.close();
            throw e;
        }
    }

    /** Waits until every node has reached Redis ({@code ready} in its stats), at most 60 s. */
    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (EmbeddedServer node : nodes) {
            while (!isReady(node.stats(false))) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("a node did not reach " + redis + " within 60 s");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
        }
    }

    private static boolean isReady(JsonObject stats) {
        JsonElement ready = stats.get("ready");
        return ready != null && ready.getAsBoolean();
    }

    @Override
    public int port() {
        return nodes.get(0).port();
    }

    @Override
    public int publishPort() {
        return nodes.get(0).port();
    }

    @Override
    public int subscribePort(int client) {
        return nodes.get(1 + client % 2).port();
    }

    @Override
    public Endpoints endpoints() {
        return nodes.get(0).endpoints();
    }

    @Override
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        nodes.forEach(n -> pids.addAll(n.pids()));
        return pids;
    }

    @Override
    public JsonObject stats(boolean gc) throws Exception {
        JsonObject sum = new JsonObject();
        for (int i = 0; i < nodes.size(); i++) {
            for (Map.Entry<String, JsonElement> e : nodes.get(i).stats(gc).entrySet()) {
                JsonElement v = e.getValue();
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
                    continue;
                }
                if (e.getKey().equals(PUBLISHED)) {
                    if (i == 0) {
                        sum.addProperty(PUBLISHED, v.getAsDouble());
                    }
                    continue;
                }
                double before = sum.has(e.getKey()) ? sum.get(e.getKey()).getAsDouble() : 0;
                sum.addProperty(e.getKey(), before + v.getAsDouble());
            }
        }
        return sum;
    }

    @Override
    public void close() {
        nodes.forEach(EmbeddedServer::close);
        try {
            redis.close();
        } catch (IOException | InterruptedException e) {
            Bench.log("  could not stop %s: %s", redis, e);
        }
    }
}
