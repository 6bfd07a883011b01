package dev.runnel.redis;

import dev.runnel.hub.Publication;
import dev.runnel.hub.TopicKind;
import dev.runnel.testing.RedisServer;
import java.time.Duration;

/** Connections and logs for tests against a {@link RedisServer}: short timeouts, so faults show fast. */
final class RedisRig {
    static final RedisConnections.Timeouts TIMEOUTS = new RedisConnections.Timeouts(Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofMillis(200));
    static final SharedLog.Bounds BOUNDS = new SharedLog.Bounds(10_000, 64L << 20, Duration.ofHours(1), 0);

    private RedisRig() {}

    static RedisConnections connect(RedisServer server, String node) {
        return connect(server.url(), node);
    }

    static RedisConnections connect(String url, String node) {
        return RedisConnections.open(url, TIMEOUTS, node, 4);
    }

    static SharedLog.Append stream(String topic, String data) {
        return new SharedLog.Append(Publication.of(topic, null, data), TopicKind.STREAM, null);
    }
}
