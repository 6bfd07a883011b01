package dev.runnel.web.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CORS for the origins of {@code runnel.cors.origins}, and for no other. For a listed origin the
 * response echoes it in {@code Access-Control-Allow-Origin} with
 * {@code Access-Control-Allow-Credentials: true} (cookies and tickets work cross-origin; a
 * wildcard is never sent, as the CORS rules forbid it with credentials). Preflights for
 * {@code /publish}, {@code /tickets} and {@code /events} (a fetch-based client sending
 * {@code Authorization}) are answered here. Unlisted origins get no CORS header at all, so the
 * browser keeps the response from the page. {@code Vary: Origin} goes on every response, so that
 * a cache never serves one origin's answer to another.
 *
 * <p>Threading: stateless; container threads.
 */
public final class CorsFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Set<String> PREFLIGHT_PATHS = Set.of("/publish", "/tickets", "/events");

    private final Set<String> origins;

    public CorsFilter(List<String> origins) {
        this.origins = Set.copyOf(origins);
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        if (origins.isEmpty()) {
            chain.doFilter(req, resp);
            return;
        }
        resp.addHeader("Vary", "Origin");
        String origin = req.getHeader("Origin");
        if (origin == null || !origins.contains(origin.toLowerCase(Locale.ROOT))) {
            chain.doFilter(req, resp);
            return;
        }
        boolean preflight = req.getMethod().equals("OPTIONS") && req.getHeader("Access-Control-Request-Method") != null;
        String path = req.getRequestURI().substring(req.getContextPath().length());
        if (preflight && !PREFLIGHT_PATHS.contains(path)) {
            chain.doFilter(req, resp);
            return;
        }
        resp.setHeader("Access-Control-Allow-Origin", origin);
        resp.setHeader("Access-Control-Allow-Credentials", "true");
        if (preflight) {
            resp.setHeader("Access-Control-Allow-Methods", path.equals("/events") ? "GET" : "POST");
            resp.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
            resp.setHeader("Access-Control-Max-Age", "600");
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        chain.doFilter(req, resp);
    }
}
