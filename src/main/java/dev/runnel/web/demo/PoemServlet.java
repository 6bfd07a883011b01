package dev.runnel.web.demo;

import dev.runnel.feed.PoemFeed;
import dev.runnel.web.limits.StreamLimits;
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
 * id belongs to no recent run gets {@code 204} as well. A new run passes the stream limits first, so it
 * is not started for a stream that {@code /events} would refuse, then the {@link DemoGate} (its cost:
 * the poem's events) and {@code runnel.poem.perAddress}. {@code HEAD} answers what a {@code GET} would,
 * starting nothing.
 *
 * <p>Threading: container threads.
 */
public final class PoemServlet extends FeedServlet {
    private static final long serialVersionUID = 1L;

    private final transient PoemFeed poems;
    private final transient DemoGate gate;
    private final transient StreamLimits limits;

    public PoemServlet(PoemFeed poems, DemoGate gate, StreamLimits limits) {
        super("GET");
        this.poems = poems;
        this.gate = gate;
        this.limits = limits;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        requireEventStream(req);
        String lastEventId = req.getHeader("Last-Event-ID");
        String topic;
        if (lastEventId == null || lastEventId.isEmpty()) {
            limits.check(gate.client(req));
            if (isHead(req)) {
                gate.check(req);
                eventStreamHeaders(resp);
                return;
            }
            topic = call(resp, () -> gate.admit(req, PoemFeed.EVENTS, poems::start));
        } else {
            Optional<String> run = poems.topicOf(lastEventId);
            if (run.isEmpty()) {
                resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
                return;
            }
            topic = run.get();
        }
        try {
            // A HEAD stays a HEAD through the forward, and /events answers it with headers alone.
            req.getRequestDispatcher("/events?topic=" + topic).forward(req, resp);
        } catch (ServletException e) {
            throw new IOException("forwarding the poem stream to /events failed", e);
        }
    }
}
