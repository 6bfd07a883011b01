package dev.runnel.web.demo;

import dev.runnel.feed.PoemFeed;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code GET /demo/poem}: the typewriter poem as an event stream. A first request starts a new run on
 * its own finite topic and is served by {@code /events} for that topic; a reconnect (it carries
 * {@code Last-Event-ID}) is served the run that id belongs to, so it continues where it stopped, and
 * once the run has ended gets {@code 204}: the browser never types the poem twice. A reconnect whose
 * id belongs to no recent run gets {@code 204} as well.
 *
 * <p>Threading: container threads.
 */
public final class PoemServlet extends FeedServlet {
    private static final long serialVersionUID = 1L;

    private final transient PoemFeed poems;

    public PoemServlet(PoemFeed poems) {
        super("GET");
        this.poems = poems;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        requireEventStream(req);
        String lastEventId = req.getHeader("Last-Event-ID");
        String topic;
        if (lastEventId == null || lastEventId.isEmpty()) {
            topic = call(resp, poems::start);
        } else {
            Optional<String> run = poems.topicOf(lastEventId);
            if (run.isEmpty()) {
                resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
                return;
            }
            topic = run.get();
        }
        try {
            req.getRequestDispatcher("/events?topic=" + topic).forward(req, resp);
        } catch (ServletException e) {
            throw new IOException("forwarding the poem stream to /events failed", e);
        }
    }
}
