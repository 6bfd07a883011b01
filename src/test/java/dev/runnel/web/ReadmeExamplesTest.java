package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every {@code curl} example of the README works as written against a server configured like
 * {@code mvn jetty:run} (the system properties of the pom's jetty plugin, read from the pom). Each
 * {@code sh} block that calls {@code curl} on {@code http://localhost:8080/} runs in bash as it is —
 * its variables, quoting and {@code openssl} calls included — with {@code curl} standing for a
 * function that records its arguments; each recorded call is then made for real, with jetty-client,
 * against the embedded server: it must succeed (a 2xx; a {@code curl -N} stream opens with 200, a
 * {@code curl -N -d} stream, the OpenAI endpoint's, answers 200 and an event stream to its end). A
 * placeholder such as {@code <id>} takes the {@code id} of the answer before it.
 *
 * <p>Needs bash and openssl; without them the test is skipped, or fails under {@code RUNNEL_REQUIRE_ALL=true}.
 */
class ReadmeExamplesTest {
    private static final Pattern FENCE = Pattern.compile("^( *)```sh\\n(.*?)^\\1```", Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern PROPERTY = Pattern.compile("<(runnel\\.[A-Za-z.]+)>([^<]*)</\\1>");
    private static final String BASE = "http://localhost:8080/";

    @Test
    void everyCurlExampleWorksUnderTheJettyRunConfiguration() throws Exception {
        requireTools();
        List<String> blocks = curlBlocks(Files.readString(Path.of("README.md")));
        assertTrue(blocks.size() >= 4, "the README's curl examples: " + blocks.size());
        try (TestServer server = TestServer.startAsConfigured(jettyRunSettings())) {
            String lastId = null;
            int calls = 0;
            for (String block : blocks) {
                for (List<String> curl : record(block)) {
                    lastId = run(server, curl, lastId);
                    calls++;
                }
            }
            assertTrue(calls >= 7, "curl calls run: " + calls);
        }
    }

    /** The jetty plugin's {@code <systemProperties>} in the pom: what {@code mvn jetty:run} sets. */
    static Map<String, String> jettyRunSettings() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        int plugin = pom.indexOf("<artifactId>jetty-ee10-maven-plugin</artifactId>");
        String properties = pom.substring(pom.indexOf("<systemProperties>", plugin), pom.indexOf("</systemProperties>", plugin));
        Map<String, String> settings = new LinkedHashMap<>();
        Matcher m = PROPERTY.matcher(properties);
        while (m.find()) {
            settings.put(m.group(1), m.group(2));
        }
        assertEquals("true", settings.get("runnel.publish.allowLoopback"), settings.toString());
        return settings;
    }

    static List<String> curlBlocks(String readme) {
        List<String> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(readme);
        while (m.find()) {
            String indent = m.group(1);
            String body = m.group(2).replaceAll("(?m)^" + indent, "");
            if (body.contains("curl ") && body.contains(BASE)) {
                blocks.add(body);
            }
        }
        return blocks;
    }

    /** Runs {@code block} in bash with {@code curl} recording its arguments; returns each call's arguments. */
    private static List<List<String>> record(String block) throws Exception {
        Path dir = Files.createTempDirectory("runnel-readme");
        try {
            Path script = dir.resolve("block.sh");
            Files.writeString(script, "set -eu\nn=0\ncurl() { n=$((n + 1)); printf '%s\\0' \"$@\" > \"" + dir
                    + "/call-$(printf %03d $n)\"; }\n" + block);
            Process bash = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
            String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!bash.waitFor(30, TimeUnit.SECONDS) || bash.exitValue() != 0) {
                fail("the README block failed in bash:\n" + block + "\n" + output);
            }
            List<List<String>> calls = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path call : files.filter(f -> f.getFileName().toString().startsWith("call-")).sorted().toList()) {
                    String recorded = Files.readString(call);
                    calls.add(List.of(recorded.substring(0, recorded.length() - 1).split("\0", -1)));
                }
            }
            return calls;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Makes the HTTP request {@code curl} would; returns the id of the answer, or {@code lastId}. */
    private static String run(TestServer server, List<String> args, String lastId) throws Exception {
        String url = null;
        String method = null;
        boolean stream = false;
        List<String> data = new ArrayList<>();
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-N", "-s", "-sS" -> stream |= a.equals("-N");
                case "-d" -> data.add(args.get(++i));
                case "-X" -> method = args.get(++i);
                case "-H" -> {
                    String header = args.get(++i);
                    int colon = header.indexOf(':');
                    headers.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
                }
                default -> {
                    if (!a.startsWith(BASE)) {
                        fail("curl " + args + ": the test does not know " + a);
                    }
                    url = a;
                }
            }
        }
        if (url.contains("<id>")) {
            assertFalse(lastId == null, "curl " + args + ": no earlier answer to take <id> from");
            url = url.replace("<id>", lastId);
        }
        String what = "curl " + String.join(" ", args);
        String target = server.uri("/" + url.substring(BASE.length())).toString();
        if (stream && !data.isEmpty()) {
            // A streamed POST (the OpenAI endpoint): a finite event stream, read to its end.
            Request post = server.client().newRequest(target).method(HttpMethod.POST).timeout(30, TimeUnit.SECONDS)
                    .body(new StringRequestContent(headers.getOrDefault("Content-Type", "application/json"),
                            String.join("&", data), StandardCharsets.UTF_8));
            headers.forEach((k, v) -> post.headers(h -> h.put(k, v)));
            ContentResponse response = post.send();
            assertEquals(200, response.getStatus(), what + " -> " + response.getContentAsString());
            assertTrue(response.getMediaType().startsWith("text/event-stream"), what + ": " + response.getMediaType());
            return lastId;
        }
        if (stream) {
            List<String> pairs = new ArrayList<>();
            headers.forEach((k, v) -> { pairs.add(k); pairs.add(v); });
            try (EventRecorder events = EventRecorder.open(server.client(), java.net.URI.create(target), null,
                    pairs.toArray(String[]::new))) {
                assertEquals(200, events.status(), what);
                events.connected();
            }
            return lastId;
        }
        Request request = server.client().newRequest(target).timeout(10, TimeUnit.SECONDS);
        headers.forEach((k, v) -> request.headers(h -> h.put(k, v)));
        if (!data.isEmpty()) {
            String type = headers.getOrDefault("Content-Type", "application/x-www-form-urlencoded");
            request.method(HttpMethod.POST).body(new StringRequestContent(type, String.join("&", data), StandardCharsets.UTF_8));
        }
        if (method != null) {
            request.method(method);
        }
        ContentResponse response = request.send();
        assertTrue(response.getStatus() / 100 == 2, what + " -> " + response.getStatus() + " " + response.getContentAsString());
        if (response.getMediaType() == null || !response.getMediaType().startsWith("application/json")) {
            return lastId; // /metrics: the Prometheus text format
        }
        JsonElement answer = JsonParser.parseString(response.getContentAsString());
        return answer.isJsonObject() && answer.getAsJsonObject().has("id") ? answer.getAsJsonObject().get("id").getAsString()
                : lastId;
    }

    private static void requireTools() {
        for (String tool : List.of("/usr/bin/bash", "/usr/bin/openssl")) {
            if (!Files.isExecutable(Path.of(tool))) {
                String reason = "the README examples need bash and openssl (" + tool + " is missing)";
                if ("true".equalsIgnoreCase(System.getenv("RUNNEL_REQUIRE_ALL"))) {
                    fail(reason + "; RUNNEL_REQUIRE_ALL=true makes them required");
                }
                Assumptions.abort(reason + "; skipping");
            }
        }
    }
}
