package dev.runnel.redis;

import static dev.runnel.redis.RedisRig.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.Publication;
import dev.runnel.hub.TopicKind;
import dev.runnel.redis.SharedLog.Appended;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The asynchronous, batching writer of the shared log, and publishes retried after a timeout. */
class AppenderTest {
    private static final RedisConnections.Timeouts SHORT = new RedisConnections.Timeouts(Duration.ofSeconds(2),
            Duration.ofMillis(300), Duration.ofMillis(200));

    @Test
    void publicationsAreLoggedInTheOrderTheyWereSubmitted() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE);
                RedisConnections redis = RedisRig.connect(server, "a")) {
            SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
            String epoch = log.open();
            List<CompletableFuture<Appended>> futures = new ArrayList<>();
            try (Appender appender = new Appender(redis, log, 64, 10_000, Duration.ofSeconds(5))) {
                appender.start();
                for (int i = 1; i <= 2000; i++) {
                    futures.add(appender.submit(stream("news", "e" + i)));
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertEquals(epoch + "-" + (i + 1), futures.get(i).get(30, TimeUnit.SECONDS).id());
                }
            }
            List<LogEntry> read = log.read(epoch, 0, 5000);
            assertEquals(2000, read.size());
            for (int i = 0; i < read.size(); i++) {
                assertEquals("e" + (i + 1), read.get(i).data());
            }
        }
    }

    @Test
    void aPublicationRedisRefusesFailsAloneAndTheAppenderGoesOn() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE);
                RedisConnections redis = RedisRig.connect(server, "a")) {
            SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
            String epoch = log.open();
            try (Appender appender = new Appender(redis, log, 64, 100, Duration.ofSeconds(5))) {
                appender.start();
                assertEquals(epoch + "-1", appender.submit(stream("news", "1")).get(10, TimeUnit.SECONDS).id());
                assertEquals("+OK", server.command("CONFIG", "SET", "maxmemory", "1"));
                ExecutionException refused = assertThrows(ExecutionException.class,
                        () -> appender.submit(stream("news", "2")).get(10, TimeUnit.SECONDS));
                assertInstanceOf(redis.clients.jedis.exceptions.JedisDataException.class, refused.getCause());
                assertTrue(refused.getCause().getMessage().contains("OOM"), refused.getCause().getMessage());
                assertEquals("+OK", server.command("CONFIG", "SET", "maxmemory", "0"));
                assertEquals(epoch + "-2", appender.submit(stream("news", "3")).get(10, TimeUnit.SECONDS).id(),
                        "the refused one took no sequence");
            }
        }
    }

    @Test
    void aFullQueueAndAClosedAppenderRefuse() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE);
                RedisConnections redis = RedisRig.connect(server, "a")) {
            SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
            log.open();
            Appender appender = new Appender(redis, log, 8, 2, Duration.ofSeconds(1));
            // Not started: nothing drains the queue.
            appender.submit(stream("news", "1"));
            appender.submit(stream("news", "2"));
            ExecutionException full = assertThrows(ExecutionException.class,
                    () -> appender.submit(stream("news", "3")).get(5, TimeUnit.SECONDS));
            assertInstanceOf(RejectedExecutionException.class, full.getCause());
            appender.start();
            appender.close();
            ExecutionException closed = assertThrows(ExecutionException.class,
                    () -> appender.submit(stream("news", "4")).get(5, TimeUnit.SECONDS));
            assertInstanceOf(RejectedExecutionException.class, closed.getCause());
            assertEquals(2, log.position().head(), "what was queued before close was sent");
        }
    }

    @Test
    void aPublishWhoseAnswerWasLostIsRetriedWithItsKeyAndLoggedOnce() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE);
                TcpProxy proxy = new TcpProxy(server.port());
                RedisConnections viaProxy = RedisConnections.open("redis://127.0.0.1:" + proxy.port(), SHORT, "a", 2);
                RedisConnections direct = RedisRig.connect(server, "check")) {
            SharedLog log = new SharedLog(viaProxy, "runnel", RedisRig.BOUNDS);
            String epoch = log.open();
            log.append(stream("news", "before"));
            SharedLog.Append keyed = new SharedLog.Append(Publication.of("news", null, "once"), TopicKind.STREAM,
                    "publish-42");
            // Redis runs the script, but its answer never arrives: the socket times out.
            proxy.dropReplies(true);
            assertThrows(RedisUnavailableException.class, () -> log.append(keyed));
            proxy.dropReplies(false);
            proxy.cutAll();
            SharedLog checker = new SharedLog(direct, "runnel", RedisRig.BOUNDS);
            checker.open();
            assertEquals(2, checker.position().head(), "the lost answer's publish was applied");
            // The client's retry, with the same key: the first publish's id, nothing appended.
            Appended retried = log.append(keyed);
            assertEquals(Appended.Outcome.DUPLICATE, retried.outcome());
            assertEquals(epoch + "-2", retried.id());
            assertEquals(List.of("before", "once"), checker.read(epoch, 0, 10).stream().map(LogEntry::data).toList());
        }
    }

    @Test
    void theAppenderRetriesKeyedPublicationsAcrossAnOutageAndFailsTheOthers() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE);
                TcpProxy proxy = new TcpProxy(server.port());
                RedisConnections viaProxy = RedisConnections.open("redis://127.0.0.1:" + proxy.port(), SHORT, "a", 2);
                RedisConnections direct = RedisRig.connect(server, "check")) {
            SharedLog log = new SharedLog(viaProxy, "runnel", RedisRig.BOUNDS);
            String epoch = log.open();
            try (Appender appender = new Appender(viaProxy, log, 16, 100, Duration.ofSeconds(20))) {
                proxy.dropReplies(true);
                CompletableFuture<Appended> keyed = appender.submit(new SharedLog.Append(
                        Publication.of("news", null, "keyed"), TopicKind.STREAM, "k-1"));
                CompletableFuture<Appended> unkeyed = appender.submit(stream("news", "unkeyed"));
                appender.start(); // both go in its first batch, whose answer never comes
                // The unkeyed one fails once its outcome is unknown; the keyed one waits for Redis.
                ExecutionException failed = assertThrows(ExecutionException.class, () -> unkeyed.get(10, TimeUnit.SECONDS));
                assertInstanceOf(RedisUnavailableException.class, failed.getCause());
                proxy.dropReplies(false);
                Appended done = keyed.get(20, TimeUnit.SECONDS);
                SharedLog checker = new SharedLog(direct, "runnel", RedisRig.BOUNDS);
                checker.open();
                List<String> logged = checker.read(epoch, 0, 10).stream().map(LogEntry::data).toList();
                assertEquals(1, logged.stream().filter("keyed"::equals).count(), "logged once: " + logged);
                assertEquals("keyed", checker.read(epoch, done.sequence() - 1, 1).get(0).data());
            }
        }
    }
}
