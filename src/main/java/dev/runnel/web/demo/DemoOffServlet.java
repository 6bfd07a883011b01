package dev.runnel.web.demo;

import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Stands at the paths of a demo endpoint that is off ({@code runnel.demos.enabled=false}, or
 * {@code /demo/token} without {@code runnel.demo.tokens}): every method answers {@code 404} with a JSON
 * reason, the same on every container, instead of whatever the container's default servlet would say
 * about a path it does not serve (Tomcat: 405 for a POST).
 *
 * <p>Threading: immutable; container threads.
 */
public final class DemoOffServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;

    private final String why;

    /** @param why what is off, for the detail: {@code "the demos are off (runnel.demos.enabled=false)"} */
    public DemoOffServlet(String why) {
        super("GET", "POST", "PUT", "PATCH", "DELETE");
        this.why = why;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) {
        throw new HttpError(404, "not-found", "nothing at " + req.getRequestURI() + ": " + why);
    }
}
