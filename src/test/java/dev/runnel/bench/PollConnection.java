package dev.runnel.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A long-poller of Runnel's {@code /poll} in the {@link LoadClient}: one kept-alive HTTP/1.1
 * connection on which it asks {@code GET <path>?topic=…&cursor=…&timeout=…} again as soon as each
 * answer ({@code {"events": […], "cursor": …}}) has been read, with the answer's cursor. The first
 * poll has no cursor and {@code timeout=0}, so it answers at once with where the log stands; the
 * poller counts as open from then on (as a stream does at its headers), and later polls wait up to
 * {@code --poll-timeout}. Every event goes through the same checks as an SSE event. A connection the
 * server closes is opened again with the same cursor, as a stream reconnects.
 *
 * <p>Threading: confined to the client's selector thread.
 */
final class PollConnection extends StreamConnection {
    private byte[] answer = new byte[1024];
    private int answerLength;

    PollConnection(LoadClient client, int index, int[] topics, boolean slow) {
        super(client, index, topics, slow);
    }

    @Override
    byte[] request() {
        StringBuilder request = new StringBuilder(128).append("GET ").append(client.path);
        char sep = client.path.indexOf('?') < 0 ? '?' : '&';
        for (int t : topics) {
            request.append(sep).append("topic=t").append(t);
            sep = '&';
        }
        String cursor = lastEventId();
        if (!cursor.isEmpty()) {
            request.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        }
        request.append("&timeout=").append(open ? client.pollTimeout : "0");
        return request.append(" HTTP/1.1\r\nHost: ").append(client.host).append("\r\nAccept: application/json\r\n\r\n")
                .toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    boolean responseHead(int status, String head) {
        if (status != 200) {
            client.refused(this, status);
            return false;
        }
        answerLength = 0;
        startBody(head);
        return true;
    }

    @Override
    boolean body(byte[] bytes, int offset, int length) {
        answer = append(answer, answerLength, bytes, offset, length);
        answerLength += length;
        return true;
    }

    /** An answer is whole: checks its events, takes its cursor and polls again on the same connection. */
    @Override
    boolean bodyEnded() {
        client.answered();
        JsonObject a = JsonParser.parseString(new String(answer, 0, answerLength, StandardCharsets.UTF_8))
                .getAsJsonObject();
        if (a.has("events")) {
            for (JsonElement e : a.getAsJsonArray("events")) {
                JsonObject event = e.getAsJsonObject();
                if ("message".equals(event.get("event").getAsString())) {
                    received(event.get("data").getAsString(), event.get("id").getAsString());
                }
            }
        }
        if (a.has("cursor") && !a.get("cursor").isJsonNull()) {
            cursor(a.get("cursor").getAsString());
        }
        if (!open) {
            open = true;
            client.opened(this);
        }
        expectResponse();
        try {
            write(request());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
