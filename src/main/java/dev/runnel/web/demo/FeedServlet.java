package dev.runnel.web.demo;

import dev.runnel.feed.LimitReachedException;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Base of the feed endpoints ({@code /tasks}, {@code /notifications}, {@code /demo/poem}):
 * maps what a feed throws to HTTP — a bad value is a 400 with the feed's reason, a limit a 429 with
 * {@code Retry-After}, a feed that is shutting down a 503 — and reads ids from the path.
 *
 * <p>Threading: container threads; no request state in fields.
 */
abstract class FeedServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,64}");

    FeedServlet(String... methods) {
        super(methods);
    }

    /** Runs a feed call, turning its exceptions into JSON errors. */
    static <T> T call(HttpServletResponse resp, Supplier<T> action) {
        try {
            return action.get();
        } catch (LimitReachedException e) {
            resp.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
            throw new HttpError(429, "too-many-requests", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            resp.setHeader("Retry-After", "5");
            throw new HttpError(503, "shutting-down", e.getMessage());
        }
    }

    /**
     * The id in {@code /<collection>/<id>}, or null for the collection itself. An id that cannot exist is
     * a 404 like any unknown one.
     */
    static String pathId(HttpServletRequest req, String collection) {
        String info = req.getPathInfo();
        if (info == null || info.equals("/")) {
            return null;
        }
        String id = info.substring(1);
        if (!ID.matcher(id).matches()) {
            throw notFound(collection, id);
        }
        return id;
    }

    static HttpError notFound(String collection, String id) {
        return new HttpError(404, "not-found", "no " + collection + " \"" + id + "\" (it never existed, or it ended "
                + "long enough ago to be forgotten)");
    }

    /** The context-relative path {@code path} as an absolute path for this deployment. */
    static String link(HttpServletRequest req, String path) {
        return req.getContextPath() + path;
    }
}
