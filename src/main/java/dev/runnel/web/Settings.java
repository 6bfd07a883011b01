package dev.runnel.web;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runnel's configuration. A key such as {@code runnel.log.size} is looked up, first match wins, as a
 * system property ({@code -Drunnel.log.size=…}), as an environment variable ({@code RUNNEL_LOG_SIZE}:
 * upper case, dots and dashes as underscores), as a {@code web.xml} context-param, and finally falls
 * back to its documented default (README, "Configuration").
 *
 * <p>Durations read as {@code 15s}, {@code 500ms}, {@code 2m}, {@code 1h} or plain milliseconds; sizes
 * as {@code 64KiB}, {@code 1MiB} or plain bytes.
 *
 * <p>Every key read whose value differs from its default is remembered ({@link #changed}), for the
 * start-up log line that tells an operator what this instance runs with; secrets are masked there.
 *
 * <p>Threading: thread-safe; the values never change once built.
 */
public final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB|k|m|g)?",
            Pattern.CASE_INSENSITIVE);

    private final Function<String, String> source;
    private final Map<String, String> changed = new java.util.concurrent.ConcurrentSkipListMap<>();

    private Settings(Function<String, String> source) {
        this.source = source;
    }

    /**
     * The keys read so far whose value is not their default, by name, each with its value as set;
     * secrets (keys ending in {@code secret} or {@code apiKey}, or holding {@code password}) as {@code ****}, a password
     * in a URL as {@code ****}, and long values (keys, PEM) as their length only.
     */
    public Map<String, String> changed() {
        return java.util.Collections.unmodifiableMap(changed);
    }

    /** Remembers {@code key} as set to {@code raw} when that is not its default. */
    private void note(String key, String raw, boolean isDefault) {
        if (isDefault) {
            changed.remove(key);
        } else {
            changed.put(key, masked(key, raw));
        }
    }

    static String masked(String key, String value) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.endsWith("secret") || k.endsWith("apikey") || k.contains("password")) {
            return "****";
        }
        String v = value.replaceAll("(://[^/@:]*):[^/@]*@", "$1:****@");
        if (v.length() > 80) {
            return "(" + v.length() + " characters)";
        }
        return v;
    }

    /** The raw value from the sources, or null; nothing remembered. */
    private String raw(String key) {
        String value = source.apply(key);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** System properties, then environment, then {@code contextParams}. */
    public static Settings of(Function<String, String> contextParams) {
        Map<String, String> env = System.getenv();
        return new Settings(key -> {
            String value = System.getProperty(key);
            if (value == null) {
                value = env.get(envName(key));
            }
            if (value == null) {
                value = contextParams.apply(key);
            }
            return value;
        });
    }

    /** Only the given map: for tests. */
    public static Settings fromMap(Map<String, String> values) {
        return new Settings(values::get);
    }

    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public String string(String key, String fallback) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        note(key, value, value.equals(fallback));
        return value;
    }

    public int integer(String key, int fallback, int min, int max) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        try {
            int n = check(key, Integer.parseInt(value), min, max);
            note(key, value, n == fallback);
            return n;
        } catch (NumberFormatException e) {
            throw bad(key, value, "an integer");
        }
    }

    public boolean bool(String key, boolean fallback) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        boolean b = switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw bad(key, value, "true or false");
        };
        note(key, value, b == fallback);
        return b;
    }

    public Duration duration(String key, Duration fallback) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        Duration d = parseDuration(key, value);
        note(key, value, d.equals(fallback));
        return d;
    }

    private static Duration parseDuration(String key, String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw bad(key, value, "a duration such as 500ms, 15s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    public long bytes(String key, long fallback) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        long n = parseBytes(key, value);
        note(key, value, n == fallback);
        return n;
    }

    private static long parseBytes(String key, String value) {
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw bad(key, value, "a size such as 65536, 64KiB or 1MiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit) {
            case "kib", "kb", "k" -> 1024L;
            case "mib", "mb", "m" -> 1024L * 1024;
            case "gib", "gb", "g" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        return n * factor;
    }

    /** A comma-separated list; blank entries dropped. */
    public List<String> list(String key, String fallback) {
        String value = raw(key);
        List<String> defaults = split(fallback);
        if (value == null) {
            return defaults;
        }
        List<String> entries = split(value);
        note(key, value, entries.equals(defaults));
        return entries;
    }

    private static List<String> split(String value) {
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static int check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + min + " to " + max + ")");
        }
        return value;
    }

    private static IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException(key + ": \"" + value + "\" (expected: " + expected + ")");
    }
}
