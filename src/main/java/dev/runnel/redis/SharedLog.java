package dev.runnel.redis;

import dev.runnel.hub.LoggedEvents;
import dev.runnel.hub.MemoryEventLog;
import dev.runnel.hub.Publication;
import dev.runnel.hub.TopicKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.StreamEntry;

/**
 * One node's handle on the log that several nodes share in Redis: the sequencer (one atomic script per
 * publish, {@code append.lua}), the epoch, and the reads that replay needs (ranges of the stream, a
 * state topic's latest values, a finite topic's record). The tail that follows the log is
 * {@link LogTail}; the asynchronous, batching writer is {@link Appender}.
 *
 * <p>Ids are {@code <epoch>-<sequence>}, as in the in-memory log. Sequences are contiguous within an
 * epoch (1, 2, 3, …, assigned by Redis in one order for every node), and the stream entry of sequence
 * {@code s} has the id {@code s-0}, so a sequence is found, not searched. The epoch is held in Redis and
 * created once; it changes only when Redis is found to have lost events ({@link #renewEpoch}).
 *
 * <p>Threading: thread-safe; every call borrows a pooled connection for its duration.
 */
public final class SharedLog {
    /** Events per {@code XRANGE} when a caller asks for more. */
    static final int RANGE_BATCH = 512;
    /** Longest idempotency key accepted. */
    public static final int MAX_IDEMPOTENCY_KEY = 200;

    /** Connections that have sent the append script's text (Jedis keeps one socket per object). */
    private final Set<Jedis> scriptsLoaded = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final RedisConnections redis;
    private final String prefix;
    private final Bounds bounds;
    private volatile String epoch;

    /**
     * What the shared log holds: at most {@code maxEvents} events and about {@code maxBytes} of them,
     * none older than {@code maxAge} (whichever bound is hit first); the same window bounds how long an
     * idempotency key and a finite topic's end are remembered.
     *
     * @param maxStateKeys keys one state topic may hold, 0 for no cap
     */
    public record Bounds(int maxEvents, long maxBytes, Duration maxAge, int maxStateKeys) {
        public Bounds {
            if (maxEvents <= 0) {
                throw new IllegalArgumentException("maxEvents: " + maxEvents + " (expected: > 0)");
            }
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
            }
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: > 0)");
            }
            if (maxStateKeys < 0) {
                throw new IllegalArgumentException("maxStateKeys: " + maxStateKeys + " (expected: >= 0)");
            }
        }
    }

    /**
     * One publication for the sequencer.
     *
     * @param idempotencyKey null, or a key under which a repeated publish returns the first one's id
     */
    public record Append(Publication publication, TopicKind kind, String idempotencyKey) {
        public Append {
            if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
                throw new IllegalArgumentException("idempotencyKey: " + idempotencyKey.length()
                        + " characters (expected: 1 to " + MAX_IDEMPOTENCY_KEY + ")");
            }
            if (publication.last() && kind != TopicKind.FINITE) {
                throw new IllegalArgumentException("final: only finite topics end");
            }
        }
    }

    /** What the sequencer answered. {@code sequence} and {@code timeMillis} are those of the logged event. */
    public record Appended(Outcome outcome, String epoch, long sequence, long timeMillis) {
        public enum Outcome {
            /** Logged now. */
            APPENDED,
            /** The idempotency key was seen: nothing appended, the first publish's position returned. */
            DUPLICATE,
            /** The finite topic has ended ({@code sequence}: its final event); nothing appended. */
            ENDED,
            /** The state topic holds its maximum of keys and this is a new one; nothing appended. */
            STATE_FULL
        }

        /** The event's id, {@code <epoch>-<sequence>}. */
        public String id() {
            return epoch + "-" + sequence;
        }
    }

    /** The range of the log in {@code epoch}: events {@code oldest..head} are held (none when oldest > head). */
    public record Position(String epoch, long head, long oldest) {}

    /** A finite topic as the log remembers it: its first and last sequence, and its final event's (0 while open). */
    public record FiniteRecord(long first, long last, long end) {
        public boolean ended() {
            return end > 0;
        }
    }

    public SharedLog(RedisConnections redis, String prefix, Bounds bounds) {
        if (!prefix.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("prefix: \"" + prefix + "\" (expected: 1 to 64 of A-Z a-z 0-9 . _ -)");
        }
        this.redis = redis;
        this.prefix = prefix;
        this.bounds = bounds;
    }

    /** Reads the current epoch, creating it when Redis has none (a new Redis, or one that lost its data). */
    public String open() {
        return epoch = runEpochScript("");
    }

    /** The epoch this node writes to, or null before {@link #open}. */
    public String epoch() {
        return epoch;
    }

    public String prefix() {
        return prefix;
    }

    public Bounds bounds() {
        return bounds;
    }

    /**
     * Declares that Redis lost events of {@code lostEpoch} (this node saw more than Redis holds) and
     * returns the current epoch: a new one, or the one another node already made.
     */
    public String renewEpoch(String lostEpoch) {
        return epoch = runEpochScript(lostEpoch);
    }

    /**
     * Appends one event (one script, one round trip).
     *
     * @throws RedisUnavailableException Redis did not answer in time; the publish may have been applied
     */
    public Appended append(Append a) {
        return redis.call("append to the shared log", a.idempotencyKey() != null, jedis -> appendOn(jedis, a));
    }

    /**
     * Appends events in one pipeline: one round trip for all of them, in this order, each still one
     * atomic script. Answers in the same order.
     *
     * @throws RedisUnavailableException Redis did not answer in time; any of them may have been applied
     * @throws JedisDataException        Redis refused one of them (out of memory, say); the others were
     *                                   logged
     */
    public List<Appended> appendAll(List<Append> batch) {
        boolean repeatable = batch.stream().allMatch(a -> a.idempotencyKey() != null);
        List<Answer> answers = redis.call("append to the shared log", repeatable, jedis -> appendAll(jedis, batch));
        List<Appended> out = new ArrayList<>(answers.size());
        for (Answer a : answers) {
            if (a.refused() != null) {
                throw a.refused();
            }
            out.add(a.appended());
        }
        return out;
    }

    /** One publication's answer in a pipeline: its position, or why Redis refused it alone. */
    record Answer(Appended appended, JedisDataException refused) {}

    /** As {@link #appendAll(List)}, on a connection the caller owns (the appender's), answer by answer. */
    List<Answer> appendAll(Jedis jedis, List<Append> batch) {
        String writingTo = currentEpoch();
        List<Response<Object>> responses = new ArrayList<>(batch.size());
        boolean load = scriptsLoaded.add(jedis);
        try (Pipeline pipeline = jedis.pipelined()) {
            if (load) {
                // A connection's first batch makes sure Redis knows the script. Answered NOSCRIPT in the
                // middle of a batch (another connection loading it meanwhile), the first appends would be
                // sent again after later ones that ran: out of their publisher's order.
                Script.APPEND.queueLoad(pipeline);
            }
            for (Append a : batch) {
                responses.add(Script.APPEND.queue(pipeline, keys(writingTo, a), args(writingTo, a)));
            }
            pipeline.sync();
        }
        List<Answer> out = new ArrayList<>(batch.size());
        List<Integer> again = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Appended appended = null;
            JedisDataException refused = null;
            try {
                appended = appended(writingTo, responses.get(i).get());
            } catch (JedisNoScriptException e) {
                // Redis forgot the script (restart, failover, SCRIPT FLUSH): this one did not run.
            } catch (JedisDataException e) {
                refused = e;
            }
            out.add(new Answer(appended, refused));
            if (appended == null && refused == null) {
                again.add(i);
            }
        }
        // In their order, and one by one: they may need the script's text, or a new epoch.
        for (int i : again) {
            try {
                out.set(i, new Answer(appendOn(jedis, batch.get(i)), null));
            } catch (JedisDataException e) {
                out.set(i, new Answer(null, e));
            }
        }
        return out;
    }

    /** Where the log stands; drops what has aged out first, so a quiet log's window stays honest. */
    public Position position() {
        return redis.call("read the shared log's position", true, jedis -> {
            for (int attempt = 0; ; attempt++) {
                String reading = currentEpoch();
                LogKeys k = new LogKeys(prefix, reading);
                Object reply = Script.POSITION.run(jedis, List.of(k.epochKey(), k.meta(), k.log(), k.index()),
                        List.of(reading, Integer.toString(bounds.maxEvents()), Long.toString(bounds.maxBytes()),
                                Long.toString(bounds.maxAge().toMillis())));
                List<?> r = Replies.list(reply, "position.lua");
                if ("position".equals(Replies.text(r.get(0)))) {
                    return new Position(reading, Replies.number(r.get(1)), Replies.number(r.get(2)));
                }
                adoptEpoch(reading, reply, attempt);
            }
        });
    }

    /**
     * Up to {@code max} events of {@code epoch} after sequence {@code after}, oldest first, read in
     * batches of at most {@value #RANGE_BATCH}. The first returned may come after {@code after + 1} when
     * the log no longer holds what lies between: callers compare.
     */
    public List<LogEntry> read(String epoch, long after, int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: > 0)");
        }
        String key = new LogKeys(prefix, epoch).log();
        return redis.call("read the shared log", true, jedis -> {
            List<LogEntry> out = new ArrayList<>(Math.min(max, RANGE_BATCH));
            long from = after;
            while (out.size() < max) {
                int count = Math.min(RANGE_BATCH, max - out.size());
                List<StreamEntry> batch = jedis.xrange(key, "(" + LogEntry.streamId(from), "+", count);
                for (StreamEntry e : batch) {
                    out.add(LogEntry.fromStream(e));
                }
                if (batch.size() < count) {
                    break;
                }
                from = out.get(out.size() - 1).sequence();
            }
            return out;
        });
    }

    /** The latest event per key of a state topic in {@code epoch}, in log order. */
    public List<LogEntry> state(String epoch, String topic) {
        Map<String, String> values = redis.call("read a state topic", true,
                jedis -> jedis.hgetAll(new LogKeys(prefix, epoch).state(topic)));
        List<LogEntry> out = new ArrayList<>(values.size());
        values.forEach((key, value) -> out.add(LogEntry.fromState(topic, key, value)));
        out.sort(Comparator.comparingLong(LogEntry::sequence));
        return out;
    }

    /** What the log remembers of a finite topic in {@code epoch}, or null when nothing. */
    public FiniteRecord finite(String epoch, String topic) {
        Map<String, String> record = redis.call("read a finite topic", true,
                jedis -> jedis.hgetAll(new LogKeys(prefix, epoch).finite(topic)));
        if (record.isEmpty()) {
            return null;
        }
        return new FiniteRecord(Long.parseLong(record.getOrDefault("first", "0")),
                Long.parseLong(record.getOrDefault("last", "0")), Long.parseLong(record.getOrDefault("end", "0")));
    }

    /** Deletes every key of a retired epoch (a few hundred per round trip); returns how many went. */
    public long forget(String retired) {
        if (retired.equals(epoch)) {
            throw new IllegalArgumentException("epoch: " + retired + " is current (expected: a retired one)");
        }
        ScanParams match = new ScanParams().match(new LogKeys(prefix, retired).pattern()).count(500);
        return redis.call("forget epoch " + retired, true, jedis -> {
            long removed = 0;
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, match);
                if (!page.getResult().isEmpty()) {
                    removed += jedis.unlink(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return removed;
        });
    }

    private Appended appendOn(Jedis jedis, Append a) {
        for (int attempt = 0; ; attempt++) {
            String writingTo = currentEpoch();
            Object reply = Script.APPEND.run(jedis, keys(writingTo, a), args(writingTo, a));
            Appended appended = appended(writingTo, reply);
            if (appended != null) {
                return appended;
            }
            adoptEpoch(writingTo, reply, attempt);
        }
    }

    /** The answer of {@code append.lua}, or null when it names another epoch. */
    private static Appended appended(String epoch, Object reply) {
        List<?> r = Replies.list(reply, "append.lua");
        String word = Replies.text(r.get(0));
        return switch (word) {
            case "appended" -> new Appended(Appended.Outcome.APPENDED, epoch, Replies.number(r.get(1)),
                    Replies.number(r.get(2)));
            case "duplicate" -> new Appended(Appended.Outcome.DUPLICATE, epoch, Replies.number(r.get(1)),
                    Replies.number(r.get(2)));
            case "ended" -> new Appended(Appended.Outcome.ENDED, epoch, Replies.number(r.get(1)), 0);
            case "full" -> new Appended(Appended.Outcome.STATE_FULL, epoch, 0, 0);
            case "epoch" -> null;
            default -> throw new IllegalStateException("append.lua answered " + r);
        };
    }

    /**
     * A script found another epoch than the one it was given: Redis has none (it lost its data, so this
     * node makes the new one) or another node already renewed it. Either way, continue in the current one.
     */
    private void adoptEpoch(String tried, Object reply, int attempt) {
        if (attempt >= 3) {
            throw new IllegalStateException("the shared log's epoch keeps changing (last tried " + tried + ")");
        }
        String current = Replies.text(Replies.list(reply, "epoch check").get(1));
        epoch = current.isEmpty() ? runEpochScript("") : current;
    }

    private String currentEpoch() {
        String e = epoch;
        return e != null ? e : open();
    }

    private String runEpochScript(String lost) {
        // Repeatable: a second run finds the epoch the first one set, and returns it.
        return redis.call("open the shared log's epoch", true, jedis -> Replies.text(Script.EPOCH.run(jedis,
                List.of(LogKeys.epochKey(prefix)), List.of(lost, MemoryEventLog.newEpoch()))));
    }

    private List<String> keys(String epoch, Append a) {
        LogKeys k = new LogKeys(prefix, epoch);
        String topicKey = switch (a.kind()) {
            case STATE -> k.state(a.publication().topic());
            case FINITE -> k.finite(a.publication().topic());
            case STREAM -> k.meta();
        };
        String once = a.idempotencyKey() == null ? k.meta() : k.once(a.idempotencyKey());
        return List.of(k.epochKey(), k.meta(), k.log(), k.index(), topicKey, once);
    }

    private List<String> args(String epoch, Append a) {
        Publication p = a.publication();
        return List.of(epoch, a.kind().name().toLowerCase(java.util.Locale.ROOT), p.topic(),
                p.event() == null ? "" : p.event(), p.data(),
                a.kind() == TopicKind.STATE ? LoggedEvents.stateKey(p) : "", p.last() ? "1" : "0",
                a.idempotencyKey() == null ? "0" : "1", Integer.toString(bounds.maxEvents()),
                Long.toString(bounds.maxBytes()), Long.toString(bounds.maxAge().toMillis()),
                Long.toString(bounds.maxAge().toMillis()), Integer.toString(bounds.maxStateKeys()));
    }

    /** The id {@code XREAD} resumes after, for a sequence. */
    static StreamEntryID after(long sequence) {
        return new StreamEntryID(sequence, 0);
    }

    @Override
    public String toString() {
        return "SharedLog[" + redis.describe() + " " + prefix + ", epoch " + epoch + "]";
    }
}
