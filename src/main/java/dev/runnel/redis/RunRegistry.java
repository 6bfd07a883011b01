package dev.runnel.redis;

import java.util.List;
import java.util.Map;
import redis.clients.jedis.Pipeline;

/**
 * Which node runs a task or a chat answer, and how it is doing, so that any node can answer
 * {@code GET}/{@code DELETE} for it: the node that runs it registers it and keeps its status fresh;
 * another node reads the status, or asks for it to be cancelled, which the running node notices on
 * its next step. An entry expires unless its runner refreshes it, so a node that died leaves nothing
 * behind for long.
 *
 * <pre>
 * &lt;prefix&gt;:run:&lt;id&gt;   hash   node, status, cancel ("1" once asked)   expires after ttl
 *                                  (a task's id, or a chat answer's topic chat/&lt;id&gt;)
 * </pre>
 *
 * <p>Threading: thread-safe.
 */
public final class RunRegistry {
    private final RedisConnections redis;
    private final String prefix;

    /**
     * A registered run.
     *
     * @param status          what the runner last said (opaque here: the runner's own JSON, say)
     * @param cancelRequested some node asked for it to stop
     */
    public record Run(String node, String status, boolean cancelRequested) {}

    public RunRegistry(RedisConnections redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    /** Registers or refreshes a run of this node's, for {@code ttlMillis} from now. */
    public void put(String id, String node, String status, long ttlMillis) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("ttlMillis: " + ttlMillis + " (expected: > 0)");
        }
        String key = key(id);
        redis.call("register run " + id, true, jedis -> {
            try (Pipeline pipeline = jedis.pipelined()) {
                pipeline.hset(key, Map.of("node", node, "status", status));
                pipeline.pexpire(key, ttlMillis);
                pipeline.sync();
            }
            return null;
        });
    }

    /** The run, or null when no node has it registered (never, finished long ago, or its node died). */
    public Run get(String id) {
        Map<String, String> fields = redis.call("look up run " + id, true, jedis -> jedis.hgetAll(key(id)));
        if (fields.isEmpty()) {
            return null;
        }
        return new Run(fields.get("node"), fields.get("status"), "1".equals(fields.get("cancel")));
    }

    /** Asks the running node to stop the run; false when no node has it registered. */
    public boolean requestCancel(String id) {
        return redis.call("cancel run " + id, true,
                jedis -> Replies.number(Script.RUN_CANCEL.run(jedis, List.of(key(id)), List.of())) == 1);
    }

    /** Forgets a run (its runner is done with it). */
    public void remove(String id) {
        redis.call("remove run " + id, true, jedis -> jedis.del(key(id)));
    }

    private String key(String id) {
        return prefix + ":run:" + id;
    }
}
