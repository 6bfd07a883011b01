package dev.runnel.web.ops;

import dev.runnel.stream.CloseReason;
import dev.runnel.stream.EventStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open streams as an operator sees them: who opened each (the client's address, as
 * {@code web.http.ClientAddress} tells it), over which transport, since when. The endpoint that opens
 * a stream registers it here ({@link #opened}) and runs what that returns when the stream closes; the
 * two log lines of a stream's life come from here, and so do {@code runnel_streams{transport}}, the
 * console's list of streams and the operator's close ({@code DELETE /admin/streams/<id>}).
 * <pre>
 * stream opened id=k3f9-1a address=203.0.113.7 transport=sse topics=news,stocks cursor=k3f9-1041
 * stream closed id=k3f9-1a address=203.0.113.7 transport=sse topics=news,stocks reason=client duration=12.402s events=40 detail="…"
 * stream evicted id=k3f9-1a address=203.0.113.7 transport=sse topics=news reason=queue duration=3.120s events=911 detail="…"
 * </pre>
 * Opened and closed at DEBUG; an eviction (queue or write timeout) at INFO, besides.
 *
 * <p>Threading: thread-safe.
 */
public final class OpenStreams {
    private static final System.Logger LOG = System.getLogger(OpenStreams.class.getName());
    /** The transports whose count {@code /metrics} always shows, open streams or not. */
    private static final List<String> KNOWN_TRANSPORTS = List.of("sse", "ws");

    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final Happenings happenings;

    /** One open stream. */
    public record Entry(EventStream stream, String address, String transport, long openedNanos) {
        public long ageNanos(long now) {
            return now - openedNanos;
        }
    }

    public OpenStreams(Happenings happenings) {
        this.happenings = happenings;
    }

    /**
     * Registers a stream about to subscribe; returns what its close action must run (it forgets the
     * stream and logs its end).
     *
     * @param transport a short constant ({@code sse}, {@code ws}); the label of {@code runnel_streams}
     * @param cursor    the client's {@code Last-Event-ID}, or null
     */
    public Runnable opened(EventStream stream, String address, String transport, List<String> topics, String cursor) {
        Entry entry = new Entry(stream, address, transport, System.nanoTime());
        byId.put(stream.id(), entry);
        LOG.log(Level.DEBUG, () -> LogLine.of("stream opened").with("id", stream.id()).with("address", address)
                .with("transport", transport).with("topics", topics).with("cursor", cursor).toString());
        return () -> closed(entry);
    }

    private void closed(Entry entry) {
        byId.remove(entry.stream().id(), entry);
        EventStream stream = entry.stream();
        String detail = stream.closeReason();
        CloseReason reason = CloseReason.of(detail);
        boolean evicted = reason == CloseReason.QUEUE || reason == CloseReason.WRITE_TIMEOUT;
        Level level = evicted ? Level.INFO : Level.DEBUG;
        if (LOG.isLoggable(level)) {
            LOG.log(level, LogLine.of(evicted ? "stream evicted" : "stream closed").with("id", stream.id())
                    .with("address", entry.address()).with("transport", entry.transport()).with("topics", stream.topics())
                    .with("reason", reason.label()).withSeconds("duration", entry.ageNanos(System.nanoTime()))
                    .with("events", stream.eventsSent()).with("detail", detail).toString());
        }
        if (evicted) {
            happenings.add("eviction", reason.label(), entry.address(), stream.id(), detail);
        }
    }

    /** The open stream {@code id}, or null. */
    public Entry find(String id) {
        return byId.get(id);
    }

    public List<Entry> snapshot() {
        return new ArrayList<>(byId.values());
    }

    /** Open streams by transport, the known transports always present. */
    public Map<String, Long> countByTransport() {
        Map<String, Long> counts = new TreeMap<>();
        KNOWN_TRANSPORTS.forEach(t -> counts.put(t, 0L));
        for (Entry e : byId.values()) {
            counts.merge(e.transport(), 1L, Long::sum);
        }
        return counts;
    }
}
