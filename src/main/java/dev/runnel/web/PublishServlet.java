package dev.runnel.web;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import dev.runnel.hub.LoggedEvent;
import dev.runnel.hub.Publication;
import dev.runnel.hub.TopicEndedException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /publish}: a JSON body {@code {"topic","event","data","key","final"}} or the same as
 * form fields (so {@code curl -d topic=news -d data=hi} works). Answers {@code 200 {"id": "…"}}.
 *
 * <p>Authorization: {@code Authorization: Bearer <runnel.publish.secret>}. Without a configured
 * secret only loopback clients may publish: a fresh install is never an open relay.
 *
 * <p>Threading: container threads.
 */
final class PublishServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> FIELDS = Set.of("topic", "event", "data", "key", "final");

    private final transient Runnel runnel;

    PublishServlet(Runnel runnel) {
        super("POST");
        this.runnel = runnel;
    }

    @Override
    void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        authorize(req, resp);
        String body = readBody(req);
        Map<String, JsonElement> fields = isForm(req) ? form(body) : json(body, req.getContentType());
        Publication publication = publication(fields);
        LoggedEvent event;
        try {
            event = runnel.hub().publish(publication);
        } catch (IllegalArgumentException e) {
            throw BadRequest.of(e.getMessage());
        } catch (TopicEndedException e) {
            throw new BadRequest(409, "topic-ended", e.getMessage());
        } catch (IllegalStateException e) {
            resp.setHeader("Retry-After", "5");
            throw new BadRequest(503, "shutting-down", e.getMessage());
        }
        JsonObject answer = new JsonObject();
        answer.addProperty("id", event.id());
        sendJson(resp, 200, answer);
    }

    private void authorize(HttpServletRequest req, HttpServletResponse resp) {
        String secret = runnel.config().publishSecret();
        if (secret == null) {
            if (!isLoopback(req.getRemoteAddr())) {
                throw new BadRequest(403, "forbidden", "no runnel.publish.secret is configured, so only loopback "
                        + "clients may publish; set the secret and send Authorization: Bearer <secret>");
            }
            return;
        }
        String header = req.getHeader("Authorization");
        String expected = "Bearer " + secret;
        if (header == null || !MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"runnel\"");
            throw new BadRequest(401, "unauthorized", header == null
                    ? "publishing needs Authorization: Bearer <runnel.publish.secret>"
                    : "the bearer credential is not the publish secret");
        }
    }

    static boolean isLoopback(String address) {
        return address != null && (address.startsWith("127.") || address.equals("::1")
                || address.equals("0:0:0:0:0:0:0:1") || address.equals("[::1]"));
    }

    private String readBody(HttpServletRequest req) throws IOException {
        long max = runnel.config().publishMaxBytes();
        long declared = req.getContentLengthLong();
        if (declared > max) {
            throw tooLarge(declared, max);
        }
        byte[] bytes;
        try (InputStream in = req.getInputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        }
        if (bytes.length > max) {
            throw tooLarge(bytes.length, max);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw BadRequest.of("body: not valid UTF-8");
        }
    }

    private static BadRequest tooLarge(long size, long max) {
        return new BadRequest(413, "payload-too-large", "body: " + size + " bytes or more (expected: at most " + max
                + ", runnel.publish.maxBytes)");
    }

    private static boolean isForm(HttpServletRequest req) {
        String type = req.getContentType();
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    private static Map<String, JsonElement> json(String body, String contentType) {
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new BadRequest(415, "unsupported-media-type", "Content-Type " + contentType
                    + " (expected: application/json or application/x-www-form-urlencoded)");
        }
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(body));
            reader.setStrictness(Strictness.STRICT);
            root = JsonParser.parseReader(reader);
        } catch (JsonParseException | StackOverflowError e) {
            throw BadRequest.of("body: not valid JSON (" + rootMessage(e) + ")");
        }
        if (!root.isJsonObject()) {
            throw BadRequest.of("body: a JSON " + kind(root) + " (expected: an object with topic and data)");
        }
        Map<String, JsonElement> fields = new LinkedHashMap<>();
        root.getAsJsonObject().entrySet().forEach(e -> fields.put(e.getKey(), e.getValue()));
        return fields;
    }

    private static Map<String, JsonElement> form(String body) {
        Map<String, JsonElement> fields = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : FormBody.parse(body).entrySet()) {
            fields.put(e.getKey(), new com.google.gson.JsonPrimitive(e.getValue()));
        }
        return fields;
    }

    private static Publication publication(Map<String, JsonElement> fields) {
        for (String name : fields.keySet()) {
            if (!FIELDS.contains(name)) {
                throw BadRequest.of("unknown field \"" + name + "\" (expected: topic, event, data, key, final)");
            }
        }
        String topic = string(fields, "topic", true);
        String event = string(fields, "event", false);
        String key = string(fields, "key", false);
        JsonElement data = fields.get("data");
        if (data == null) {
            throw BadRequest.of("data: missing (expected: a string or any JSON value)");
        }
        String dataText = data.isJsonPrimitive() && data.getAsJsonPrimitive().isString() ? data.getAsString()
                : GSON.toJson(data);
        boolean last = bool(fields, "final");
        try {
            return new Publication(topic, event, dataText, key, last);
        } catch (IllegalArgumentException e) {
            throw BadRequest.of(e.getMessage());
        }
    }

    private static String string(Map<String, JsonElement> fields, String name, boolean required) {
        JsonElement value = fields.get(name);
        if (value == null || value.isJsonNull()) {
            if (required) {
                throw BadRequest.of(name + ": missing (expected: a string)");
            }
            return null;
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw BadRequest.of(name + ": a JSON " + kind(value) + " (expected: a string)");
        }
        return value.getAsString();
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
        throw BadRequest.of(name + ": " + value + " (expected: true or false)");
    }

    private static String kind(JsonElement e) {
        if (e.isJsonObject()) {
            return "object";
        }
        if (e.isJsonArray()) {
            return "array";
        }
        if (e.isJsonNull()) {
            return "null";
        }
        var p = e.getAsJsonPrimitive();
        return p.isBoolean() ? "boolean" : p.isNumber() ? "number" : "string";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof StackOverflowError ? "nested too deeply" : String.valueOf(t.getMessage());
    }
}
