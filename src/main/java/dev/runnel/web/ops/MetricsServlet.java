package dev.runnel.web.ops;

import dev.runnel.metrics.RunnelMetrics;
import dev.runnel.web.auth.Access;
import dev.runnel.web.http.ApiServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code GET /metrics}: every family of {@link RunnelMetrics} in the Prometheus text format, or in
 * OpenMetrics when the scrape's {@code Accept} asks for {@code application/openmetrics-text} (as
 * Prometheus itself does). Needs the admin credential ({@link Access#admin}: 401 or 403 in JSON
 * without it) unless {@code runnel.metrics.public} is on.
 *
 * <p>Threading: container threads; a scrape reads the thread-safe counters.
 */
public final class MetricsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;

    private final transient RunnelMetrics metrics;
    private final transient Access access;
    private final boolean open;

    /** @param open {@code runnel.metrics.public}: scrapes need no credential */
    public MetricsServlet(RunnelMetrics metrics, Access access, boolean open) {
        super("GET");
        this.metrics = metrics;
        this.access = access;
        this.open = open;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!open) {
            access.admin(req);
        }
        RunnelMetrics.Format format = metrics.format(req.getHeader("Accept"));
        // Written whole before anything is sent: a scrape that fails is a JSON 500, never half a page.
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        format.write(body);
        resp.setStatus(200);
        resp.setContentType(format.contentType());
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Vary", "Accept");
        resp.setContentLength(body.size());
        body.writeTo(resp.getOutputStream());
    }
}
