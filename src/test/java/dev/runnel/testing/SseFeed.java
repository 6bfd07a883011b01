package dev.runnel.testing;

import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;

/** A {@link Feed} over {@code GET events}: an {@link EventRecorder} whose events are read on a thread of its own. */
public final class SseFeed extends Feed {
    private final EventRecorder recorder;
    private final Thread reader;
    private volatile boolean closed;

    public SseFeed(HttpClient client, URI base, String query, String cursor) {
        recorder = EventRecorder.open(client, base.resolve("events?" + query + (cursor == null ? ""
                : "&last_event_id=" + cursor)), null);
        reader = new Thread(this::read, "sse-feed");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            if (recorder.status() != 200) {
                joined();
                ended();
                return;
            }
            for (;;) {
                SseEvent e = recorder.nextOrEnd(java.time.Duration.ofDays(1));
                cursor(recorder.lastEventId());
                if (e == null) {
                    ended();
                    return;
                }
                switch (e.event()) {
                    case "connected" -> {
                        var data = JsonParser.parseString(e.data()).getAsJsonObject();
                        cursor(data.has("cursor") ? data.get("cursor").getAsString() : null);
                        joined();
                    }
                    case "reset" -> add(new Item("reset", null,
                            JsonParser.parseString(e.data()).getAsJsonObject().get("reason").getAsString(), null, e.data()));
                    default -> add(new Item("event", null, e.event(), e.id(), e.data()));
                }
            }
        } catch (AssertionError | RuntimeException e) {
            if (!closed) {
                ended();
            }
        }
    }

    @Override
    public String cursor() {
        String id = recorder.lastEventId();
        return id == null || id.isEmpty() ? super.cursor() : id;
    }


    @Override
    public void close() {
        closed = true;
        recorder.close();
    }
}
