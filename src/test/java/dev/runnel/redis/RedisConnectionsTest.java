package dev.runnel.redis;

import static dev.runnel.redis.RedisRig.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.RedisServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/** Where Redis is (one URL: TLS, ACL user, database) and the threads the client leaves behind: none. */
class RedisConnectionsTest {
    @Test
    void aUrlThatIsNotRedisIsRefusedWithTheReason() {
        for (String[] bad : new String[][] {
                {"http://localhost:6379", "scheme \"http\" (expected: redis or rediss)"},
                {"redis://localhost", "host and port are required"},
                {"redis://localhost:6379/x", "path \"/x\" (expected: nothing, or /<database index>)"},
                {"redis://user@localhost:6379", "a user without a password"},
                {"redis://local host:6379", "not a URL"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RedisConnections.open(bad[0], RedisRig.TIMEOUTS, "a", 1), bad[0]);
            assertTrue(e.getMessage().startsWith("runnel.redis.url: ") && e.getMessage().contains(bad[1]),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> RedisConnections.open("redis://h:1", RedisRig.TIMEOUTS, "a b", 1));
        assertThrows(IllegalArgumentException.class, () -> new RedisConnections.Timeouts(Duration.ZERO,
                Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }

    @Test
    void theDescriptionHidesThePassword() {
        try (RedisConnections redis = RedisConnections.open("rediss://app:s3cret@redis.example:6380/3", RedisRig.TIMEOUTS,
                "a", 1)) {
            assertEquals("rediss://app:***@redis.example:6380/3", redis.describe());
            assertFalse(redis.toString().contains("s3cret"));
        }
    }

    @Test
    void anAclUserAndADatabaseComeFromTheUrl() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE)) {
            assertEquals("+OK", server.command("ACL", "SETUSER", "runnel", "on", ">s3cret", "~runnel:*", "+@all"));
            String url = "redis://runnel:s3cret@127.0.0.1:" + server.port() + "/2";
            try (RedisConnections redis = RedisRig.connect(url, "a");
                    RedisConnections db0 = RedisRig.connect(server, "admin")) {
                SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
                String epoch = log.open();
                log.append(stream("news", "x"));
                try (Jedis jedis = redis.pooled()) {
                    assertEquals("runnel", jedis.aclWhoAmI());
                    assertEquals(epoch, jedis.get("runnel:epoch"));
                }
                try (Jedis jedis = db0.pooled()) {
                    assertNull(jedis.get("runnel:epoch"), "database 2, not 0");
                }
            }
            try (RedisConnections wrong = RedisRig.connect("redis://runnel:wrong@127.0.0.1:" + server.port(), "a")) {
                JedisException e = assertThrows(JedisException.class,
                        () -> new SharedLog(wrong, "runnel", RedisRig.BOUNDS).open());
                assertTrue(String.valueOf(e.getMessage()).contains("WRONGPASS"), e.getMessage());
            }
        }
    }

    @Test
    void rediss_connectsOverTlsAndVerifiesTheServer() throws Exception {
        try (RedisServer server = RedisServer.startWithTls()) {
            String url = "rediss://127.0.0.1:" + server.tlsPort();
            try (RedisConnections redis = RedisConnections.open(url, RedisRig.TIMEOUTS, "a", 2, trusting(server))) {
                SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
                String epoch = log.open();
                assertEquals(epoch + "-1", log.append(stream("news", "over tls")).id());
            }
            // The JVM's own trust store does not know the test's certificate: refused.
            try (RedisConnections untrusted = RedisConnections.open(url, RedisRig.TIMEOUTS, "a", 2)) {
                assertThrows(RedisUnavailableException.class, () -> new SharedLog(untrusted, "runnel", RedisRig.BOUNDS).open());
            }
        }
    }

    @Test
    void startUseAndCloseLeaveNoThreadOfTheClient() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE)) {
            Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
            RedisConnections redis = RedisRig.connect(server, "a");
            SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
            String epoch = log.open();
            TailRecorder seen = new TailRecorder();
            LogTail tail = new LogTail(redis, log, epoch, 0, seen, 10, Duration.ofMillis(200));
            tail.start();
            Appender appender = new Appender(redis, log, 8, 100, Duration.ofSeconds(1));
            appender.start();
            appender.submit(stream("news", "async")).get();
            log.appendAll(List.of(stream("news", "a"), stream("news", "b")));
            new SharedTickets(redis, "runnel").issue("d", "s", "g", 1000, 1);
            new Lease(redis, "runnel", "stocks", "a", 1000).keep();
            new RunRegistry(redis, "runnel").put("tasks/1", "a", "running", 1000);
            seen.entries(3, Duration.ofSeconds(30));
            new SharedReplay(log, new RecentEvents(10, 1 << 20)).after(epoch, 0, 3, t -> true);

            Set<String> started = names(newThreads(before));
            assertEquals(Set.of("runnel-redis-tail", "runnel-redis-append"), started,
                    "while in use, the only new threads are Runnel's own");

            appender.close();
            tail.close();
            redis.close();
            Set<Thread> left = newThreads(before);
            assertEquals(Set.of(), names(left), "after close, no thread is left");
        }
    }

    private static Set<Thread> newThreads(Set<Thread> before) {
        Set<Thread> now = new HashSet<>(Thread.getAllStackTraces().keySet());
        now.removeAll(before);
        now.removeIf(t -> !t.isAlive());
        return now;
    }

    private static Set<String> names(Set<Thread> threads) {
        Set<String> names = new HashSet<>();
        threads.forEach(t -> names.add(t.getName()));
        return names;
    }

    /** TLS sockets that trust exactly the test server's certificate. */
    private static SSLSocketFactory trusting(RedisServer server) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream pem = Files.newInputStream(server.certificate())) {
            trust.setCertificateEntry("redis", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }
}
