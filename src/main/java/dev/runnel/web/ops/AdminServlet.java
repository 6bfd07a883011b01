package dev.runnel.web.ops;

import dev.runnel.stream.CloseReason;
import dev.runnel.web.auth.Access;
import dev.runnel.web.auth.Grants;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin endpoints, always behind the admin credential ({@link Access#admin}: 401 or 403 in JSON),
 * whatever {@code runnel.metrics.public} says:
 * <ul>
 *   <li>{@code GET /admin}: who signed in and where the console's feed is ({@code {"admin": true,
 *       "subject", "topic", "node", "version", "epoch"}}); the console's sign-in check, and the node
 *       whose samples it follows;</li>
 *   <li>{@code DELETE /admin/streams/<id>}: closes an open stream now ({@code 204}; {@code 404} when
 *       no stream has that id); its client reconnects and resumes with {@code Last-Event-ID}.</li>
 * </ul>
 * The console publishes its test event through {@code POST /publish} and opens its feed and the
 * frame debugger through {@code POST /tickets} and {@code GET /events}, all with the same credential.
 *
 * <p>Threading: container threads.
 */
public final class AdminServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(AdminServlet.class.getName());
    private static final String STREAMS = "/streams/";

    private final transient Access access;
    private final transient OpenStreams streams;
    private final transient Supplier<Map<String, Object>> about;

    /** @param about what {@code GET /admin} tells besides the subject (version, epoch, …) */
    public AdminServlet(Access access, OpenStreams streams, Supplier<Map<String, Object>> about) {
        super("GET", "DELETE");
        this.access = access;
        this.streams = streams;
        this.about = about;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Grants operator = access.admin(req);
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (method.equals("GET") && (path.isEmpty() || path.equals("/"))) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("admin", true);
            answer.put("subject", operator.subject());
            answer.put("topic", ConsoleFeed.TOPIC);
            answer.putAll(about.get());
            sendJson(resp, 200, answer);
            return;
        }
        if (method.equals("DELETE") && path.startsWith(STREAMS) && path.length() > STREAMS.length()) {
            String id = path.substring(STREAMS.length());
            OpenStreams.Entry entry = streams.find(id);
            if (entry == null) {
                throw new HttpError(404, "not-found", "no open stream has the id \"" + id + "\"");
            }
            LOG.log(Level.INFO, () -> LogLine.of("stream closed by an operator").with("id", id)
                    .with("address", entry.address()).with("operator", operator.subject()).toString());
            entry.stream().close(CloseReason.BY_OPERATOR);
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (method.equals("DELETE")) {
            throw methodNotAllowed(method, "GET");
        }
        throw new HttpError(404, "not-found", "nothing at /admin" + path + " (expected: GET /admin, "
                + "DELETE /admin/streams/<id>)");
    }
}
