package dev.runnel.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --name value} and {@code --name=value} pairs; a bare word is collected under {@code ""}
 * (the scenario name).
 *
 * <p>Threading: stateless.
 */
final class Flags {
    private Flags() {}

    static Map<String, String> parse(String... args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.isBlank()) {
                continue;
            }
            if (!a.startsWith("--")) {
                flags.merge("", a, (x, y) -> x + "," + y);
                continue;
            }
            int eq = a.indexOf('=');
            if (eq > 0) {
                flags.put(a.substring(2, eq), a.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                flags.put(a.substring(2), args[++i]);
            } else {
                flags.put(a.substring(2), "true");
            }
        }
        return flags;
    }
}
