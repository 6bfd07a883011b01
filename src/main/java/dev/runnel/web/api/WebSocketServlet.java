package dev.runnel.web.api;

import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /ws[?ticket=…]}: the WebSocket handshake. Everything an HTTP request can be refused for
 * is decided here, before the upgrade, and answered as JSON like every other endpoint: 503 while
 * shutting down, 426 for a request that is no WebSocket handshake, 400 for other query parameters,
 * 403 for a browser page of an origin that is neither this server's nor one of
 * {@code runnel.cors.origins} (a cookie would otherwise let any site read a user's private topics),
 * 429/503 over the stream limits of the client's address. Then the container upgrades the connection
 * ({@link ServerContainer#upgradeHttpToWebSocket}, Jakarta WebSocket 2.1) with a
 * {@link ServerEndpointConfig.Configurator} that hands it this connection's {@link WebSocketEndpoint},
 * which holds the stream permit and the credentials the handshake presented.
 *
 * <p>Threading: container threads.
 */
public final class WebSocketServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> PARAMETERS = Set.of("ticket");

    private final transient Server server;
    private final transient ServerContainer container;
    private final AtomicLong connections = new AtomicLong();

    public WebSocketServlet(Server server, ServerContainer container) {
        super("GET");
        this.server = server;
        this.container = container;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (server.isShuttingDown() || server.hub().isClosed()) {
            throw EventsServlet.shuttingDown();
        }
        if (!server.hub().available()) {
            throw Refusals.logUnavailable("this node cannot reach its log now; reconnect in a few seconds");
        }
        for (String name : req.getParameterMap().keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw HttpError.badRequest("unknown query parameter \"" + name + "\" (expected: ticket; topics come in "
                        + "the subscribe message)");
            }
        }
        if (isHead(req) || !"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            throw new HttpError(426, "upgrade-required", "this endpoint speaks WebSocket: send a handshake "
                    + "(Upgrade: websocket); plain HTTP clients use /events or /poll").withHeader("Upgrade", "websocket");
        }
        checkOrigin(req);
        Runnable permit = server.limits().acquire(server.clients().of(req));
        boolean handedOver = false;
        try {
            String id = server.hub().epoch() + "-w" + Long.toString(connections.incrementAndGet(), 36);
            WebSocketEndpoint endpoint = new WebSocketEndpoint(server, permit, server.access().credentials(req), id,
                    server.clients().of(req));
            ServerEndpointConfig config = ServerEndpointConfig.Builder.create(WebSocketEndpoint.class, "/ws")
                    .configurator(new ServerEndpointConfig.Configurator() {
                        @Override
                        public <T> T getEndpointInstance(Class<T> type) {
                            return type.cast(endpoint);
                        }
                    }).build();
            container.upgradeHttpToWebSocket(req, resp, config, Map.of());
            handedOver = true;
        } catch (DeploymentException e) {
            throw new IllegalStateException("the WebSocket upgrade failed", e);
        } finally {
            if (!handedOver) {
                permit.run();
            }
        }
    }

    /** A browser says where the page came from; only this server's own pages and the CORS origins may connect. */
    private void checkOrigin(HttpServletRequest req) {
        String origin = req.getHeader("Origin");
        if (origin == null || server.corsOrigins().contains(origin) || sameOrigin(origin, req.getHeader("Host"))) {
            return;
        }
        throw new HttpError(403, "forbidden-origin", "a page from " + origin + " may not open this server's "
                + "WebSocket (expected: this server's own origin, or one of runnel.cors.origins)");
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            String originHost = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            String given = host.toLowerCase(Locale.ROOT);
            return given.equals(originHost + ":" + port) || (given.equals(originHost) && port == defaultPort(scheme));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }
}
