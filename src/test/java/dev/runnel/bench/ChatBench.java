package dev.runnel.bench;

import static dev.runnel.testing.FakeUpstream.script;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.protocol.SseParser;
import dev.runnel.testing.FakeUpstream;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/**
 * The AI gateway's latency: what Runnel adds between an OpenAI-compatible upstream and its client,
 * and one answer watched by many subscribers.
 * <pre>
 * mvn -Pbench verify -Dbench.scenario=chat [-Dbench.args="--answers 200 --tokens 50 --subscribers 1000"]
 * </pre>
 * The fake upstream ({@link FakeUpstream}) runs in this JVM and stamps the moment it writes each
 * token; Runnel runs in a server JVM of its own ({@link BenchServer}) with the fake as its upstream.
 * The same client (Jetty's, reading with {@link SseParser}) then streams {@code --answers} answers of
 * {@code --tokens} tokens {@code --pace} apart, first straight from the fake, then through Runnel's
 * {@code POST /v1/chat/completions}, alternating. Per answer: time to first token (request sent →
 * first content received) and, per token, write-to-read latency. The difference of the medians is
 * what Runnel adds. Then one answer on {@code POST /chat}, its tokens {@code --watch-pace} apart, is
 * watched by {@code --subscribers} {@code GET /events} streams, opened before its first token; every token's write-to-read latency
 * at every subscriber is recorded (after one unrecorded warm-up answer watched the same way), and
 * every subscriber must see every token once, in order.
 *
 * <p>Threading: the main thread drives; the client's threads record into thread-safe structures.
 */
final class ChatBench {
    private static final String SECRET = "bench-secret-bench-secret-bench-secret";

    private final int answers;
    private final int tokens;
    private final Duration pace;
    private final int subscribers;
    private final Duration watchPace;
    private final File out;

    private ChatBench(Map<String, String> flags) {
        this.answers = Integer.parseInt(flags.getOrDefault("answers", "200"));
        this.tokens = Integer.parseInt(flags.getOrDefault("tokens", "50"));
        this.pace = Duration.ofMillis(Long.parseLong(flags.getOrDefault("pace", "5")));
        this.subscribers = Integer.parseInt(flags.getOrDefault("subscribers", "1000"));
        // A hosted model's pace (about 33 tokens/s): 1,000 watchers then take 33,000 deliveries a second.
        this.watchPace = Duration.ofMillis(Long.parseLong(flags.getOrDefault("watch-pace", "30")));
        this.out = new File(flags.getOrDefault("out", "target/bench"));
    }

    static String run(Map<String, String> flags) throws Exception {
        return new ChatBench(flags).run();
    }

    /** Stamps of one scripted answer: when the fake wrote token i. */
    private static final class Stamps {
        final AtomicLongArray written;

        Stamps(int n) {
            written = new AtomicLongArray(n);
        }
    }

    private FakeUpstream.Script answer(Stamps stamps, CountDownLatch release) {
        return answer(stamps, release, pace);
    }

    private FakeUpstream.Script answer(Stamps stamps, CountDownLatch release, Duration pace) {
        FakeUpstream.Script s = script();
        if (release != null) {
            s.until(release);
        }
        for (int i = 0; i < tokens; i++) {
            int n = i;
            if (i > 0) {
                s.silence(pace);
            }
            s.then(() -> stamps.written.set(n, System.nanoTime())).content(" t" + i);
        }
        return s.usage(10, tokens).done();
    }

    private String run() throws Exception {
        out.mkdirs();
        String load = Bench.loadAverage();
        Histogram directFirst = new Histogram(3);
        Histogram runnelFirst = new Histogram(3);
        Histogram directToken = new Histogram(3);
        Histogram runnelToken = new Histogram(3);
        Histogram fanout = new Histogram(3);
        int complete;
        try (FakeUpstream fake = FakeUpstream.start()) {
            String settings = String.join(",", "runnel.chat.upstream.url=" + fake.url(),
                    "runnel.chat.upstream.model=bench", "runnel.publish.secret=" + SECRET,
                    "runnel.chat.maxRunning=100", "runnel.streams.perAddress=0", "runnel.streams.max=100000",
                    "runnel.chat.upstream.maxConcurrent=16", "runnel.log.size=100000", "runnel.heartbeat=10s");
            try (ChildProcess server = ChildProcess.start("chat-server", List.of(Bench.DEFAULT_SERVER_JVM.split(" ")),
                    BenchServer.class.getName(), List.of("--kind", "runnel", "--set", settings), out, p -> { })) {
                URI runnel = URI.create("http://127.0.0.1:" + server.await("PORT", 60_000) + "/");
                HttpClient client = new HttpClient();
                client.setMaxConnectionsPerDestination(100_000);
                client.start();
                try {
                    for (int i = 0; i < answers; i++) {
                        boolean warmup = i < answers / 10;
                        stream(client, fake, fake.url().resolve("v1/chat/completions"), null,
                                warmup ? new Histogram(3) : directFirst, warmup ? new Histogram(3) : directToken);
                        stream(client, fake, runnel.resolve("v1/chat/completions"), "Bearer " + SECRET,
                                warmup ? new Histogram(3) : runnelFirst, warmup ? new Histogram(3) : runnelToken);
                    }
                    watched(client, fake, runnel, new Histogram(3)); // warm-up: the same path, not recorded
                    complete = watched(client, fake, runnel, fanout);
                } finally {
                    client.stop();
                }
            }
        }
        StringBuilder report = new StringBuilder();
        report.append("## chat (").append(answers).append(" answers of ").append(tokens).append(" tokens, ")
                .append(pace.toMillis()).append(" ms apart; load average before: ").append(load).append(")\n\n");
        report.append("| | direct p50 | via Runnel p50 | added p50 | direct p99 | via Runnel p99 |\n|---|---|---|---|---|---|\n");
        row(report, "time to first token", directFirst, runnelFirst);
        row(report, "per token (write → read)", directToken, runnelToken);
        report.append(String.format("%n1 answer (tokens %d ms apart), %d subscribers: %d of them saw every token once and in order; "
                + "write → read p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d deliveries)%n", watchPace.toMillis(), subscribers,
                complete,
                fanout.getValueAtPercentile(50) / 1e6, fanout.getValueAtPercentile(99) / 1e6,
                fanout.getMaxValue() / 1e6, fanout.getTotalCount()));
        report.append("\nload average after: ").append(Bench.loadAverage()).append('\n');
        java.nio.file.Files.writeString(new File(out, "report-chat.md").toPath(), report);
        return report.toString();
    }

    private static void row(StringBuilder report, String what, Histogram direct, Histogram runnel) {
        double d50 = direct.getValueAtPercentile(50) / 1e6;
        double r50 = runnel.getValueAtPercentile(50) / 1e6;
        report.append(String.format("| %s | %.3f ms | %.3f ms | %.3f ms | %.3f ms | %.3f ms |%n", what, d50, r50,
                r50 - d50, direct.getValueAtPercentile(99) / 1e6, runnel.getValueAtPercentile(99) / 1e6));
    }

    /** Streams one answer from {@code uri}, recording its time to first token and each token's latency. */
    private void stream(HttpClient client, FakeUpstream fake, URI uri, String authorization, Histogram first,
            Histogram perToken) throws Exception {
        Stamps stamps = new Stamps(tokens);
        fake.then(answer(stamps, null));
        CountDownLatch done = new CountDownLatch(1);
        int[] next = {0};
        long[] sent = new long[1];
        SseParser parser = new SseParser(e -> {
            long now = System.nanoTime();
            if (e.data().equals("[DONE]")) {
                return;
            }
            JsonObject chunk = JsonParser.parseString(e.data()).getAsJsonObject();
            var choices = chunk.getAsJsonArray("choices");
            if (choices == null || choices.isEmpty()) {
                return;
            }
            var delta = choices.get(0).getAsJsonObject().getAsJsonObject("delta");
            if (delta != null && delta.has("content")) {
                int n = next[0]++;
                if (n == 0) {
                    first.recordValue(now - sent[0]);
                }
                perToken.recordValue(Math.max(0, now - stamps.written.get(n)));
            }
        });
        Request request = client.newRequest(uri).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", "{\"model\":\"bench\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", StandardCharsets.UTF_8))
                .onResponseContent((r, c) -> parser.feed(c));
        if (authorization != null) {
            request.headers(h -> h.put("Authorization", authorization));
        }
        sent[0] = System.nanoTime();
        request.send(r -> done.countDown());
        if (!done.await(60, TimeUnit.SECONDS) || next[0] != tokens) {
            throw new IllegalStateException(uri + ": " + next[0] + " of " + tokens + " tokens");
        }
    }

    /** One answer watched by {@code subscribers} streams; returns how many saw all of it, in order. */
    private int watched(HttpClient client, FakeUpstream fake, URI runnel, Histogram latency) throws Exception {
        Stamps stamps = new Stamps(tokens);
        CountDownLatch release = new CountDownLatch(1);
        fake.then(answer(stamps, release, watchPace));
        var started = client.newRequest(runnel.resolve("chat")).method(HttpMethod.POST)
                .headers(h -> h.put("Authorization", "Bearer " + SECRET))
                .body(new StringRequestContent("application/json", "{\"prompt\":\"watch me\"}", StandardCharsets.UTF_8))
                .send();
        String topic = JsonParser.parseString(started.getContentAsString()).getAsJsonObject().get("topic").getAsString();
        CountDownLatch ended = new CountDownLatch(subscribers);
        CountDownLatch connected = new CountDownLatch(subscribers);
        List<int[]> progress = new ArrayList<>();
        List<Histogram> perSubscriber = new ArrayList<>();
        for (int s = 0; s < subscribers; s++) {
            int[] next = {0, 1}; // next index, and whether all arrived in order so far
            Histogram h = new Histogram(3);
            progress.add(next);
            perSubscriber.add(h);
            SseParser parser = new SseParser(e -> onWatched(e, next, h, stamps, connected));
            client.newRequest(runnel.resolve("events?topic=" + topic)).idleTimeout(120, TimeUnit.SECONDS)
                    .headers(x -> x.put("Accept", "text/event-stream"))
                    .onResponseContent((r, c) -> parser.feed(c))
                    .send(r -> ended.countDown());
        }
        if (!connected.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not every subscriber connected");
        }
        release.countDown();
        if (!ended.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not every subscriber saw the answer end");
        }
        int complete = 0;
        for (int s = 0; s < subscribers; s++) {
            latency.add(perSubscriber.get(s));
            if (progress.get(s)[0] == tokens && progress.get(s)[1] == 1) {
                complete++;
            }
        }
        return complete;
    }

    private static void onWatched(SseEvent e, int[] next, Histogram h, Stamps stamps, CountDownLatch connected) {
        long now = System.nanoTime();
        switch (e.event()) {
            case "connected" -> connected.countDown();
            case "token" -> {
                int index = JsonParser.parseString(e.data()).getAsJsonObject().get("index").getAsInt();
                if (index != next[0]) {
                    next[1] = 0;
                }
                next[0] = index + 1;
                h.recordValue(Math.max(0, now - stamps.written.get(index)));
            }
            default -> { }
        }
    }
}
