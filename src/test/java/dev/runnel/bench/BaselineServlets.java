package dev.runnel.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.ee10.servlets.EventSource;
import org.eclipse.jetty.ee10.servlets.EventSourceServlet;

/**
 * The naive SSE server Runnel is measured against, built the way Jetty's documentation suggests:
 * {@link EventSourceServlet} holds one {@link EventSource.Emitter} per connection, and a publish
 * walks the topic's emitters in the publishing request's thread, each {@code data()} a blocking write
 * followed by a flush. No queue, no coalescing, no replay. It speaks the same two endpoints as Runnel
 * ({@code GET /events?topic=…}, {@code POST /publish} with {@code {"topic","data"}}), so the same load
 * generator drives both.
 *
 * <p>Threading: container threads; the topic registry is concurrent.
 */
final class BaselineServlets {
    final Map<String, Set<EventSource.Emitter>> topics = new ConcurrentHashMap<>();
    final Set<EventSource.Emitter> emitters = ConcurrentHashMap.newKeySet();
    final LongAdder delivered = new LongAdder();
    final LongAdder published = new LongAdder();

    HttpServlet events() {
        return new Events();
    }

    HttpServlet publish() {
        return new Publish();
    }

    private final class Events extends EventSourceServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected EventSource newEventSource(HttpServletRequest request) {
            String[] names = request.getParameterValues("topic");
            String[] wanted = names == null ? new String[0] : names;
            return new EventSource() {
                private Emitter emitter;

                @Override
                public void onOpen(Emitter e) {
                    emitter = e;
                    emitters.add(e);
                    for (String t : wanted) {
                        topics.computeIfAbsent(t, k -> ConcurrentHashMap.newKeySet()).add(e);
                    }
                }

                @Override
                public void onClose() {
                    emitters.remove(emitter);
                    for (String t : wanted) {
                        Set<Emitter> set = topics.get(t);
                        if (set != null) {
                            set.remove(emitter);
                        }
                    }
                }
            };
        }
    }

    private final class Publish extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            JsonObject json = JsonParser.parseString(body).getAsJsonObject();
            String data = json.get("data").getAsString();
            Set<EventSource.Emitter> set = topics.getOrDefault(json.get("topic").getAsString(), Set.of());
            published.increment();
            int n = 0;
            for (EventSource.Emitter e : set) {
                try {
                    e.data(data);
                    n++;
                } catch (IOException gone) {
                    e.close();
                    set.remove(e);
                }
            }
            delivered.add(n);
            byte[] answer = ("{\"delivered\":" + n + "}").getBytes(StandardCharsets.UTF_8);
            resp.setContentType("application/json");
            resp.setContentLength(answer.length);
            resp.getOutputStream().write(answer);
        }
    }
}
