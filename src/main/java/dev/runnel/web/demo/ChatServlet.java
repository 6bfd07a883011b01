package dev.runnel.web.demo;

import dev.runnel.feed.ChatFeed;
import dev.runnel.feed.ChatFeed.AnswerView;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /chat} {@code {"prompt","conversation"?}} starts an answer and answers {@code 201
 * {"id","topic","stream","conversation",…}}; the tokens stream on {@code chat/<id>}.
 * {@code GET /chat/<id>} shows the answer's state; {@code DELETE /chat/<id>} stops it (409 when it
 * has already ended). A start passes the {@link DemoGate} (its cost: the longest answer's events);
 * over {@code runnel.chat.maxRunning}: 429 with {@code Retry-After}.
 *
 * <p>Threading: container threads.
 */
public final class ChatServlet extends FeedServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> FIELDS = Set.of("prompt", "conversation");

    private final transient ChatFeed chat;
    private final transient DemoGate gate;
    private final int answerEvents;
    private final long maxBodyBytes;

    /** @param answerEvents the most events one answer publishes, what a start is charged */
    public ChatServlet(ChatFeed chat, DemoGate gate, int answerEvents, long maxBodyBytes) {
        super("GET", "POST", "DELETE");
        this.chat = chat;
        this.gate = gate;
        this.answerEvents = answerEvents;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String id = pathId(req, "answer");
        if (id == null) {
            if (!method.equals("POST")) {
                throw methodNotAllowed(method, "POST");
            }
            JsonBody body = JsonBody.read(req, maxBodyBytes, FIELDS);
            String prompt = body.string("prompt");
            String conversation = body.string("conversation");
            AnswerView answer = call(resp, () -> gate.admit(req, answerEvents, client -> chat.ask(prompt, conversation)));
            resp.setHeader("Location", link(req, "/chat/" + answer.id()));
            sendJson(resp, 201, json(req, answer));
            return;
        }
        switch (method) {
            case "GET" -> sendJson(resp, 200, json(req, chat.get(id).orElseThrow(() -> notFound("answer", id))));
            case "DELETE" -> {
                AnswerView answer = chat.cancel(id).orElseThrow(() -> notFound("answer", id));
                if (answer.state() != ChatFeed.State.CANCELLED) {
                    throw new HttpError(409, "answer-finished", "answer " + id + " has already ended ("
                            + answer.finishReason() + ")");
                }
                sendJson(resp, 200, json(req, answer));
            }
            default -> throw methodNotAllowed(method, "DELETE, GET");
        }
    }

    private static Map<String, Object> json(HttpServletRequest req, AnswerView answer) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", answer.id());
        json.put("topic", answer.topic());
        json.put("stream", link(req, "/events?topic=" + answer.topic()));
        json.put("conversation", answer.conversation());
        json.put("state", answer.state().name().toLowerCase(Locale.ROOT));
        json.put("tokens", answer.tokens());
        if (answer.finishReason() != null) {
            json.put("finishReason", answer.finishReason());
        }
        return json;
    }
}
