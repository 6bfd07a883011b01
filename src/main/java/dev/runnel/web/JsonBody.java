package dev.runnel.web;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The fields of a small request body for the feed endpoints: a JSON object, the same as form fields
 * ({@code curl -d steps=5}), or nothing at all. Every problem is a {@link ApiServlet.BadRequest} that
 * says what was wrong: 413 over the size limit, 415 for another media type, 400 otherwise.
 *
 * <p>Threading: one instance per request.
 */
final class JsonBody {
    private final Map<String, JsonElement> fields;

    private JsonBody(Map<String, JsonElement> fields) {
        this.fields = fields;
    }

    /** Reads the body; refuses fields not in {@code allowed}. */
    static JsonBody read(HttpServletRequest req, long maxBytes, Set<String> allowed) throws IOException {
        String text = text(req, maxBytes);
        String type = req.getContentType() == null ? "" : req.getContentType().toLowerCase(Locale.ROOT);
        Map<String, JsonElement> fields = new LinkedHashMap<>();
        if (type.startsWith("application/x-www-form-urlencoded")) {
            FormBody.parse(text).forEach((k, v) -> fields.put(k, new JsonPrimitive(v)));
        } else if (!text.isBlank()) {
            if (!type.isEmpty() && !type.startsWith("application/json")) {
                throw new ApiServlet.BadRequest(415, "unsupported-media-type", "Content-Type " + req.getContentType()
                        + " (expected: application/json or application/x-www-form-urlencoded)");
            }
            JsonElement root;
            try {
                JsonReader reader = new JsonReader(new StringReader(text));
                reader.setStrictness(Strictness.STRICT);
                root = JsonParser.parseReader(reader);
            } catch (JsonParseException | StackOverflowError e) {
                throw ApiServlet.BadRequest.of("body: not valid JSON");
            }
            if (!root.isJsonObject()) {
                throw ApiServlet.BadRequest.of("body: not a JSON object (expected: {\"field\": value, …})");
            }
            root.getAsJsonObject().entrySet().forEach(e -> fields.put(e.getKey(), e.getValue()));
        }
        for (String name : fields.keySet()) {
            if (!allowed.contains(name)) {
                throw ApiServlet.BadRequest.of("unknown field \"" + name + "\" (expected: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return new JsonBody(fields);
    }

    /** A string field, or null when absent or JSON null. */
    String string(String name) {
        JsonElement value = fields.get(name);
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw ApiServlet.BadRequest.of(name + ": " + value + " (expected: a string)");
        }
        return value.getAsString();
    }

    /** A whole-number field (a JSON number, or digits in a form field), or {@code fallback} when absent. */
    long integer(String name, long fallback) {
        JsonElement value = fields.get(name);
        if (value == null || value.isJsonNull()) {
            return fallback;
        }
        if (value.isJsonPrimitive()) {
            try {
                return new java.math.BigDecimal(value.getAsString()).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                // falls through to the error below
            }
        }
        throw ApiServlet.BadRequest.of(name + ": " + value + " (expected: a whole number)");
    }

    private static String text(HttpServletRequest req, long maxBytes) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge(declared, maxBytes);
        }
        byte[] bytes;
        try (InputStream in = req.getInputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(bytes.length, maxBytes);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiServlet.BadRequest.of("body: not valid UTF-8");
        }
    }

    private static ApiServlet.BadRequest tooLarge(long size, long max) {
        return new ApiServlet.BadRequest(413, "payload-too-large", "body: " + size + " bytes or more (expected: at most "
                + max + ")");
    }
}
