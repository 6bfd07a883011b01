package dev.runnel.web;

import dev.runnel.web.api.WebSocketServlet;
import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;

/**
 * The WebSocket transport's registration, apart from {@link RunnelListener} so that no class of the
 * Jakarta WebSocket API is loaded where the container offers none.
 *
 * <p>Threading: called once, at start.
 */
final class WebSocketSupport {
    /** Where Jakarta WebSocket containers (Jetty's ee10 module, Tomcat) publish their {@link ServerContainer}. */
    static final String CONTAINER_ATTRIBUTE = "jakarta.websocket.server.ServerContainer";

    private WebSocketSupport() {}

    /** Registers {@code /ws} when the container is there; returns false when it is not. */
    static boolean register(ServletContext context, Runnel runnel) {
        if (!(context.getAttribute(CONTAINER_ATTRIBUTE) instanceof ServerContainer container)) {
            return false;
        }
        RunnelListener.add(context, "websocket", new WebSocketServlet(runnel, container), "/ws");
        return true;
    }
}
