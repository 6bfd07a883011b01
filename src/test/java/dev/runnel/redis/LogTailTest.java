package dev.runnel.redis;

import static dev.runnel.redis.RedisRig.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.Publication;
import dev.runnel.hub.TopicKind;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.RedisServer.Persistence;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ClientKillParams;

/** The node's reader of the shared log, against a real redis-server that stops, dies and loses data. */
class LogTailTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private RedisServer server;
    private RedisConnections redis;
    private RedisConnections publisherConnections;
    private SharedLog log;       // the tail's node
    private SharedLog publisher; // another node
    private LogTail tail;
    private final TailRecorder seen = new TailRecorder();

    private void start(Persistence persistence) throws Exception {
        server = RedisServer.start(persistence);
        redis = RedisRig.connect(server, "a");
        publisherConnections = RedisRig.connect(server, "b");
        log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        publisher = new SharedLog(publisherConnections, "runnel", RedisRig.BOUNDS);
        publisher.open();
    }

    private void startTail(long after, Duration maxBackoff) {
        tail = new LogTail(redis, log, log.open(), after, seen, 100, maxBackoff);
        tail.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (tail != null) {
            tail.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {publisherConnections, redis, server}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void deliversEveryEntryInOrderAndInBatches() throws Exception {
        start(Persistence.NONE);
        publisher.appendAll(IntStream.rangeClosed(1, 1000).mapToObj(i -> stream("news", "e" + i)).toList());
        startTail(0, Duration.ofMillis(500));
        List<LogEntry> entries = seen.entries(1000, WAIT);
        assertEquals(sequences(1, 1000), entries.stream().map(LogEntry::sequence).toList());
        assertEquals("e1000", entries.get(999).data());
        assertEquals(10, seen.batches(), "read 100 at a time");
        publisher.append(stream("news", "live"));
        assertEquals("live", seen.entries(1, WAIT).get(0).data());
        seen.assertQuiet();
    }

    @Test
    void startsAfterTheGivenSequence() throws Exception {
        start(Persistence.NONE);
        publisher.appendAll(IntStream.rangeClosed(1, 10).mapToObj(i -> stream("news", "e" + i)).toList());
        startTail(7, Duration.ofMillis(500));
        assertEquals(sequences(8, 10), seen.entries(3, WAIT).stream().map(LogEntry::sequence).toList());
        seen.assertQuiet();
    }

    @Test
    void resumesAfterItsConnectionIsCutWithoutDuplicateOrGap() throws Exception {
        start(Persistence.NONE);
        startTail(0, Duration.ofMillis(500));
        publish(1, 100);
        assertEquals(sequences(1, 100), sequencesOf(seen.entries(100, WAIT)));
        killClient("runnel-a-tail");
        publish(101, 200);
        assertEquals(sequences(101, 200), sequencesOf(seen.entries(100, WAIT)));
        Eventually.await(WAIT, "the tail reconnected", () -> tail.health().reachable());
        assertTrue(tail.health().failures() >= 1);
        seen.assertQuiet();
    }

    @Test
    void redisRestartedWithItsDataIsSeamless() throws Exception {
        start(Persistence.AOF);
        startTail(0, Duration.ofMillis(200));
        String epoch = log.epoch();
        publish(1, 50);
        assertEquals(sequences(1, 50), sequencesOf(seen.entries(50, WAIT)));
        server.stop();
        Eventually.await(WAIT, "the tail sees Redis gone", () -> !tail.health().reachable());
        assertThrows(RedisUnavailableException.class, () -> publisher.append(stream("news", "refused")));
        server.restart();
        Eventually.await(WAIT, "the tail is back", () -> tail.health().reachable());
        publish(51, 100);
        List<LogEntry> after = seen.entries(50, WAIT);
        assertEquals(sequences(51, 100), sequencesOf(after));
        assertEquals("e51", after.get(0).data());
        assertEquals(epoch, tail.health().epoch());
        seen.assertQuiet();
    }

    @Test
    void redisKilledWithItsDataIsSeamless() throws Exception {
        start(Persistence.AOF);
        startTail(0, Duration.ofMillis(200));
        String epoch = log.epoch();
        publish(1, 50);
        seen.entries(50, WAIT);
        server.kill();
        server.restart();
        publish(51, 60);
        assertEquals(sequences(51, 60), sequencesOf(seen.entries(10, WAIT)));
        assertEquals(epoch, tail.health().epoch());
        seen.assertQuiet();
    }

    @Test
    void redisRestartedEmptyStartsANewEpoch() throws Exception {
        start(Persistence.NONE);
        startTail(0, Duration.ofMillis(200));
        String before = log.epoch();
        publish(1, 10);
        seen.entries(10, WAIT);
        server.kill();
        server.restart();
        String after = assertInstanceOf(TailRecorder.Epoch.class, seen.next(WAIT)).epoch();
        assertNotEquals(before, after);
        SharedLog.Appended next = publisher.append(stream("news", "fresh"));
        assertEquals(after + "-1", next.id(), "the publisher writes to the new epoch too");
        List<LogEntry> fresh = seen.entries(1, WAIT);
        assertEquals(1, fresh.get(0).sequence());
        assertEquals("fresh", fresh.get(0).data());
        seen.assertQuiet();
    }

    @Test
    void aFlushedRedisStartsANewEpochWhileConnected() throws Exception {
        start(Persistence.NONE);
        startTail(0, Duration.ofMillis(200));
        String before = log.epoch();
        publish(1, 5);
        seen.entries(5, WAIT);
        server.flush();
        String after = assertInstanceOf(TailRecorder.Epoch.class, seen.next(WAIT)).epoch();
        assertNotEquals(before, after);
        publish(1, 3);
        assertEquals(sequences(1, 3), sequencesOf(seen.entries(3, WAIT)));
        seen.assertQuiet();
    }

    @Test
    void redisBehindWhatTheNodeSawStartsANewEpoch() throws Exception {
        start(Persistence.SNAPSHOT);
        startTail(0, Duration.ofMillis(200));
        String before = log.epoch();
        publish(1, 5);
        server.save();
        publish(6, 10);
        seen.entries(10, WAIT);
        server.kill();
        server.restart(); // back at event 5: events 6 to 10, which this node delivered, are gone
        String after = assertInstanceOf(TailRecorder.Epoch.class, seen.next(WAIT)).epoch();
        assertNotEquals(before, after);
        SharedLog.Appended next = publisher.append(stream("news", "fresh"));
        assertEquals(after, next.epoch());
        assertEquals("fresh", seen.entries(1, WAIT).get(0).data());
        seen.assertQuiet();
    }

    @Test
    void redisRefilledPastWhatItLostStillStartsANewEpoch() throws Exception {
        start(Persistence.SNAPSHOT);
        startTail(0, Duration.ofSeconds(5)); // slow to come back: others publish before it looks
        String before = log.epoch();
        publish(1, 5);
        server.save();
        publish(6, 10);
        seen.entries(10, WAIT);
        server.kill();
        server.restart();
        // Another node, which never saw 6..10, publishes past them into the old epoch before this tail
        // looks again (or just after: either way the events at 6..10 are not the ones this node read).
        for (int i = 0; i < 8; i++) {
            Eventually.await(WAIT, "a publish after the restart", () -> {
                try {
                    publisher.append(new SharedLog.Append(Publication.of("news", null, "other"), TopicKind.STREAM,
                            "refill-" + System.identityHashCode(publisher) + "-" + System.nanoTime()));
                    return true;
                } catch (RedisUnavailableException notYet) {
                    return false;
                }
            });
        }
        TailRecorder.Seen s = seen.next(WAIT);
        while (s instanceof TailRecorder.Entry e && e.epoch().equals(before)) {
            s = seen.next(WAIT); // entries past 10 of the old epoch, read before the check caught up
        }
        String after = assertInstanceOf(TailRecorder.Epoch.class, s).epoch();
        assertNotEquals(before, after);
    }

    @Test
    void eventsThatLeftTheLogBeforeTheTailReadThemAreReportedAsAGap() throws Exception {
        start(Persistence.NONE);
        SharedLog small = new SharedLog(publisherConnections, "runnel", new SharedLog.Bounds(10, 1 << 20,
                Duration.ofHours(1), 0));
        small.open();
        for (int i = 1; i <= 300; i++) {
            small.append(stream("news", "e" + i)); // trimmed to about 10 (whole stream nodes: MINID ~)
        }
        startTail(0, Duration.ofMillis(200));
        TailRecorder.Gap gap = assertInstanceOf(TailRecorder.Gap.class, seen.next(WAIT));
        assertEquals(0, gap.after());
        assertTrue(gap.next() > 1 && gap.next() <= 291, "the gap ends where the stream starts: " + gap);
        List<LogEntry> rest = seen.entries((int) (300 - gap.next() + 1), WAIT);
        assertEquals(300, rest.get(rest.size() - 1).sequence());
        seen.assertQuiet();
    }

    @Test
    void healthSaysWhetherRedisIsReachableAndHowFarBehindTheTailIs() throws Exception {
        start(Persistence.NONE);
        startTail(0, Duration.ofMillis(200));
        Eventually.await(WAIT, "reachable", () -> tail.health().reachable());
        publish(1, 20);
        seen.entries(20, WAIT);
        Eventually.await(WAIT, "caught up", () -> tail.health().lag() == 0 && tail.health().last() == 20);
        server.kill();
        Eventually.await(WAIT, "unreachable", () -> !tail.health().reachable());
        LogTail.Health down = tail.health();
        assertFalse(down.reachable());
        assertTrue(down.lastError() != null && !down.lastError().isEmpty());
    }

    /** Publishes e<from>..e<to>, each with an idempotency key, so a retry on a connection Redis dropped is safe. */
    private void publish(int from, int to) {
        publisher.appendAll(IntStream.rangeClosed(from, to).mapToObj(i -> new SharedLog.Append(
                Publication.of("news", null, "e" + i), TopicKind.STREAM, "e" + i + "@" + publisher.epoch())).toList());
    }

    private void killClient(String name) {
        try (Jedis admin = publisherConnections.pooled()) {
            for (String line : admin.clientList().split("\n")) {
                if (line.contains(" name=" + name + " ")) {
                    String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' '));
                    admin.clientKill(ClientKillParams.clientKillParams().id(id));
                    return;
                }
            }
        }
        throw new AssertionError("no client named " + name);
    }

    private static List<Long> sequences(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static List<Long> sequencesOf(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::sequence).toList();
    }
}
