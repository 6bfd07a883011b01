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
 * <p>Threading: immutable once built.
 */
public final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB|k|m|g)?",
            Pattern.CASE_INSENSITIVE);

    private final Function<String, String> source;

    private Settings(Function<String, String> source) {
        this.source = source;
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
        String value = source.apply(key);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    public int integer(String key, int fallback, int min, int max) {
        String value = string(key, null);
        if (value == null) {
            return fallback;
        }
        try {
            return check(key, Integer.parseInt(value), min, max);
        } catch (NumberFormatException e) {
            throw bad(key, value, "an integer");
        }
    }

    public boolean bool(String key, boolean fallback) {
        String value = string(key, null);
        if (value == null) {
            return fallback;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw bad(key, value, "true or false");
        };
    }

    public Duration duration(String key, Duration fallback) {
        String value = string(key, null);
        if (value == null) {
            return fallback;
        }
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
        String value = string(key, null);
        if (value == null) {
            return fallback;
        }
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
        String value = string(key, fallback);
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
