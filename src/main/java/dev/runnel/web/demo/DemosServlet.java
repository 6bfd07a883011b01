package dev.runnel.web.demo;

import dev.runnel.web.http.ApiServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /demos}: which demos this server runs, {@code {"enabled", "tokens", "stocks", "metrics",
 * "chat"}}, so that the demo pages can say so instead of waiting for events that never come. Served
 * whether the demos are on or off (it is the one way a page learns that they are off) and always
 * {@code 200}, so a page's check never shows up as a failed request in the browser's console.
 *
 * <p>Threading: immutable; container threads.
 */
public final class DemosServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;

    private final transient Map<String, Object> status;

    /** The switches as they are for this run. */
    public record Switches(boolean enabled, boolean tokens, boolean stocks, boolean metrics, boolean chat) {}

    public DemosServlet(Switches switches) {
        super("GET");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("enabled", switches.enabled());
        s.put("tokens", switches.tokens());
        s.put("stocks", switches.stocks());
        s.put("metrics", switches.metrics());
        s.put("chat", switches.chat());
        this.status = Collections.unmodifiableMap(s);
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        sendJson(resp, 200, status);
    }
}
