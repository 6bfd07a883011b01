package dev.runnel.web.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.runnel.web.auth.Access;
import dev.runnel.web.auth.Grants;
import dev.runnel.web.auth.TicketStore;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.FormBody;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tickets}: trades a subscriber token ({@code Authorization: Bearer} or the cookie) for
 * a one-time ticket, so that a browser's {@code EventSource} — which cannot send headers — opens a
 * private stream without a long-lived token in its URL. The body names the topics:
 * {@code {"topics": ["users/alice/inbox"]}}, or form fields {@code topic=…} (repeatable). Every
 * private one must be granted by the token (else 403). Answers
 * {@code {"ticket": "…", "expiresIn": 30, "topics": […]}}; the ticket opens one stream
 * ({@code GET /events?topic=…&ticket=…}) within {@code expiresIn} seconds and grants exactly
 * those topics.
 *
 * <p>Threading: container threads.
 */
public final class TicketsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final long MAX_BODY = 16 * 1024;

    private final transient Server server;

    public TicketsServlet(Server server) {
        super("POST");
        this.server = server;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Access access = server.access();
        Access.Holder holder = access.subscriberToken(req);
        Grants grants = holder.grants();
        List<String> topics = topics(req);
        for (String topic : topics) {
            if (!access.mayOpen(grants, topic)) {
                throw new HttpError(403, "forbidden", "topic \"" + topic + "\" is not granted by the token (claim topics"
                        + (access.isReserved(topic) ? "; Runnel's own topics need the admin credential)" : ")"));
            }
        }
        TicketStore tickets = access.tickets();
        String ticket = tickets.issue(new TicketStore.Ticket(holder.key(), topics, grants.expiresMillis()));
        JsonObject answer = new JsonObject();
        answer.addProperty("ticket", ticket);
        answer.addProperty("expiresIn", tickets.ttlSeconds());
        JsonArray names = new JsonArray();
        topics.forEach(names::add);
        answer.add("topics", names);
        sendJson(resp, 200, answer);
    }

    private List<String> topics(HttpServletRequest req) throws IOException {
        List<String> raw = new ArrayList<>();
        if (JsonBody.isForm(req)) {
            for (Map.Entry<String, String> pair : FormBody.pairs(JsonBody.read(req, MAX_BODY, "16 KiB"))) {
                if (!pair.getKey().equals("topic")) {
                    throw HttpError.badRequest("unknown field \"" + pair.getKey() + "\" (expected: topic)");
                }
                raw.add(pair.getValue());
            }
        } else {
            Map<String, JsonElement> fields = JsonBody.fields(req, MAX_BODY, "16 KiB");
            for (String name : fields.keySet()) {
                if (!name.equals("topics")) {
                    throw HttpError.badRequest("unknown field \"" + name + "\" (expected: topics)");
                }
            }
            JsonElement list = fields.get("topics");
            if (list == null || !list.isJsonArray()) {
                throw HttpError.badRequest("topics: " + (list == null ? "missing" : "a JSON " + JsonBody.kind(list))
                        + " (expected: an array of topic names)");
            }
            for (JsonElement e : list.getAsJsonArray()) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw HttpError.badRequest("topics: an entry is a JSON " + JsonBody.kind(e) + " (expected: a string)");
                }
                raw.add(e.getAsString());
            }
        }
        return TopicList.of(raw, "topics", server.maxTopics());
    }
}
