package dev.runnel.web.openai;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.runnel.chat.AnswerView;
import dev.runnel.chat.ChatGateway;
import dev.runnel.chat.Question;
import dev.runnel.chat.ChatModel;
import dev.runnel.chat.ChatRefused;
import dev.runnel.web.api.ChatServlet;
import dev.runnel.web.api.EventStreams;
import dev.runnel.web.api.EventsServlet;
import dev.runnel.web.api.Server;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import dev.runnel.web.http.JsonBody;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAI chat API on Runnel, so that OpenAI SDKs, LangChain4j and Spring AI work pointed at
 * {@code <runnel>/v1}: {@code POST /v1/chat/completions} ({@code stream} true or false) and the
 * resume of a streamed answer, {@code GET /v1/chat/completions/<id>/stream} with
 * {@code Last-Event-ID}. The answer is the same as on {@code POST /chat}: a finite topic written once;
 * the stream is a view of it ({@link CompletionChunks}), every frame with its {@code id:}.
 *
 * <p>The status is held until the answer's first event, so that an upstream refusal before any text
 * reaches the client as a real status ({@code 429} with {@code Retry-After}, 502, 503, 504) with an
 * OpenAI error body; the answer's id is in {@code X-Runnel-Answer} from the first byte. Errors are
 * always OpenAI-shaped: {@code {"error": {"message","type","code","param"}}}.
 *
 * <p>Threading: container threads; the answer's first event or end resumes the request through
 * {@link AsyncContext#start}.
 */
public final class CompletionsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(CompletionsServlet.class.getName());
    static final String ANSWER_HEADER = "X-Runnel-Answer";
    private static final Pattern RESUME = Pattern.compile("/([a-z0-9]{1,64})/stream");
    /** What OpenAI clients send that Runnel takes, or accepts and leaves to the model's defaults. */
    private static final Set<String> FIELDS = Set.of("model", "messages", "stream", "stream_options", "max_tokens",
            "max_completion_tokens", "temperature", "top_p", "n", "user", "presence_penalty", "frequency_penalty",
            "seed", "stop", "logprobs", "response_format", "store", "metadata", "parallel_tool_calls");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    private final transient ChatGateway chat;
    private final transient Server server;
    private final boolean credentialRequired;
    private final transient ChatServlet.Admission admission;

    public CompletionsServlet(ChatGateway chat, Server server, boolean credentialRequired,
            ChatServlet.Admission admission) {
        super("GET", "POST");
        this.chat = chat;
        this.server = server;
        this.credentialRequired = credentialRequired;
        this.admission = admission;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            String info = req.getPathInfo();
            if (info == null || info.equals("/")) {
                if (!method.equals("POST")) {
                    throw methodNotAllowed(method, "POST");
                }
                complete(req, resp);
                return;
            }
            Matcher m = RESUME.matcher(info);
            if (!m.matches()) {
                throw new HttpError(404, "not_found", "no such route: " + req.getRequestURI()
                        + " (expected: POST /v1/chat/completions or GET /v1/chat/completions/<id>/stream)");
            }
            if (!method.equals("GET")) {
                throw methodNotAllowed(method, "GET");
            }
            resume(req, resp, m.group(1));
        } catch (HttpError e) {
            OpenAiErrors.send(resp, e);
        }
    }

    private void complete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (server.isShuttingDown()) {
            throw new HttpError(503, "shutting-down", "the server is shutting down; try again in a few seconds")
                    .withHeader("Retry-After", "5");
        }
        String caller = server.access().chatCaller(req, credentialRequired);
        Map<String, JsonElement> body = JsonBody.fields(req, server.publishMaxBytes(), "runnel.publish.maxBytes");
        for (String name : body.keySet()) {
            if (!FIELDS.contains(name)) {
                throw OpenAiErrors.invalid(name, "unsupported parameter \"" + name + "\""
                        + (name.equals("tools") || name.equals("tool_choice") ? " (tools are the upstream's, not the client's)" : ""));
            }
        }
        String model = JsonBody.string(body, "model", false);
        if (model != null && !model.equals(chat.modelName())) {
            throw new HttpError(404, "model_not_found", "the model \"" + model + "\" does not exist here (expected: "
                    + chat.modelName() + ", GET /v1/models)");
        }
        if (body.containsKey("n") && !body.get("n").isJsonNull() && body.get("n").getAsInt() != 1) {
            throw OpenAiErrors.invalid("n", "n: only 1 answer per request");
        }
        boolean stream = bool(body, "stream");
        JsonElement options = body.get("stream_options");
        boolean includeUsage = options != null && options.isJsonObject() && options.getAsJsonObject().has("include_usage")
                && options.getAsJsonObject().get("include_usage").getAsBoolean();
        Integer maxTokens = maxTokens(body);
        Question q = new Question(null, null, messages(body.get("messages")), maxTokens,
                req.getHeader("Idempotency-Key"));
        String lastEventId = stream ? EventStreams.lastEventId(req, server) : null;
        // A stream holds a permit like any other (429 per address, 503 in all), taken before the upstream is.
        Runnable permit = stream ? server.limits().acquire(server.clients().of(req)) : () -> { };
        boolean handedOver = false;
        try {
            AnswerView answer = admission.admit(req, () -> ask(caller, q));
            resp.setHeader(ANSWER_HEADER, answer.id());
            if (answer.replayed()) {
                resp.setHeader("Idempotent-Replayed", "true");
            }
            AsyncContext async = req.startAsync();
            async.setTimeout(0); // the gateway's watchdog bounds how long an answer can keep this waiting
            if (stream) {
                chat.whenStarted(answer.id(), view -> streamOrRefuse(async, view, includeUsage, lastEventId, permit));
            } else {
                chat.whenEnded(answer.id(), view -> async.start(() -> whole(async, view)));
            }
            handedOver = true;
        } finally {
            if (!handedOver) {
                permit.run();
            }
        }
    }

    private void resume(HttpServletRequest req, HttpServletResponse resp, String id) throws IOException {
        requireEventStream(req);
        AnswerView answer = chat.find(id).orElseThrow(() -> new HttpError(404, "not_found", "no answer \"" + id
                + "\" (it never existed, or it ended long enough ago to be forgotten)"));
        String lastEventId = EventStreams.lastEventId(req, server);
        if (EventsServlet.finished(server, List.of(answer.topic()), lastEventId)) {
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT); // WHATWG: EventSource stops; the client has it all
            return;
        }
        resp.setHeader(ANSWER_HEADER, id);
        Runnable permit = server.limits().acquire(server.clients().of(req));
        boolean handedOver = false;
        try {
            stream(req.startAsync(), answer, true, lastEventId, permit);
            handedOver = true;
        } finally {
            if (!handedOver) {
                permit.run();
            }
        }
    }

    private AnswerView ask(String caller, Question q) {
        try {
            return chat.ask(caller, q);
        } catch (ChatRefused e) {
            throw ChatServlet.refused(e, OpenAiErrors.code(e.kind()));
        }
    }

    /**
     * The first event is out: a failure before any text is a real status; anything else streams. Runs on
     * the thread that published that event. Opening a stream never blocks (its headers leave with its
     * first write, on the stream's own writer), so it opens right here: a hand-off to a container
     * thread would only delay the first token. A refusal writes a body, so it is handed off.
     */
    private void streamOrRefuse(AsyncContext async, AnswerView view, boolean includeUsage, String lastEventId,
            Runnable permit) {
        if (view.state() == AnswerView.State.FAILED && view.tokens() == 0 && view.reasoning().isEmpty()
                && view.toolCalls().isEmpty()) {
            async.start(() -> refuse(async, view, permit));
            return;
        }
        boolean handedOver = false;
        try {
            stream(async, view, includeUsage, lastEventId, permit);
            handedOver = true;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "answer " + view.id() + ": its client went away before the stream: " + e);
            async.complete();
        } finally {
            if (!handedOver) {
                permit.run();
            }
        }
    }

    private void refuse(AsyncContext async, AnswerView view, Runnable permit) {
        try {
            OpenAiErrors.send((HttpServletResponse) async.getResponse(), view.failure());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "answer " + view.id() + ": its client went away before its error: " + e);
        } finally {
            permit.run();
            async.complete();
        }
    }

    private void stream(AsyncContext async, AnswerView answer, boolean includeUsage, String lastEventId,
            Runnable permit) throws IOException {
        CompletionChunks view = new CompletionChunks(answer.id(), answer.model(), answer.createdMillis() / 1000,
                includeUsage);
        EventStreams.open(server, async, List.of(answer.topic()), lastEventId, null, permit, view);
    }

    /** The non-streaming answer, once it has ended. */
    private void whole(AsyncContext async, AnswerView view) {
        HttpServletResponse resp = (HttpServletResponse) async.getResponse();
        try {
            if (view.state() == AnswerView.State.FAILED) {
                OpenAiErrors.send(resp, view.failure());
            } else {
                sendJson(resp, 200, OpenAiJson.completion(view));
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "answer " + view.id() + ": its client went away: " + e);
        } finally {
            async.complete();
        }
    }

    private static boolean bool(Map<String, JsonElement> body, String name) {
        JsonElement e = body.get(name);
        if (e == null || e.isJsonNull()) {
            return false;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw OpenAiErrors.invalid(name, name + ": " + JsonBody.kind(e) + " (expected: true or false)");
        }
        return e.getAsBoolean();
    }

    private static Integer maxTokens(Map<String, JsonElement> body) {
        for (String name : List.of("max_completion_tokens", "max_tokens")) {
            JsonElement e = body.get(name);
            if (e != null && !e.isJsonNull()) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                    throw OpenAiErrors.invalid(name, name + ": " + JsonBody.kind(e) + " (expected: an integer)");
                }
                long n = e.getAsLong();
                return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
            }
        }
        return null;
    }

    /** {@code messages}: roles and string contents (or arrays of text parts). */
    private static List<ChatModel.Message> messages(JsonElement e) {
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
            throw OpenAiErrors.invalid("messages", "messages: expected a non-empty array of {role, content}");
        }
        List<ChatModel.Message> messages = new ArrayList<>();
        JsonArray array = e.getAsJsonArray();
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isJsonObject()) {
                throw OpenAiErrors.invalid("messages", "messages[" + i + "]: expected an object {role, content}");
            }
            JsonObject m = array.get(i).getAsJsonObject();
            JsonElement role = m.get("role");
            if (role == null || !role.isJsonPrimitive() || !ROLES.contains(role.getAsString())) {
                throw OpenAiErrors.invalid("messages", "messages[" + i + "].role: expected one of " + ROLES);
            }
            String r = role.getAsString().equals("developer") ? "system" : role.getAsString();
            messages.add(new ChatModel.Message(r, content(m.get("content"), i)));
        }
        return messages;
    }

    private static String content(JsonElement c, int i) {
        if (c != null && c.isJsonPrimitive() && c.getAsJsonPrimitive().isString()) {
            return c.getAsString();
        }
        if (c != null && c.isJsonArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonElement part : c.getAsJsonArray()) {
                if (!part.isJsonObject() || !"text".equals(string(part.getAsJsonObject(), "type"))) {
                    throw OpenAiErrors.invalid("messages", "messages[" + i + "].content: only text parts are taken");
                }
                text.append(string(part.getAsJsonObject(), "text"));
            }
            return text.toString();
        }
        throw OpenAiErrors.invalid("messages", "messages[" + i + "].content: expected a string or text parts");
    }

    private static String string(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }
}
