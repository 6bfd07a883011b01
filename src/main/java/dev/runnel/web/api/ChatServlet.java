package dev.runnel.web.api;

import dev.runnel.chat.AnswerView;
import dev.runnel.chat.ChatGateway;
import dev.runnel.chat.Question;
import dev.runnel.chat.ChatRefused;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runnel's own chat API. {@code POST /chat} {@code {"prompt","conversation"?,"maxTokens"?}} starts an
 * answer and answers {@code 201 {"id","topic","stream","conversation","state",…}}; the answer streams
 * on the finite topic {@code chat/<id>} ({@code GET /events?topic=chat/<id>}). With an
 * {@code Idempotency-Key} the same key from the same caller finds the same answer ({@code 200},
 * {@code Idempotent-Replayed: true}) instead of starting another. {@code GET /chat/<id>} shows the
 * answer's state; {@code DELETE /chat/<id>} stops it (409 when it has already ended). With several
 * nodes on one Redis both work on every node; a {@code DELETE} of an answer another node writes
 * answers {@code 202}, the answer as that node last registered it, and that node stops it.
 *
 * <p>With an upstream model configured, starting or stopping an answer needs a credential
 * ({@link dev.runnel.web.auth.Access#chatCaller}); the offline model answers anyone.
 *
 * <p>Threading: container threads.
 */
public final class ChatServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> FIELDS = Set.of("prompt", "conversation", "maxTokens");
    private static final Pattern ID = Pattern.compile("[a-z0-9]{1,64}");

    private final transient ChatGateway chat;
    private final transient Server server;
    private final boolean credentialRequired;
    private final transient Admission admission;

    /**
     * What a start must pass besides the gateway's own limits: nothing with an upstream (credentials
     * and budgets govern it); the demos' gate (a rate per client address, a share of the log) for the
     * anonymous offline model. Throws an {@code HttpError} to refuse.
     */
    @FunctionalInterface
    public interface Admission {
        AnswerView admit(HttpServletRequest req, java.util.function.Supplier<AnswerView> start);
    }

    public ChatServlet(ChatGateway chat, Server server, boolean credentialRequired, Admission admission) {
        super("GET", "POST", "DELETE");
        this.chat = chat;
        this.server = server;
        this.credentialRequired = credentialRequired;
        this.admission = admission;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String id = answerId(req);
        if (id == null) {
            if (!method.equals("POST")) {
                throw methodNotAllowed(method, "POST");
            }
            String caller = server.access().chatCaller(req, credentialRequired);
            JsonBody body = JsonBody.read(req, server.publishMaxBytes(), FIELDS);
            long maxTokens = body.integer("maxTokens", -1);
            Question q = new Question(body.string("prompt"), body.string("conversation"), null,
                    maxTokens < 0 ? null : (int) Math.min(Integer.MAX_VALUE, maxTokens),
                    req.getHeader("Idempotency-Key"));
            AnswerView answer;
            try {
                answer = chat.ask(caller, q);
            } catch (ChatRefused e) {
                throw refused(e, e.kind().error);
            }
            resp.setHeader("Location", req.getContextPath() + "/chat/" + answer.id());
            if (answer.replayed()) {
                resp.setHeader("Idempotent-Replayed", "true");
            }
            sendJson(resp, answer.replayed() ? 200 : 201, json(req, answer));
            return;
        }
        switch (method) {
            case "GET" -> sendJson(resp, 200, json(req, chat.find(id).orElseThrow(() -> notFound(id))));
            case "DELETE" -> {
                String caller = server.access().chatCaller(req, credentialRequired);
                AnswerView answer = chat.cancel(caller, id).orElseThrow(() -> notFound(id));
                if (answer.state() == AnswerView.State.RUNNING) {
                    // Another node writes it and stops it on its next look at Redis: accepted, not yet done.
                    sendJson(resp, 202, json(req, answer));
                    return;
                }
                if (answer.state() != AnswerView.State.CANCELLED) {
                    throw new HttpError(409, "answer-finished", "answer " + id + " has already ended ("
                            + answer.finishReason() + ")");
                }
                sendJson(resp, 200, json(req, answer));
            }
            default -> throw methodNotAllowed(method, "DELETE, GET");
        }
    }

    /** A gateway's refusal as an HTTP error with code {@code error}, and its {@code Retry-After}. */
    public static HttpError refused(ChatRefused e, String error) {
        HttpError http = new HttpError(e.kind().status, error, e.getMessage());
        if (e.retryAfterSeconds() > 0) {
            http.withHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        return http;
    }

    private static String answerId(HttpServletRequest req) {
        String info = req.getPathInfo();
        if (info == null || info.equals("/")) {
            return null;
        }
        String id = info.substring(1);
        if (!ID.matcher(id).matches()) {
            throw notFound(id);
        }
        return id;
    }

    private static HttpError notFound(String id) {
        return new HttpError(404, "not-found", "no answer \"" + id + "\" (it never existed, or it ended long enough "
                + "ago to be forgotten)");
    }

    private static Map<String, Object> json(HttpServletRequest req, AnswerView answer) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", answer.id());
        json.put("topic", answer.topic());
        json.put("stream", req.getContextPath() + "/events?topic=" + answer.topic());
        json.put("conversation", answer.conversation());
        json.put("model", answer.model());
        json.put("prompt", answer.prompt());
        json.put("state", answer.state().label());
        json.put("tokens", answer.tokens());
        if (answer.finishReason() != null) {
            json.put("finishReason", answer.finishReason());
        }
        if (answer.usage() != null) {
            json.put("usage", Map.of("promptTokens", answer.usage().promptTokens(), "completionTokens",
                    answer.usage().completionTokens(), "totalTokens", answer.usage().totalTokens()));
        }
        if (answer.failure() != null) {
            Map<String, Object> failure = new LinkedHashMap<>();
            failure.put("reason", answer.failure().reason());
            if (answer.failure().status() > 0) {
                failure.put("status", answer.failure().status());
            }
            failure.put("detail", answer.failure().detail());
            json.put("failure", failure);
        }
        return json;
    }
}
