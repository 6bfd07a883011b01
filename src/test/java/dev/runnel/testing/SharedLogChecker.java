package dev.runnel.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.runnel.protocol.SseEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Compares what clients received with the authoritative log: the shared log's stream in Redis, read
 * with {@code XRANGE} in batches. For one connection (or one client's connections in turn, without a
 * {@code reset} between them): ids strictly increase, nothing is received twice, and between its first
 * and last event every logged event of its topics is there (no gap). Every acknowledged publish is in
 * the log.
 *
 * <p>Threading: confined to the test thread.
 */
public final class SharedLogChecker {
    private static final int BATCH = 500;

    /** One logged event: its id ({@code <epoch>-<sequence>}), topic and data. */
    public record Entry(String id, long sequence, String topic, String data) {}

    private final List<Entry> log;

    private SharedLogChecker(List<Entry> log) {
        this.log = log;
    }

    /** Reads the whole log of the current epoch under {@code prefix}, oldest first. */
    public static SharedLogChecker read(RedisServer redis, String prefix) {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            String epoch = jedis.get(prefix + ":epoch");
            if (epoch == null) {
                fail("no epoch under prefix " + prefix);
            }
            String key = prefix + ":" + epoch + ":log";
            List<Entry> entries = new ArrayList<>();
            StreamEntryID from = new StreamEntryID(0, 0);
            for (;;) {
                List<StreamEntry> batch = jedis.xrange(key, from, (StreamEntryID) null, BATCH);
                for (StreamEntry e : batch) {
                    Map<String, String> f = e.getFields();
                    long sequence = e.getID().getTime();
                    entries.add(new Entry(epoch + "-" + sequence, sequence, f.get("p"), f.get("d")));
                }
                if (batch.size() < BATCH) {
                    return new SharedLogChecker(entries);
                }
                StreamEntryID last = batch.get(batch.size() - 1).getID();
                from = new StreamEntryID(last.getTime() + 1, 0);
            }
        }
    }

    public List<Entry> entries() {
        return log;
    }

    /** The logged events of {@code topics}, oldest first. */
    public List<Entry> of(Collection<String> topics) {
        return log.stream().filter(e -> topics.contains(e.topic())).toList();
    }

    /**
     * Checks one connection's events (or one client's, across the nodes it hopped between, when none
     * of its connections began with a {@code reset}): strictly increasing ids, no duplicate, no gap on
     * {@code topics} between the first and the last.
     */
    public void checkReceived(String who, List<SseEvent> received, Collection<String> topics) {
        if (received.isEmpty()) {
            return;
        }
        long previous = -1;
        Set<String> seen = new HashSet<>();
        for (SseEvent e : received) {
            assertTrue(seen.add(e.id()), who + ": " + e.id() + " received twice");
            long sequence = sequence(e.id());
            assertTrue(sequence > previous, who + ": " + e.id() + " after sequence " + previous);
            previous = sequence;
        }
        long first = sequence(received.get(0).id());
        long last = previous;
        List<String> expected = of(topics).stream().filter(e -> e.sequence() >= first && e.sequence() <= last)
                .map(Entry::id).toList();
        assertEquals(expected, received.stream().map(SseEvent::id).toList(),
                who + ": exactly the log's events of " + topics + " from its first to its last");
    }

    /** Every id a publisher was answered with is in the log. */
    public void checkAcknowledged(Collection<String> ids) {
        Set<String> logged = new HashSet<>();
        log.forEach(e -> logged.add(e.id()));
        for (String id : ids) {
            assertTrue(logged.contains(id), "acknowledged " + id + " is not in the log");
        }
    }

    private static long sequence(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }
}
