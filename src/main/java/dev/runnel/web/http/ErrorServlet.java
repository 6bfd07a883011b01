package dev.runnel.web.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The web application's default error page ({@code WEB-INF/web.xml} sends every error here): the
 * container's own errors inside the application (an unknown route, a missing file) answer in the same
 * JSON as Runnel's, {@code {"error": "not-found", "detail": "…"}}, so no client has to parse an HTML
 * page. Errors the container raises before the application sees the request stay the container's.
 *
 * <p>Threading: container threads.
 */
public final class ErrorServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;

    public ErrorServlet() {
        super("GET", "POST", "PUT", "DELETE", "PATCH");
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        int status = code instanceof Integer i ? i : 404;
        String path = uri != null ? uri.toString() : req.getRequestURI();
        String error = switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal-error" : "error";
        };
        String detail = status == 404 ? "nothing at " + path + " (see the README for the HTTP API)"
                : "the request to " + path + " failed with status " + status;
        sendError(resp, status, error, detail);
    }
}
