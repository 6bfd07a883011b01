package dev.runnel.redis;

import static dev.runnel.redis.RedisRig.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.Publication;
import dev.runnel.hub.TopicKind;
import dev.runnel.redis.SharedLog.Append;
import dev.runnel.redis.SharedLog.Appended;
import dev.runnel.redis.SharedLog.Appended.Outcome;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sequencer and the reads of the shared log, against a real redis-server. */
class SharedLogTest {
    private RedisServer server;
    private RedisConnections redis;

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.start(RedisServer.Persistence.NONE);
        redis = RedisRig.connect(server, "a");
    }

    @AfterEach
    void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void idsAreTheEpochAndAContiguousSequence() {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        String epoch = log.open();
        Appended first = log.append(stream("news", "one"));
        Appended second = log.append(stream("news", "two"));
        assertEquals(Outcome.APPENDED, first.outcome());
        assertEquals(epoch + "-1", first.id());
        assertEquals(epoch + "-2", second.id());
        assertTrue(second.timeMillis() >= first.timeMillis());
        List<LogEntry> read = log.read(epoch, 0, 10);
        assertEquals(List.of(1L, 2L), read.stream().map(LogEntry::sequence).toList());
        LoggedEvent event = read.get(1).toLogged(epoch);
        assertEquals(epoch + "-2", event.id());
        assertEquals("id: " + epoch + "-2\ndata: two\n\n", new String(event.frame(), StandardCharsets.UTF_8));
    }

    @Test
    void theEpochIsCreatedOnceAndEveryNodeGetsIt() {
        try (RedisConnections other = RedisRig.connect(server, "b")) {
            String a = new SharedLog(redis, "runnel", RedisRig.BOUNDS).open();
            String b = new SharedLog(other, "runnel", RedisRig.BOUNDS).open();
            assertEquals(a, b);
            assertNotEquals(a, new SharedLog(other, "another", RedisRig.BOUNDS).open(), "prefixes are separate logs");
        }
    }

    @Test
    void everyFieldSurvivesTheRoundTrip() {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        String epoch = log.open();
        String data = "line 1\r\nline 2\n\u00e9\u4e2d\ud83d\ude00 and a trailing break\n";
        log.append(new Append(new Publication("prices", "tick", data, "ACME", false), TopicKind.STATE, null));
        log.append(new Append(Publication.of("tasks/1", null, "done").asLast(), TopicKind.FINITE, null));
        List<LogEntry> read = log.read(epoch, 0, 10);
        assertEquals(new LogEntry(1, "prices", "tick", data, "ACME", false, read.get(0).timeMillis()), read.get(0));
        assertEquals(new LogEntry(2, "tasks/1", null, "done", null, true, read.get(1).timeMillis()), read.get(1));
        assertEquals("prices\u0000ACME", read.get(0).toLogged(epoch).coalesceKey());
        assertTrue(read.get(1).toLogged(epoch).last());
    }

    @Test
    void aStateTopicKeepsItsLatestValuePerKeyInRedis() {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        String epoch = log.open();
        log.append(new Append(new Publication("prices", "tick", "1", "ACME", false), TopicKind.STATE, null));
        log.append(new Append(new Publication("prices", "tick", "2", "INIT", false), TopicKind.STATE, null));
        log.append(new Append(new Publication("prices", "tick", "3", "ACME", false), TopicKind.STATE, null));
        log.append(new Append(new Publication("prices", null, "4", null, false), TopicKind.STATE, null));
        List<LogEntry> state = log.state(epoch, "prices");
        assertEquals(List.of("INIT=2@2", "ACME=3@3", "message=4@4"),
                state.stream().map(e -> e.stateKey() + "=" + e.data() + "@" + e.sequence()).toList());
        assertEquals(List.of(), log.state(epoch, "other"));
    }

    @Test
    void aStateTopicRefusesANewKeyBeyondItsCap() {
        SharedLog log = new SharedLog(redis, "runnel", new SharedLog.Bounds(100, 1 << 20, Duration.ofHours(1), 2));
        log.open();
        assertEquals(Outcome.APPENDED, log.append(state("a", "1")).outcome());
        assertEquals(Outcome.APPENDED, log.append(state("b", "1")).outcome());
        assertEquals(Outcome.STATE_FULL, log.append(state("c", "1")).outcome());
        assertEquals(Outcome.APPENDED, log.append(state("a", "2")).outcome(), "a known key is updated");
        assertEquals(3, log.position().head());
    }

    @Test
    void aPublishAfterTheEndIsRefusedAndNothingIsAppended() {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        String epoch = log.open();
        log.append(new Append(Publication.of("chat/1", "token", "a"), TopicKind.FINITE, null));
        log.append(new Append(Publication.of("news", null, "x"), TopicKind.STREAM, null));
        Appended end = log.append(new Append(Publication.of("chat/1", "done", "").asLast(), TopicKind.FINITE, null));
        Appended after = log.append(new Append(Publication.of("chat/1", "token", "late"), TopicKind.FINITE, null));
        assertEquals(Outcome.ENDED, after.outcome());
        assertEquals(end.sequence(), after.sequence());
        assertEquals(3, log.position().head(), "nothing appended after the end");
        assertEquals(new SharedLog.FiniteRecord(1, 3, 3), log.finite(epoch, "chat/1"));
        assertNull(log.finite(epoch, "chat/2"));
    }

    @Test
    void theEndIsAtomicUnderConcurrentPublishers() throws Exception {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        String epoch = log.open();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int n = t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    Publication p = Publication.of("race", null, n + ":" + i);
                    log.append(new Append(n == 0 && i == 25 ? p.asLast() : p, TopicKind.FINITE, null));
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
        List<LogEntry> entries = log.read(epoch, 0, 1000);
        LogEntry last = entries.get(entries.size() - 1);
        assertTrue(last.last(), "the final event is the last one logged: " + last);
        assertEquals(last.sequence(), log.finite(epoch, "race").end());
    }

    @Test
    void anIdempotencyKeyReturnsTheFirstPublishAndAppendsOnce() {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        log.open();
        Append once = new Append(Publication.of("news", null, "x"), TopicKind.STREAM, "order-17");
        Appended first = log.append(once);
        log.append(stream("news", "y"));
        Appended again = log.append(once);
        assertEquals(Outcome.APPENDED, first.outcome());
        assertEquals(Outcome.DUPLICATE, again.outcome());
        assertEquals(first.id(), again.id());
        assertEquals(first.timeMillis(), again.timeMillis());
        assertEquals(2, log.position().head());
    }

    @Test
    void theLogIsTrimmedByCount() {
        SharedLog log = new SharedLog(redis, "runnel", new SharedLog.Bounds(10, 1 << 20, Duration.ofHours(1), 0));
        String epoch = log.open();
        for (int i = 1; i <= 25; i++) {
            log.append(stream("news", "e" + i));
        }
        SharedLog.Position position = log.position();
        assertEquals(25, position.head());
        assertEquals(16, position.oldest());
        List<LogEntry> held = log.read(epoch, position.oldest() - 1, 100);
        assertEquals(16, held.get(0).sequence());
        assertEquals(10, held.size());
    }

    @Test
    void theLogIsTrimmedByBytesButKeepsTheNewestEvent() {
        SharedLog log = new SharedLog(redis, "runnel", new SharedLog.Bounds(1000, 1000, Duration.ofHours(1), 0));
        log.open();
        String kb = "x".repeat(200);
        for (int i = 0; i < 20; i++) {
            log.append(stream("news", kb));
        }
        SharedLog.Position position = log.position();
        long held = position.head() - position.oldest() + 1;
        assertEquals(3, held, "3 events of about 270 bytes fit in 1000");
        log.append(stream("news", "y".repeat(5000)));
        position = log.position();
        assertEquals(position.head(), position.oldest(), "an event larger than the bound is still held alone");
    }

    @Test
    void aQuietLogLosesWhatAgesOut() throws Exception {
        SharedLog log = new SharedLog(redis, "runnel", new SharedLog.Bounds(1000, 1 << 20, Duration.ofMillis(300), 0));
        log.open();
        log.append(stream("news", "old"));
        log.append(stream("news", "old too"));
        assertEquals(1, log.position().oldest());
        Eventually.await(Duration.ofSeconds(10), "the aged events leave", () -> log.position().oldest() == 3);
        assertEquals(2, log.position().head());
    }

    @Test
    void aForgottenScriptIsSentAgain() {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        String epoch = log.open();
        log.append(stream("news", "1"));
        server.command("SCRIPT", "FLUSH");
        assertEquals(epoch + "-2", log.append(stream("news", "2")).id());
        server.command("SCRIPT", "FLUSH");
        List<Appended> batch = log.appendAll(List.of(stream("news", "3"), stream("news", "4"), stream("news", "5")));
        assertEquals(List.of(3L, 4L, 5L), batch.stream().map(Appended::sequence).toList());
        assertEquals(List.of("1", "2", "3", "4", "5"), log.read(epoch, 0, 10).stream().map(LogEntry::data).toList());
    }

    @Test
    void aBatchIsLoggedInItsOrder() {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        String epoch = log.open();
        List<Append> batch = IntStream.rangeClosed(1, 300).mapToObj(i -> stream("news", "e" + i)).toList();
        List<Appended> answers = log.appendAll(batch);
        assertEquals(sequences(1, 300), answers.stream().map(Appended::sequence).toList());
        List<LogEntry> read = log.read(epoch, 0, 1000);
        assertEquals(300, read.size());
        assertEquals("e300", read.get(299).data());
    }

    @Test
    void readGoesInBoundedBatchesAndStartsAfterTheCursor() {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        String epoch = log.open();
        log.appendAll(IntStream.rangeClosed(1, 1300).mapToObj(i -> stream("news", "e" + i)).toList());
        List<LogEntry> read = log.read(epoch, 100, 1100);
        assertEquals(1100, read.size());
        assertEquals(101, read.get(0).sequence());
        assertEquals(1200, read.get(1099).sequence());
        assertEquals(List.of(), log.read(epoch, 1300, 10));
    }

    @Test
    void aFlushedRedisGetsANewEpochAtTheNextPublish() {
        SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
        String before = log.open();
        log.append(stream("news", "1"));
        server.flush();
        Appended after = log.append(stream("news", "2"));
        assertNotEquals(before, after.epoch());
        assertEquals(after.epoch() + "-1", after.id(), "the new epoch starts at 1");
        assertEquals(after.epoch(), log.epoch());
    }

    @Test
    void renewingAnEpochThatAnotherNodeRenewedKeepsTheirs() {
        try (RedisConnections other = RedisRig.connect(server, "b")) {
            SharedLog a = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
            SharedLog b = new SharedLog(other, "runnel", RedisRig.BOUNDS);
            String old = a.open();
            b.open();
            String renewed = a.renewEpoch(old);
            assertNotEquals(old, renewed);
            assertEquals(renewed, b.renewEpoch(old), "the second renewal of the same loss changes nothing");
            a.append(stream("news", "x"));
            assertFalse(a.read(renewed, 0, 10).isEmpty());
            a.forget(old);
            assertEquals(renewed, b.open());
        }
    }

    private static Append state(String key, String data) {
        return new Append(new Publication("prices", null, data, key, false), TopicKind.STATE, null);
    }

    private static List<Long> sequences(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }
}
