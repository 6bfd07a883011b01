package dev.runnel.web.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict {@code application/x-www-form-urlencoded} decoding: a repeated field, a bad {@code %}
 * escape or invalid UTF-8 is an error with a reason, never a silent guess (the JDK's URLDecoder
 * replaces bad bytes instead).
 *
 * <p>Threading: stateless.
 */
public final class FormBody {
    private FormBody() {}

    public static Map<String, String> parse(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs(body)) {
            if (fields.putIfAbsent(pair.getKey(), pair.getValue()) != null) {
                throw HttpError.badRequest("form field \"" + pair.getKey() + "\" given twice (expected: once)");
            }
        }
        return fields;
    }

    /** Every name=value pair in order, names repeated as given (query strings repeat {@code topic}). */
    public static List<Map.Entry<String, String>> pairs(String body) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        if (body.isEmpty()) {
            return pairs;
        }
        for (String pair : body.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            pairs.add(Map.entry(name, value));
        }
        return pairs;
    }

    private static String decode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0
                        || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw HttpError.badRequest("form: bad %-escape at \"" + s.substring(i, Math.min(s.length(), i + 3))
                            + "\" (expected: %XX with two hex digits)");
                }
                bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    utf8 = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(utf8);
            }
        }
        return StrictUtf8.decode(bytes.toByteArray(), "form: a %-escaped value is not valid UTF-8");
    }
}
