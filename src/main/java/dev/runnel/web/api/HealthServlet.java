package dev.runnel.web.api;

import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /health} (alive: {@code 200} while the application is deployed) and
 * {@code GET /health/ready} (this node can serve: {@code 200}, or {@code 503} with the reason — shutting
 * down, or its log out of reach). What load balancers and Kubernetes probe: no credential, no rate
 * limit, never cached ({@code Cache-Control: no-store}, as every JSON answer).
 *
 * <p>Threading: container threads; {@link Server#ready} is thread-safe.
 */
public final class HealthServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;

    private final transient Server server;

    public HealthServlet(Server server) {
        super("GET");
        this.server = server;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        if (path == null || path.equals("/")) {
            sendJson(resp, 200, Map.of("status", "alive"));
        } else if (path.equals("/ready")) {
            ready(resp);
        } else {
            throw new HttpError(404, "not-found", "GET /health or /health/ready");
        }
    }

    private void ready(HttpServletResponse resp) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        if (server.ready()) {
            body.put("status", "ready");
            sendJson(resp, 200, body);
            return;
        }
        body.put("status", "unavailable");
        if (server.isShuttingDown()) {
            body.put("reason", "shutting-down");
            body.put("detail", "this node is stopping");
        } else {
            body.put("reason", "log-unavailable");
            body.put("detail", server.sharedLog() ? "this node cannot reach Redis (runnel.redis.url)"
                    : "this node's log is closed");
        }
        sendJson(resp, 503, body);
    }
}
