package dev.runnel.redis;

import static dev.runnel.redis.RedisRig.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.LoggedEvent;
import dev.runnel.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Replay from the node's cache of recent events, and from Redis when the cursor is older. */
class SharedReplayTest {
    @Test
    void theCacheHoldsAContiguousBoundedRun() {
        RecentEvents cache = new RecentEvents(5, 1 << 20);
        cache.add("e", events("e", 1, 8));
        assertEquals(4, cache.oldest());
        assertEquals(8, cache.head());
        assertNull(cache.after("e", 2, 8, t -> true), "older than the ring");
        assertEquals(List.of(6L, 7L, 8L), sequences(cache.after("e", 5, 8, t -> true)));
        assertEquals(List.of(6L), sequences(cache.after("e", 5, 6, t -> true)));
        assertNull(cache.after("other", 5, 8, t -> true), "another epoch");
        cache.add("e", events("e", 11, 12)); // a gap: the ring starts again
        assertEquals(11, cache.oldest());
        cache.add("f", events("f", 1, 1)); // a new epoch: likewise
        assertEquals(List.of(1L), sequences(cache.after("f", 0, 1, t -> true)));
    }

    @Test
    void theCacheIsBoundedByBytesToo() {
        List<LoggedEvent> events = events("e", 1, 10);
        long lastThree = events.subList(7, 10).stream().mapToLong(e -> e.frame().length).sum();
        RecentEvents cache = new RecentEvents(100, lastThree);
        cache.add("e", events);
        assertEquals(3, cache.size());
        assertEquals(10, cache.head());
    }

    @Test
    void replayComesFromTheCacheFirstAndFromRedisWhenOlder() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE);
                RedisConnections redis = RedisRig.connect(server, "a")) {
            SharedLog log = new SharedLog(redis, "runnel", RedisRig.BOUNDS);
            String epoch = log.open();
            log.appendAll(IntStream.rangeClosed(1, 1500)
                    .mapToObj(i -> stream(i % 3 == 0 ? "quiet" : "busy", "e" + i)).toList());
            RecentEvents cache = new RecentEvents(100, 1 << 20);
            cache.add(epoch, log.read(epoch, 1400, 100).stream().map(e -> e.toLogged(epoch)).toList());
            SharedReplay replay = new SharedReplay(log, cache);

            SharedReplay.Replayed recent = replay.after(epoch, 1450, 1500, "quiet"::equals);
            assertTrue(recent.complete());
            assertEquals(17, recent.events().size());
            assertSame(cache.after(epoch, 1450, 1500, t -> true).get(1), replay.after(epoch, 1450, 1500, t -> true)
                    .events().get(1), "the cached frame itself, not a new encoding");

            SharedReplay.Replayed old = replay.after(epoch, 10, 1500, "quiet"::equals);
            assertTrue(old.complete());
            assertEquals(IntStream.rangeClosed(11, 1500).filter(i -> i % 3 == 0).mapToObj(i -> epoch + "-" + i).toList(),
                    old.events().stream().map(LoggedEvent::id).toList());

            SharedReplay.Replayed upTo = replay.after(epoch, 0, 700, t -> true);
            assertEquals(700, upTo.events().size(), "never past the position asked for");
        }
    }

    @Test
    void aCursorWhoseEventsLeftRedisGetsAnIncompleteReplay() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE);
                RedisConnections redis = RedisRig.connect(server, "a")) {
            SharedLog log = new SharedLog(redis, "runnel", new SharedLog.Bounds(10, 1 << 20, Duration.ofHours(1), 0));
            String epoch = log.open();
            for (int i = 1; i <= 300; i++) {
                log.append(stream("news", "e" + i));
            }
            SharedReplay.Replayed replayed = new SharedReplay(log, new RecentEvents(10, 1 << 20))
                    .after(epoch, 5, 300, t -> true);
            assertFalse(replayed.complete());
            assertEquals(List.of(), replayed.events());
        }
    }

    private static List<LoggedEvent> events(String epoch, long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to)
                .mapToObj(s -> new LogEntry(s, "t", null, "d" + s, null, false, 0).toLogged(epoch)).toList();
    }

    private static List<Long> sequences(List<LoggedEvent> events) {
        return events.stream().map(LoggedEvent::sequence).toList();
    }
}
