package dev.runnel.web.ops;

import dev.runnel.metrics.Rejections;
import dev.runnel.web.http.ClientAddress;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts every answer with a 4xx or 5xx status ({@code runnel_requests_rejected_total}), hands it to the
 * console's happenings, and logs each refused credential (401, 403) at INFO — what was presented, never
 * the credential itself:
 * <pre>
 * credential refused status=401 method=POST path=/publish address=203.0.113.7 presented=bearer reason=expired
 * </pre>
 * The reason is the refused token's, as {@code WWW-Authenticate}'s {@code error_description} says it.
 * It runs first, around every other filter, so that their refusals count too.
 *
 * <p>Threading: stateless; container threads.
 */
public final class RejectionsFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(RejectionsFilter.class.getName());
    private static final Pattern DESCRIPTION = Pattern.compile("error_description=\"([a-z-]{1,40})\"");

    private final transient Rejections rejections;
    private final transient Happenings happenings;
    private final transient ClientAddress clients;

    public RejectionsFilter(Rejections rejections, Happenings happenings, ClientAddress clients) {
        this.rejections = rejections;
        this.happenings = happenings;
        this.clients = clients;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(req, resp);
        int status = resp.getStatus();
        if (status < 400 || req.isAsyncStarted()) {
            return;
        }
        rejections.count(status);
        String address = clients.of(req);
        String path = req.getRequestURI().substring(req.getContextPath().length());
        happenings.add("rejection", String.valueOf(status), address, req.getMethod() + " " + path, null);
        if (status == 401 || status == 403) {
            LOG.log(Level.INFO, () -> LogLine.of("credential refused").with("status", status)
                    .with("method", req.getMethod()).with("path", path).with("address", address)
                    .with("presented", presented(req)).with("reason", reason(resp)).toString());
        }
    }

    /** Which kind of credential came along: {@code bearer}, {@code ticket}, {@code cookie} or {@code none}. */
    private static String presented(HttpServletRequest req) {
        if (req.getHeader("Authorization") != null) {
            return "bearer";
        }
        if (req.getQueryString() != null && req.getQueryString().contains("ticket=")) {
            return "ticket";
        }
        return req.getHeader("Cookie") != null ? "cookie" : "none";
    }

    private static String reason(HttpServletResponse resp) {
        String challenge = resp.getHeader("WWW-Authenticate");
        if (challenge == null) {
            return null;
        }
        Matcher m = DESCRIPTION.matcher(challenge);
        return m.find() ? m.group(1) : null;
    }
}
