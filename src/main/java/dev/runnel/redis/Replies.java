package dev.runnel.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Reads the replies of Runnel's scripts ({@code {word, number, …}} lists) and turns the client's
 * connection failures into {@link RedisUnavailableException}.
 *
 * <p>Threading: stateless.
 */
final class Replies {
    private Replies() {}

    static List<?> list(Object reply, String script) {
        if (reply instanceof List<?> l && !l.isEmpty()) {
            return l;
        }
        throw new IllegalStateException(script + " answered " + reply + " (expected: a list)");
    }

    static String text(Object o) {
        if (o instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        return o == null ? null : o.toString();
    }

    static long number(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        return Long.parseLong(text(o));
    }

    /** A failure talking to Redis as Runnel reports it: a connection failure means "unavailable". */
    static RuntimeException failure(String what, JedisException e) {
        if (e instanceof JedisConnectionException) {
            return new RedisUnavailableException(what + ": " + e.getMessage(), e);
        }
        return e;
    }
}
