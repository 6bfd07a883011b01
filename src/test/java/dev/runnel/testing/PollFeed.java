package dev.runnel.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;

/**
 * A {@link Feed} over {@code GET poll}: a thread polls one request after the other, each with the
 * cursor the previous answer returned, as a long-polling client does, until the topics end or the feed
 * is closed. A non-200 answer is an {@code error} item, and ends the feed.
 */
public final class PollFeed extends Feed {
    private final HttpClient client;
    private final URI base;
    private final String query;
    private final String timeout;
    private final Thread poller;
    private volatile boolean closed;
    private volatile int polls;

    public PollFeed(HttpClient client, URI base, String query, String cursor, String timeout) {
        this.client = client;
        this.base = base;
        this.query = query;
        this.timeout = timeout;
        cursor(cursor);
        poller = new Thread(this::poll, "poll-feed");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        try {
            while (!closed) {
                String c = cursor();
                URI uri = base.resolve("poll?" + query + "&timeout=" + timeout
                        + (c == null ? "" : "&cursor=" + URLEncoder.encode(c, StandardCharsets.UTF_8)));
                ContentResponse response = client.newRequest(uri).timeout(60, TimeUnit.SECONDS).send();
                polls++;
                if (response.getStatus() != 200) {
                    JsonObject error = JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
                    add(new Item("error", null, error.get("error").getAsString(), null, response.getContentAsString()));
                    break;
                }
                JsonObject answer = JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
                if (answer.has("cursor")) {
                    cursor(answer.get("cursor").getAsString()); // before the items: a test that took them resumes here
                }
                if (answer.has("reset")) {
                    JsonObject reset = answer.getAsJsonObject("reset");
                    add(new Item("reset", null, reset.get("reason").getAsString(), null, reset.toString()));
                }
                for (JsonElement e : answer.getAsJsonArray("events")) {
                    JsonObject event = e.getAsJsonObject();
                    add(new Item("event", event.get("topic").getAsString(), event.get("event").getAsString(),
                            event.get("id").getAsString(), event.get("data").getAsString()));
                }
                joined();
                if (answer.has("ended")) {
                    break;
                }
            }
        } catch (Exception e) {
            if (!closed) {
                add(new Item("error", null, "client", null, String.valueOf(e)));
            }
        } finally {
            ended();
            joined();
        }
    }

    /** Polls answered so far. */
    public int polls() {
        return polls;
    }


    @Override
    public void close() {
        closed = true;
        poller.interrupt();
    }
}
