package dev.runnel.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.function.Function;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The connections one node keeps to Redis: a small pool for the short commands of request threads
 * (tickets, the run registry, replay reads), and dedicated connections for the loops that own one
 * (the tail reader, the appender), each with explicit connect and socket timeouts and, for blocking
 * reads, a blocking timeout just above the longest block it asks for.
 *
 * <p>Where Redis is comes from one URL, {@code redis://[user:password@]host:port[/db]}, or
 * {@code rediss://…} for TLS (verified against the JVM's trust store, host name included): the ACL
 * user and password authenticate every connection, the database index is selected on each.
 *
 * <p>No connection here starts a thread: the pool runs without its evictor (idle connections are
 * kept, broken ones are dropped on return) and without JMX registration, so nothing outlives
 * {@link #close} and nothing pins the web application's class loader.
 *
 * <p>Threading: thread-safe; a borrowed or dedicated {@link Jedis} is confined to one thread at a time.
 */
public final class RedisConnections implements AutoCloseable {
    private final HostAndPort address;
    private final String safeUrl;
    private final DefaultJedisClientConfig base;
    private final Timeouts timeouts;
    private final JedisPool pool;

    /**
     * How long a connection may take: to connect, to answer an ordinary command, and at most how long
     * a blocking read asks Redis to wait ({@code XREAD BLOCK}); the socket of a blocking read gives up
     * at {@code block + socket}.
     */
    public record Timeouts(Duration connect, Duration socket, Duration block) {
        public Timeouts {
            positive("connect", connect);
            positive("socket", socket);
            positive("block", block);
        }

        private static void positive(String name, Duration d) {
            if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0 and < 24 days)");
            }
        }
    }

    private RedisConnections(URI uri, Timeouts timeouts, String nodeId, int poolSize, SSLSocketFactory tls) {
        this.address = new HostAndPort(uri.getHost(), uri.getPort());
        this.timeouts = timeouts;
        this.safeUrl = uri.getScheme() + "://" + (uri.getUserInfo() == null ? "" : userOnly(uri) + "@")
                + address + (uri.getPath() == null ? "" : uri.getPath());
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) timeouts.connect().toMillis())
                .socketTimeoutMillis((int) timeouts.socket().toMillis())
                .blockingSocketTimeoutMillis((int) (timeouts.socket().toMillis() + timeouts.block().toMillis()))
                .user(JedisURIHelper.getUser(uri))
                .password(JedisURIHelper.getPassword(uri))
                .database(JedisURIHelper.getDBIndex(uri))
                .clientName("runnel-" + nodeId)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .resp2();
        if (JedisURIHelper.isRedisSSLScheme(uri)) {
            SSLParameters verifyHost = new SSLParameters();
            verifyHost.setEndpointIdentificationAlgorithm("HTTPS");
            config.ssl(true).sslParameters(verifyHost);
            if (tls != null) {
                config.sslSocketFactory(tls);
            }
        }
        this.base = config.build();
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(poolSize);
        poolConfig.setMaxIdle(poolSize);
        poolConfig.setMinIdle(0);
        poolConfig.setJmxEnabled(false);
        poolConfig.setTimeBetweenEvictionRuns(Duration.ofMillis(-1)); // no evictor thread
        poolConfig.setMaxWait(timeouts.connect().plus(timeouts.socket()));
        this.pool = new JedisPool(poolConfig, address, base);
    }

    /**
     * Parses the URL and prepares the pool; nothing connects yet.
     *
     * @param nodeId   names this node's connections ({@code CLIENT LIST} shows {@code runnel-<nodeId>-…})
     * @param poolSize connections request threads may hold at once
     * @throws IllegalArgumentException the URL is not a {@code redis://} or {@code rediss://} URL with a
     *                                  host and port
     */
    public static RedisConnections open(String url, Timeouts timeouts, String nodeId, int poolSize) {
        return open(url, timeouts, nodeId, poolSize, null);
    }

    /** As {@link #open(String, Timeouts, String, int)}, with the TLS sockets made by {@code tls} (tests' own CA). */
    static RedisConnections open(String url, Timeouts timeouts, String nodeId, int poolSize, SSLSocketFactory tls) {
        if (poolSize <= 0) {
            throw new IllegalArgumentException("poolSize: " + poolSize + " (expected: > 0)");
        }
        if (!nodeId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("nodeId: \"" + nodeId + "\" (expected: 1 to 64 of A-Z a-z 0-9 . _ -)");
        }
        return new RedisConnections(parse(url), timeouts, nodeId, poolSize, tls);
    }

    static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("runnel.redis.url: not a URL (" + e.getReason()
                    + "; expected: redis://[user:password@]host:port[/db] or rediss://…)");
        }
        if (!JedisURIHelper.isRedisScheme(uri) && !JedisURIHelper.isRedisSSLScheme(uri)) {
            throw new IllegalArgumentException("runnel.redis.url: scheme \"" + uri.getScheme()
                    + "\" (expected: redis or rediss)");
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("runnel.redis.url: host and port are required"
                    + " (expected: redis://[user:password@]host:port[/db])");
        }
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.matches("/[0-9]{0,5}")) {
            throw new IllegalArgumentException("runnel.redis.url: path \"" + path
                    + "\" (expected: nothing, or /<database index>)");
        }
        if (uri.getUserInfo() != null && !uri.getUserInfo().contains(":")) {
            throw new IllegalArgumentException("runnel.redis.url: a user without a password"
                    + " (expected: user:password@ or :password@)");
        }
        return uri;
    }

    /** A pooled connection; {@code close()} returns it (or drops it, when it broke). */
    Jedis pooled() {
        return pool.getResource();
    }

    /**
     * Runs {@code command} on a pooled connection. When the connection fails, the idle ones are
     * dropped too (after a Redis restart every one of them is dead, and each would fail one request);
     * a command that is safe to repeat is then tried once more on a fresh connection. One that is not
     * is preceded by a {@code PING}, so that a connection Redis dropped while it sat in the pool fails
     * before the command is sent, and the command goes on a fresh one.
     *
     * @param repeatable the command reads, or writes what a repetition cannot apply twice
     * @throws RedisUnavailableException Redis could not be reached or did not answer in time
     */
    <T> T call(String what, boolean repeatable, Function<Jedis, T> command) {
        for (int attempt = 0; ; attempt++) {
            boolean sent = false;
            try (Jedis jedis = pool.getResource()) {
                if (!repeatable) {
                    jedis.ping();
                }
                sent = true;
                return command.apply(jedis);
            } catch (JedisConnectionException e) {
                pool.clear();
                if ((sent && !repeatable) || attempt > 0) {
                    throw new RedisUnavailableException(what + ": " + e.getMessage(), e);
                }
            } catch (JedisException e) {
                throw Replies.failure(what, e);
            }
        }
    }

    /**
     * A connection of its own for a loop that keeps it (the tail reader, the appender); closing it is
     * the caller's job. It connects on first use.
     *
     * @param blocking the loop pipelines blocking reads: every read on this connection may wait up to
     *                 {@code block + socket}
     */
    Jedis dedicated(String role, boolean blocking) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().from(base)
                .clientName(base.getClientName() + "-" + role);
        if (blocking) {
            config.socketTimeoutMillis(base.getBlockingSocketTimeoutMillis());
        }
        return new Jedis(address, config.build());
    }

    /** Closes a connection of its own that may already be broken: a failure here changes nothing. */
    static void closeQuietly(Jedis connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (JedisException e) {
            System.getLogger(RedisConnections.class.getName()).log(System.Logger.Level.DEBUG,
                    "closing a connection to Redis", e);
        }
    }

    Timeouts timeouts() {
        return timeouts;
    }

    /** The URL without its password, for logs. */
    public String describe() {
        return safeUrl;
    }

    @Override
    public void close() {
        pool.close();
    }

    private static String userOnly(URI uri) {
        String user = JedisURIHelper.getUser(uri);
        return (user == null ? "" : user) + ":***";
    }

    @Override
    public String toString() {
        return "RedisConnections[" + safeUrl + "]";
    }
}
