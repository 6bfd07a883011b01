package dev.runnel.redis;

import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.LoggedEvents;
import java.util.Map;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * One event as the shared log stores it. A stream entry has the id {@code <sequence>-0} and the fields
 *
 * <pre>
 * t  publish time, Redis's clock, epoch milliseconds
 * p  topic
 * d  data
 * e  event name            (absent: the default "message")
 * k  state key             (only on state topics)
 * f  "1"                   (only on the final event of a finite topic)
 * </pre>
 *
 * and a state hash holds the latest entry per key as {@code "<seq>\n<time>\n<event>\n<data>"} (an event
 * name has no line break; the data comes last and may have any). Every node rebuilds the
 * {@link LoggedEvent} from these and encodes its frame once ({@link #toLogged}); the frame itself is
 * never stored, so what Redis keeps per event is its payload and a few short fields.
 *
 * <p>Threading: immutable.
 *
 * @param event    null for the default {@code message}
 * @param stateKey for state topics the key newer values replace older ones under; else null
 */
public record LogEntry(long sequence, String topic, String event, String data, String stateKey, boolean last,
        long timeMillis) {

    static LogEntry fromStream(StreamEntry entry) {
        StreamEntryID id = entry.getID();
        Map<String, String> f = entry.getFields();
        String time = f.get("t");
        String topic = f.get("p");
        String data = f.get("d");
        if (id.getSequence() != 0 || time == null || topic == null || data == null) {
            throw new IllegalStateException("not an entry of Runnel's log: " + entry);
        }
        return new LogEntry(id.getTime(), topic, f.get("e"), data, f.get("k"), "1".equals(f.get("f")),
                Long.parseLong(time));
    }

    /** Reads a state hash's value for {@code stateKey} of {@code topic}. */
    static LogEntry fromState(String topic, String stateKey, String value) {
        int a = value.indexOf('\n');
        int b = value.indexOf('\n', a + 1);
        int c = value.indexOf('\n', b + 1);
        if (a < 0 || b < 0 || c < 0) {
            throw new IllegalStateException("not a state value of Runnel's log: " + topic + " " + stateKey);
        }
        String event = value.substring(b + 1, c);
        return new LogEntry(Long.parseLong(value, 0, a, 10), topic, event.isEmpty() ? null : event,
                value.substring(c + 1), stateKey, false, Long.parseLong(value, a + 1, b, 10));
    }

    /** The stream entry id of a sequence. */
    static String streamId(long sequence) {
        return sequence + "-0";
    }

    /** The event as the hub holds it, its frame encoded now, with the id {@code <epoch>-<sequence>}. */
    public LoggedEvent toLogged(String epoch) {
        return LoggedEvents.of(sequence, epoch + "-" + sequence, topic, event, data, last, timeMillis, stateKey);
    }
}
