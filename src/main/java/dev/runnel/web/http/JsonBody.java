package dev.runnel.web.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.internal.LazilyParsedNumber;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Request bodies of the JSON endpoints: read with a size bound, decoded as strict UTF-8, parsed as
 * strict JSON no deeper than {@link #MAX_DEPTH}, or as a strict form ({@link FormBody}). Every
 * failure is a {@link HttpError} with a reason (400, 413 or 415).
 *
 * <p>The static methods serve {@code /publish} and {@code /tickets}; an instance, from
 * {@link #read(HttpServletRequest, long, Set)}, is the optional small body of a feed endpoint
 * ({@code curl -d steps=5}, a JSON object, or nothing at all).
 *
 * <p>Threading: the static methods are stateless; an instance belongs to one request.
 */
public final class JsonBody {
    /** Nesting bound: far beyond any honest payload, far below any parser's stack. */
    static final int MAX_DEPTH = 32;

    private final Map<String, JsonElement> fields;

    private JsonBody(Map<String, JsonElement> fields) {
        this.fields = fields;
    }

    /** Reads an optional body (JSON object, form fields or empty); refuses fields not in {@code allowed}. */
    public static JsonBody read(HttpServletRequest req, long maxBytes, Set<String> allowed) throws IOException {
        Map<String, JsonElement> fields = fields(req, maxBytes, null, true);
        for (String name : fields.keySet()) {
            if (!allowed.contains(name)) {
                throw HttpError.badRequest("unknown field \"" + name + "\" (expected: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return new JsonBody(fields);
    }

    /** A string field, or null when absent or JSON null. */
    public String string(String name) {
        return string(fields, name, false);
    }

    /** A whole-number field (a JSON number, or digits in a form field), or {@code fallback} when absent. */
    public long integer(String name, long fallback) {
        JsonElement value = fields.get(name);
        if (value == null || value.isJsonNull()) {
            return fallback;
        }
        if (value.isJsonPrimitive()) {
            try {
                return new java.math.BigDecimal(value.getAsString()).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                // not a whole number: the error below says so
            }
        }
        throw HttpError.badRequest(name + ": " + value + " (expected: a whole number)");
    }

    /** The body's fields, from a JSON object or a form; the names in the answer are unchecked. */
    public static Map<String, JsonElement> fields(HttpServletRequest req, long maxBytes, String setting) throws IOException {
        return fields(req, maxBytes, setting, false);
    }

    private static Map<String, JsonElement> fields(HttpServletRequest req, long maxBytes, String setting,
            boolean emptyAllowed) throws IOException {
        String body = read(req, maxBytes, setting);
        if (emptyAllowed && body.isBlank()) {
            return new LinkedHashMap<>();
        }
        if (isForm(req)) {
            Map<String, JsonElement> fields = new LinkedHashMap<>();
            FormBody.parse(body).forEach((k, v) -> fields.put(k, new JsonPrimitive(v)));
            return fields;
        }
        String type = req.getContentType();
        if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new HttpError(415, "unsupported-media-type", "Content-Type " + type
                    + " (expected: application/json or application/x-www-form-urlencoded)");
        }
        JsonElement root = parse(body);
        if (!root.isJsonObject()) {
            throw HttpError.badRequest("body: a JSON " + kind(root) + " (expected: an object)");
        }
        Map<String, JsonElement> fields = new LinkedHashMap<>();
        root.getAsJsonObject().entrySet().forEach(e -> fields.put(e.getKey(), e.getValue()));
        return fields;
    }

    public static String read(HttpServletRequest req, long max, String setting) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > max) {
            throw tooLarge(declared, max, setting);
        }
        byte[] bytes;
        try (InputStream in = req.getInputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        }
        if (bytes.length > max) {
            throw tooLarge(bytes.length, max, setting);
        }
        return StrictUtf8.decode(bytes, "body: not valid UTF-8");
    }

    static JsonElement parse(String body) {
        checkDepth(body);
        try {
            JsonReader reader = new JsonReader(new StringReader(body));
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw HttpError.badRequest("body: not valid JSON (more after the value at " + reader.getPath() + ")");
            }
            return root;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw HttpError.badRequest("body: not valid JSON (" + e.getMessage() + ")");
        }
    }

    /**
     * Builds the tree from a strict reader, refusing a name given twice in one object (Gson would
     * silently keep the last: two parsers could then read two different requests from one body).
     * Recursion is bounded by {@link #checkDepth}.
     */
    private static JsonElement read(JsonReader reader) throws IOException {
        switch (reader.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject object = new JsonObject();
                reader.beginObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    if (object.has(name)) {
                        throw HttpError.badRequest("body: not valid JSON (field \"" + name + "\" given twice)");
                    }
                    object.add(name, read(reader));
                }
                reader.endObject();
                return object;
            }
            case BEGIN_ARRAY -> {
                JsonArray array = new JsonArray();
                reader.beginArray();
                while (reader.hasNext()) {
                    array.add(read(reader));
                }
                reader.endArray();
                return array;
            }
            case STRING -> {
                return new JsonPrimitive(reader.nextString());
            }
            case NUMBER -> {
                // Keeps the number's text as sent (Gson's own tree does the same), so 1e400 stays 1e400.
                return new JsonPrimitive(new LazilyParsedNumber(reader.nextString()));
            }
            case BOOLEAN -> {
                return new JsonPrimitive(reader.nextBoolean());
            }
            case NULL -> {
                reader.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw HttpError.badRequest("body: not valid JSON (unexpected " + reader.peek() + ")");
        }
    }

    /** Refuses nesting deeper than {@link #MAX_DEPTH} before any parser sees it. */
    private static void checkDepth(String body) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > MAX_DEPTH) {
                    throw HttpError.badRequest("body: not valid JSON (nested deeper than " + MAX_DEPTH + " levels)");
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
    }

    /**
     * A JSON object from text that did not come as a request body (a WebSocket message), checked as
     * strictly as a body is: 400 for anything but one object.
     */
    public static Map<String, JsonElement> object(String text) {
        JsonElement root = parse(text);
        if (!root.isJsonObject()) {
            throw HttpError.badRequest("body: a JSON " + kind(root) + " (expected: an object)");
        }
        Map<String, JsonElement> fields = new LinkedHashMap<>();
        root.getAsJsonObject().entrySet().forEach(e -> fields.put(e.getKey(), e.getValue()));
        return fields;
    }

    public static boolean isForm(HttpServletRequest req) {
        String type = req.getContentType();
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    /** A string field: null when absent or JSON null; 400 for another type or when required and missing. */
    public static String string(Map<String, JsonElement> fields, String name, boolean required) {
        JsonElement value = fields.get(name);
        if (value == null || value.isJsonNull()) {
            if (required) {
                throw HttpError.badRequest(name + ": missing (expected: a string)");
            }
            return null;
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw HttpError.badRequest(name + ": a JSON " + kind(value) + " (expected: a string)");
        }
        return value.getAsString();
    }

    public static String kind(JsonElement e) {
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

    private static HttpError tooLarge(long size, long max, String setting) {
        return new HttpError(413, "payload-too-large", "body: " + size + " bytes or more (expected: at most "
                + max + (setting == null ? "" : ", " + setting) + ")");
    }
}
