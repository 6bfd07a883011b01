package dev.runnel.web;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Base of Runnel's HTTP endpoints: JSON answers and JSON errors {@code {"error": "...", "detail":
 * "..."}}, including for an unsupported method (405), so no client ever has to parse an HTML page.
 *
 * <p>Threading: servlets are shared by container threads; subclasses keep no request state in fields.
 */
abstract class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(ApiServlet.class.getName());
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final Set<String> methods;

    ApiServlet(String... methods) {
        this.methods = Set.of(methods);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        if (method.equals("OPTIONS")) {
            resp.setHeader("Allow", allow());
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (!methods.contains(method) && !(method.equals("HEAD") && methods.contains("GET"))) {
            resp.setHeader("Allow", allow());
            sendError(resp, 405, "method-not-allowed", method + " is not supported here (allowed: " + allow() + ")");
            return;
        }
        try {
            handle(method.equals("HEAD") ? "GET" : method, req, resp);
        } catch (BadRequest e) {
            e.headers.forEach(resp::setHeader);
            sendError(resp, e.status, e.error, e.getMessage());
        } catch (RuntimeException e) {
            // A bug: answer in JSON like every other error, and say so loudly in the log.
            LOG.log(System.Logger.Level.ERROR, "internal error on " + method + " " + req.getRequestURI(), e);
            if (!resp.isCommitted() && !req.isAsyncStarted()) {
                resp.reset();
                sendError(resp, 500, "internal-error", "the server failed on this request; see its log");
            }
        }
    }

    abstract void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException;

    private String allow() {
        return String.join(", ", methods.stream().sorted().toList());
    }

    static void sendJson(HttpServletResponse resp, int status, Object body) throws IOException {
        byte[] bytes = GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    static void sendError(HttpServletResponse resp, int status, String error, String detail) throws IOException {
        JsonObject body = new JsonObject();
        body.addProperty("error", error);
        body.addProperty("detail", detail);
        sendJson(resp, status, body);
    }

    /** Thrown by handlers to answer with a JSON error. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String error;
        final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

        BadRequest(int status, String error, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.error = error;
        }

        /** A header the error response carries ({@code Retry-After}, {@code WWW-Authenticate}). */
        BadRequest withHeader(String name, String value) {
            headers.put(name, value);
            return this;
        }

        static BadRequest of(String detail) {
            return new BadRequest(400, "bad-request", detail);
        }
    }
}
