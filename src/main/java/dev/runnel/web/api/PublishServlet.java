package dev.runnel.web.api;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.runnel.hub.Publication;
import dev.runnel.hub.Receipt;
import dev.runnel.web.auth.Access;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * {@code POST /publish}: a JSON body {@code {"topic","event","data","key","final"}} or the same as
 * form fields (so {@code curl -d topic=news -d data=hi} works). Answers {@code 200 {"id": "…"}} once
 * the event is in the log, asynchronously: no container thread waits on the log (a shared log's round
 * trip, or the fan-out making room when it is behind its bound). A refusal is answered as
 * {@link Refusals} says: {@code 409} for an ended topic or the state limits, {@code 503} with
 * {@code Retry-After} when the fan-out stays behind, the log cannot be reached, or the server stops.
 *
 * <p>Authorization ({@link Access#publisher}): {@code Authorization: Bearer} with the shared
 * {@code runnel.publish.secret} or a signed token whose {@code pub} claim grants the topic (else
 * 403); without one, 401, unless {@code runnel.publish.allowLoopback} lets a client on this machine
 * publish: a fresh install is never an open relay. Each credential is rate limited
 * ({@code runnel.publish.rate}, 429).
 *
 * <p>Threading: container threads.
 */
public final class PublishServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> FIELDS = Set.of("topic", "event", "data", "key", "final");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

    private final transient Server server;

    public PublishServlet(Server server) {
        super("POST");
        this.server = server;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Access.Publisher publisher = server.access().publisher(req);
        server.publishRate().charge(publisher.key(), 1, "this credential publishes faster than runnel.publish.rate allows");
        Map<String, JsonElement> fields = JsonBody.fields(req, server.publishMaxBytes(), "runnel.publish.maxBytes");
        Publication publication = publication(fields);
        if (server.access().isReserved(publication.topic())) {
            throw new HttpError(403, "forbidden", "topics under " + Access.ADMIN_TOPICS + " are Runnel's own: only the "
                    + "server publishes there");
        }
        if (!publisher.grants().mayPublish(publication.topic())) {
            throw new HttpError(403, "forbidden", "the token does not grant publishing to \"" + publication.topic()
                    + "\" (claim pub: " + publisher.grants().publish() + ")");
        }
        String idempotencyKey = idempotencyKey(req, publisher);
        CompletionStage<Receipt> receipt;
        try {
            receipt = server.hub().publish(publication, idempotencyKey);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        // No container thread waits for the log: a shared log answers after its round trip, and a
        // publish held back behind the fan-out later still.
        answerWhenDone(req, resp, receipt, PublishServlet::answer);
    }

    /**
     * The {@code Idempotency-Key} header, scoped to the publishing credential (two publishers' keys
     * never meet), or null. A publish repeated with the same key while its event is in the log answers
     * that event's id and logs nothing: a retry after a timeout cannot publish twice.
     */
    private static String idempotencyKey(HttpServletRequest req, Access.Publisher publisher) {
        String key = req.getHeader("Idempotency-Key");
        if (key == null) {
            return null;
        }
        if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw HttpError.badRequest("Idempotency-Key: " + key.length() + " characters (expected: 1 to 200"
                    + " printable ASCII characters, no space)");
        }
        return publisher.key() + " " + key;
    }

    /** 200 with the id once the event is in the log; a refusal as {@link Refusals} says. */
    private static void answer(HttpServletResponse resp, Receipt receipt) throws IOException {
        if (!receipt.isAccepted()) {
            throw Refusals.of(receipt);
        }
        JsonObject answer = new JsonObject();
        answer.addProperty("id", receipt.id());
        sendJson(resp, 200, answer);
    }

    private static Publication publication(Map<String, JsonElement> fields) {
        for (String name : fields.keySet()) {
            if (!FIELDS.contains(name)) {
                throw HttpError.badRequest("unknown field \"" + name + "\" (expected: topic, event, data, key, final)");
            }
        }
        String topic = JsonBody.string(fields, "topic", true);
        String event = JsonBody.string(fields, "event", false);
        String key = JsonBody.string(fields, "key", false);
        JsonElement data = fields.get("data");
        if (data == null) {
            throw HttpError.badRequest("data: missing (expected: a string or any JSON value)");
        }
        String dataText = data.isJsonPrimitive() && data.getAsJsonPrimitive().isString() ? data.getAsString()
                : GSON.toJson(data);
        boolean last = bool(fields, "final");
        try {
            return new Publication(topic, event, dataText, key, last);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
    }

    private static boolean bool(Map<String, JsonElement> fields, String name) {
        JsonElement value = fields.get(name);
        if (value == null || value.isJsonNull()) {
            return false;
        }
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()) {
            return value.getAsBoolean();
        }
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
            switch (value.getAsString()) {
                case "true":
                    return true;
                case "false":
                    return false;
                default:
                    break;
            }
        }
        throw HttpError.badRequest(name + ": " + value + " (expected: true or false)");
    }
}
