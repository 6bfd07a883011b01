package dev.runnel.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A scrape parsed by a real Prometheus parser: the official Prometheus Python client's
 * ({@code prometheus_client.parser} for the text format, {@code prometheus_client.openmetrics.parser}
 * for OpenMetrics, which is strict), run by Debian's {@code python3} with {@code python3-prometheus-client}.
 * No Java parser of the format is maintained (the Prometheus Java client only writes it). Without
 * them {@link #assumeAvailable} skips the calling test — or fails it with {@code RUNNEL_REQUIRE_ALL=true}.
 */
public final class PrometheusParser {
    /** Debian's interpreter, where {@code apt-get install python3-prometheus-client} puts the client. */
    static final Path PYTHON = Path.of(System.getProperty("runnel.python", "/usr/bin/python3"));

    /** One sample: its name (with {@code _total}, {@code _bucket}… as written), labels and value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** One family as the parser saw it; {@code name} as the parser names it (without {@code _total}). */
    public record Family(String name, String type, String help, String unit, List<Sample> samples) {}

    private PrometheusParser() {}

    public static String unavailableReason() {
        if (!Files.isExecutable(PYTHON)) {
            return "the scrape tests need " + PYTHON + " with the Prometheus client (Debian: apt-get install "
                    + "python3-prometheus-client)";
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import prometheus_client.openmetrics.parser")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "the scrape tests need the Prometheus client for " + PYTHON + " (Debian: apt-get install "
                + "python3-prometheus-client)";
    }

    public static void assumeAvailable() {
        Prerequisites.require(unavailableReason());
    }

    /** Parses a Prometheus text format scrape; fails the test if the parser refuses it. */
    public static Map<String, Family> prometheus(String scrape) {
        return parse("prometheus", scrape);
    }

    /** Parses an OpenMetrics scrape with the strict parser; fails the test if it refuses it. */
    public static Map<String, Family> openMetrics(String scrape) {
        return parse("openmetrics", scrape);
    }

    private static Map<String, Family> parse(String format, String scrape) {
        try (InputStream script = PrometheusParser.class.getResourceAsStream("parse_metrics.py")) {
            String source = new String(script.readAllBytes(), StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", source, format).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(scrape.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("the " + format + " parser refused the scrape: " + err + "\n" + scrape);
            }
            return families(JsonParser.parseString(new String(out, StandardCharsets.UTF_8)).getAsJsonArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Map<String, Family> families(JsonArray array) {
        Map<String, Family> families = new LinkedHashMap<>();
        for (JsonElement element : array) {
            JsonObject f = element.getAsJsonObject();
            List<Sample> samples = new ArrayList<>();
            for (JsonElement s : f.getAsJsonArray("samples")) {
                JsonObject sample = s.getAsJsonObject();
                Map<String, String> labels = new LinkedHashMap<>();
                sample.getAsJsonObject("labels").entrySet().forEach(e -> labels.put(e.getKey(), e.getValue().getAsString()));
                JsonElement value = sample.get("value");
                double v = value.getAsJsonPrimitive().isString() ? Double.parseDouble(value.getAsString()
                        .replace("+Inf", "Infinity").replace("-Inf", "-Infinity")) : value.getAsDouble();
                samples.add(new Sample(sample.get("name").getAsString(), labels, v));
            }
            families.put(f.get("name").getAsString(), new Family(f.get("name").getAsString(), f.get("type").getAsString(),
                    f.get("help").getAsString(), f.get("unit").getAsString(), samples));
        }
        return families;
    }

    /** The value of the one sample of {@code families} named {@code sample} with exactly these labels. */
    public static double value(Map<String, Family> families, String sample, String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        for (Family f : families.values()) {
            for (Sample s : f.samples()) {
                if (s.name().equals(sample) && s.labels().equals(wanted)) {
                    return s.value();
                }
            }
        }
        throw new AssertionError("no sample " + sample + wanted + " in the scrape (families: " + families.keySet() + ")");
    }
}
