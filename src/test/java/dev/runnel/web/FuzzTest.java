package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RawHttp;
import dev.runnel.testing.RawStream;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Seeded, reproducible fuzzing of every endpoint in this build (publish, tickets, subscribe, the demo
 * token endpoint and stats) with random and mutated raw requests, while three subscribers read.
 * Afterwards: no request got a 5xx, no Runnel thread died, and every byte each subscriber received
 * is strict UTF-8 in Runnel's framing and parses into exactly the events that were accepted for its
 * topics, in order. Status 0 in the summary counts truncated requests that the server dropped without
 * an answer, as it should. Reproduce a failure with {@code -Drunnel.fuzz.seed=…}; scale with
 * {@code -Drunnel.fuzz.requests=…}.
 */
class FuzzTest {
    private static final long SEED = Long.getLong("runnel.fuzz.seed", 0x5eed_2026L);
    private static final int REQUESTS = Integer.getInteger("runnel.fuzz.requests", 3000);
    private static final String SECRET = "fuzz-publish-secret";
    private static final List<String> TOPICS = List.of("fz/a", "fz/b", "fz/c", "users/alice/inbox", "news");
    private static final String[] FRAGMENTS = {"a", "Z", "0", " ", "\n", "\r\n", "\r", "\u0000", "é", "世", "😀",
        "\"", "\\", "</script>", "data: x", "\nid: 9\n\n", "event: reset", "\u2028", "%", "+", "&", "=", ":", "/",
        "..", "\t", "\u007f", "{}", "[1,2]"};
    private static final String[] INSERTS = {"\u0000", "\r", "\n", "\r\n\r\n", "%", "%ZZ", "%C3%28", "..", "../",
        "/", "\"", "{", "}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "\\ud800", "\\u0000", ",", ":", " ", "&topic=",
        "=", "Bearer ", "\u00ff", "\ud83d\ude00"};
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final Random random = new Random(SEED);
    private final Map<Long, Accepted> accepted = new TreeMap<>();
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private TestServer server;
    private String publisherToken;
    private String aliceToken;

    private record Accepted(String id, String topic, String event, String data) {}

    private record Target(byte[] request, boolean stream) {}

    @Test
    void thousandsOfRandomAndMutatedRequestsLeaveEveryStreamExactAndNoThreadDead() throws Exception {
        try (TestServer s = TestServer.start("runnel.publish.secret", SECRET, "runnel.jwt.secret", Tokens.SECRET,
                "runnel.demo.tokens", "true", "runnel.heartbeat", "200ms", "runnel.log.size", "100000",
                "runnel.streams.perAddress", "0")) {
            server = s;
            publisherToken = Tokens.publisher("fuzzer", "fz/");
            aliceToken = Tokens.subscriber("alice", "users/alice/");
            Set<String> threadsBefore = runnelThreads();
            List<Reader> readers = List.of(
                    new Reader(List.of("fz/a", "fz/b"), RawStream.open(s.port(), "/events?topic=fz/a&topic=fz/b", 0)),
                    new Reader(List.of("fz/c", "news"), RawStream.open(s.port(), "/events?topic=fz/c&topic=news", 0)),
                    new Reader(List.of("users/alice/inbox"), RawStream.open(s.port(), "/events?topic=users/alice/inbox",
                            0, "Authorization: Bearer " + aliceToken)));
            readers.forEach(r -> r.stream.startReading(Duration.ofSeconds(1)));
            Eventually.await(Duration.ofSeconds(5), "three readers open", () -> s.runnel().streams().size() == 3);

            for (int i = 0; i < REQUESTS; i++) {
                Target target = next();
                byte[] request = random.nextInt(100) < 55 ? mutate(target.request()) : target.request();
                send(request, target.stream());
            }

            long heartbeats = s.runnel().metrics().heartbeats();
            for (String topic : TOPICS) {
                String id = s.publishDirect(topic, "sentinel", "end");
                accepted.put(ConcurrentDeliveryTest.sequence(id), new Accepted(id, topic, "sentinel", "end"));
            }
            for (Reader r : readers) {
                Eventually.await(Duration.ofSeconds(20), "sentinel reached " + r.topics,
                        () -> r.received().stream().anyMatch(e -> e.event().equals("sentinel")));
                r.check();
            }
            Eventually.await(Duration.ofSeconds(5), "the scheduler still sends heartbeats",
                    () -> s.runnel().metrics().heartbeats() > heartbeats);
            assertEquals(threadsBefore, runnelThreads(), "a dispatcher or scheduler thread died and was replaced");
            assertTrue(statuses.keySet().stream().noneMatch(st -> st >= 500 && st != 501 && st != 505),
                    "statuses " + statuses);
            assertTrue(accepted.size() > REQUESTS / 10, "accepted only " + accepted.size() + " of " + REQUESTS
                    + " (statuses " + statuses + ")");
            System.out.printf("fuzz seed %d: %d requests, statuses %s, %d events accepted, streams opened %d%n", SEED,
                    REQUESTS, statuses, accepted.size(), s.runnel().metrics().streamsOpened());
            for (Reader r : readers) {
                r.stream.close();
            }
        }
    }

    /** One subscriber: its topics and its raw socket. */
    private final class Reader {
        final List<String> topics;
        final RawStream stream;

        Reader(List<String> topics, RawStream stream) {
            this.topics = topics;
            this.stream = stream;
        }

        List<SseEvent> received() {
            return stream.parse().events;
        }

        void check() throws Exception {
            RawHttp.Response head = stream.response();
            assertEquals(200, head.status(), topics.toString());
            byte[] body = stream.chunks().body();
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
            assertEquals(-1, text.indexOf('\r'), "Runnel frames end lines with LF only");
            for (String line : text.split("\n", -1)) {
                assertTrue(line.isEmpty() || line.equals(": keep-alive") || line.matches("retry: \\d+")
                        || line.matches("id: [0-9a-z]+-\\d+") || line.matches("event: [^\\u0000-\\u001f]+")
                        || line.startsWith("data: "), "a line outside Runnel's framing: " + line);
            }
            List<SseEvent> events = new ArrayList<>(received());
            assertEquals("connected", events.remove(0).event());
            List<Accepted> expected = accepted.values().stream().filter(a -> topics.contains(a.topic()))
                    .collect(Collectors.toList());
            assertEquals(expected.size(), events.size(), topics + ": received " + events.size() + " events, accepted "
                    + expected.size());
            for (int i = 0; i < events.size(); i++) {
                SseEvent got = events.get(i);
                Accepted want = expected.get(i);
                assertEquals(want.id(), got.id(), topics + " event " + i);
                assertEquals(want.event() == null ? "message" : want.event(), got.event(), want.id());
                // The wire splits data lines at CR, LF and CRLF; a reader joins them with LF.
                assertEquals(want.data().replace("\r\n", "\n").replace('\r', '\n'), got.data(), want.id());
            }
        }
    }

    // ---- generating requests ----

    private Target next() {
        int kind = random.nextInt(100);
        if (kind < 40) {
            return new Target(publishJson(), false);
        } else if (kind < 52) {
            return new Target(publishForm(), false);
        } else if (kind < 62) {
            return new Target(tickets(), false);
        } else if (kind < 78) {
            return new Target(subscribe(), true);
        } else if (kind < 82) {
            return new Target(demoToken(), false);
        } else if (kind < 97) {
            return new Target(feedRequest(), false);
        }
        return new Target(request("GET", "/stats", null, null, List.of()), false);
    }

    /** The feed endpoints: tasks, chat and notifications, with values in and out of their bounds. */
    private byte[] feedRequest() {
        String json = switch (random.nextInt(6)) {
            case 0 -> "{\"steps\":" + pick(List.of("3", "0", "-1", "1e9", "\"5\"", "2.5")) + ",\"stepMillis\":"
                    + pick(List.of("1", "5", "0", "99999999", "null")) + "}";
            case 1 -> "{\"prompt\":" + GSON.toJson(text(random.nextInt(20))) + "}";
            case 2 -> "{\"title\":" + GSON.toJson(text(10)) + ",\"body\":" + GSON.toJson(text(20)) + ",\"level\":"
                    + GSON.toJson(pick(List.of("info", "warning", "error", "success", text(4))))
                    + (random.nextBoolean() ? ",\"user\":" + GSON.toJson(pick(List.of("alice", text(5)))) : "") + "}";
            default -> null;
        };
        if (json == null) {
            String path = pick(List.of("/tasks/", "/chat/")) + enc(random.nextBoolean() ? text(8) : "t" + random.nextInt(9));
            return request(random.nextBoolean() ? "DELETE" : "GET", path, null, null, List.of());
        }
        String path = json.startsWith("{\"steps") ? "/tasks" : json.startsWith("{\"prompt") ? "/chat" : "/notifications";
        return request("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8), List.of());
    }

    private byte[] publishJson() {
        JsonObject body = new JsonObject();
        body.addProperty("topic", pick(TOPICS));
        if (random.nextBoolean()) {
            body.addProperty("event", random.nextInt(5) == 0 ? text(6) : "e" + random.nextInt(100));
        }
        switch (random.nextInt(4)) {
            case 0 -> body.add("data", JsonParser.parseString("{\"n\":" + random.nextInt() + ",\"s\":" + GSON.toJson(text(8))
                    + ",\"x\":[1.5e3,true,null]}"));
            case 1 -> body.addProperty("data", random.nextInt());
            default -> body.addProperty("data", text(random.nextInt(40)));
        }
        if (random.nextInt(20) == 0) {
            body.addProperty(pick(List.of("key", "final", "colour")), pick(List.of("k", "true", "1")));
        }
        return request("POST", "/publish", "application/json", GSON.toJson(body).getBytes(StandardCharsets.UTF_8),
                List.of(auth()));
    }

    private byte[] publishForm() {
        String form = "topic=" + enc(pick(TOPICS)) + (random.nextBoolean() ? "&event=e" + random.nextInt(9) : "")
                + "&data=" + enc(text(random.nextInt(30)));
        return request("POST", "/publish", "application/x-www-form-urlencoded", form.getBytes(StandardCharsets.UTF_8),
                List.of(auth()));
    }

    private byte[] tickets() {
        String topics = GSON.toJson(List.of(pick(TOPICS), pick(List.of("users/alice/drafts", "users/bob/inbox", "news"))));
        return request("POST", "/tickets", "application/json",
                ("{\"topics\":" + topics + "}").getBytes(StandardCharsets.UTF_8),
                List.of("Authorization: Bearer " + pick(List.of(aliceToken, publisherToken, "x.y.z"))));
    }

    private byte[] subscribe() {
        StringBuilder q = new StringBuilder("/events?topic=" + enc(pick(TOPICS)));
        if (random.nextBoolean()) {
            q.append("&last_event_id=").append(enc(random.nextBoolean() ? server.runnel().hub().headId() : text(5)));
        }
        if (random.nextInt(4) == 0) {
            q.append("&ticket=").append(enc(text(43)));
        }
        List<String> headers = random.nextBoolean() ? List.of("Authorization: Bearer " + aliceToken)
                : List.of("Last-Event-ID: " + server.runnel().hub().epoch() + "-" + random.nextInt(50));
        return request("GET", q.toString(), null, null, headers);
    }

    private byte[] demoToken() {
        return request("POST", "/demo/token", "application/x-www-form-urlencoded",
                ("user=" + enc(random.nextBoolean() ? "alice" : text(6))).getBytes(StandardCharsets.UTF_8), List.of());
    }

    private String auth() {
        return switch (random.nextInt(6)) {
            case 0 -> "Authorization: Bearer " + publisherToken;
            case 1 -> "Authorization: Bearer " + aliceToken;
            case 2 -> "Authorization: Bearer wrong";
            default -> "Authorization: Bearer " + SECRET;
        };
    }

    private static byte[] request(String method, String target, String type, byte[] body, List<String> headers) {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n");
        headers.forEach(h -> head.append(h).append("\r\n"));
        if (type != null) {
            head.append("Content-Type: ").append(type).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** 1 to 4 edits: flip, insert a hostile fragment or byte, delete, duplicate, truncate. */
    private byte[] mutate(byte[] request) {
        byte[] b = request;
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            switch (random.nextInt(6)) {
                case 0 -> {
                    b = b.clone();
                    b[at] = (byte) random.nextInt(256);
                    continue;
                }
                case 1 -> {
                    out.write(b, 0, at);
                    out.writeBytes(pick(List.of(INSERTS)).getBytes(StandardCharsets.UTF_8));
                    out.write(b, at, b.length - at);
                }
                case 2 -> {
                    int len = Math.min(b.length - at, 1 + random.nextInt(8));
                    out.write(b, 0, at);
                    out.write(b, at + len, b.length - at - len);
                }
                case 3 -> {
                    int len = Math.min(b.length - at, 1 + random.nextInt(16));
                    out.write(b, 0, at + len);
                    out.write(b, at, b.length - at);
                }
                case 4 -> out.write(b, 0, at);
                default -> {
                    out.write(b, 0, at);
                    out.write(random.nextInt(256));
                    out.write(b, at, b.length - at);
                }
            }
            b = out.toByteArray();
        }
        return fixContentLength(b);
    }

    /** Most mutated requests keep a correct Content-Length, so the body itself gets judged. */
    private byte[] fixContentLength(byte[] b) {
        if (random.nextInt(5) == 0) {
            return b;
        }
        String all = new String(b, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        int cl = all.indexOf("\r\nContent-Length: ");
        if (end < 0 || cl < 0 || cl > end) {
            return b;
        }
        int lineEnd = all.indexOf("\r\n", cl + 2);
        String fixed = all.substring(0, cl) + "\r\nContent-Length: " + (b.length - end - 4) + all.substring(lineEnd);
        return fixed.getBytes(StandardCharsets.ISO_8859_1);
    }

    private String text(int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            sb.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
        }
        return sb.toString();
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- sending and bookkeeping ----

    private void send(byte[] request, boolean stream) throws IOException {
        byte[] reply = exchange(request, stream);
        RawHttp.Response r = RawHttp.parse(reply);
        statuses.merge(r.status(), 1, Integer::sum);
        // 501 and 505 are the container's HTTP parser refusing a mangled method or version token.
        if (r.status() >= 500 && !((r.status() == 501 || r.status() == 505) && !r.isJson())) {
            fail("a " + r.status() + " for " + printable(request) + "\n→ " + r.text());
        }
        String all = new String(reply, StandardCharsets.ISO_8859_1);
        assertEquals(all.indexOf("HTTP/1.1 200"), all.lastIndexOf("HTTP/1.1 200"),
                "two accepted responses on one connection: " + printable(request));
        if (r.status() == 200 && !stream && startsWith(request, "POST /publish ")) {
            try {
                record(request, r);
            } catch (RuntimeException e) {
                throw new AssertionError("accepted, but not what a reader of the request sees: " + printable(request), e);
            }
        }
        if (r.status() != 0 && r.status() >= 400 && !r.isJson()) {
            // Refused by the container's HTTP parser before Runnel saw it (bad request line or header).
            assertTrue(r.status() == 400 || r.status() == 404 || r.status() == 405 || r.status() == 414
                    || r.status() == 431 || r.status() == 501 || r.status() == 505, r.status() + " for " + printable(request));
        }
    }

    /** Sends; for a stream, reads only its head (and a first chunk) and aborts, as churning clients do. */
    private byte[] exchange(byte[] request, boolean stream) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.setSoTimeout(stream ? 300 : 5000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            socket.shutdownOutput(); // an incomplete request is judged at once, not after a timeout
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    raw.write(buffer, 0, n);
                    if (stream && raw.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                        break;
                    }
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // The server keeps a stream open, or reset the connection: judge what came.
            }
            if (stream) {
                socket.setSoLinger(true, 0);
            }
            return raw.toByteArray();
        }
    }

    /** What the server accepted, decoded independently of its own code. */
    private void record(byte[] request, RawHttp.Response r) {
        String id = JsonParser.parseString(r.text()).getAsJsonObject().get("id").getAsString();
        String head = new String(request, StandardCharsets.ISO_8859_1);
        int headEnd = head.indexOf("\r\n\r\n") + 4;
        head = head.substring(0, headEnd);
        // The server reads exactly Content-Length bytes; anything after them is not this request's body.
        Matcher cl = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)\r\n").matcher(head);
        int length = cl.find() ? Math.min(Integer.parseInt(cl.group(1)), request.length - headEnd) : request.length - headEnd;
        String body = new String(request, headEnd, length, StandardCharsets.UTF_8);
        String all = head;
        String topic;
        String event;
        String data;
        if (all.contains("application/x-www-form-urlencoded")) {
            Map<String, String> f = new TreeMap<>();
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                f.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            topic = f.get("topic");
            event = f.get("event");
            data = f.get("data");
        } else {
            JsonObject o = JsonParser.parseString(body).getAsJsonObject();
            topic = o.get("topic").getAsString();
            event = o.has("event") && !o.get("event").isJsonNull() ? o.get("event").getAsString() : null;
            JsonElement d = o.get("data");
            data = d.isJsonPrimitive() && d.getAsJsonPrimitive().isString() ? d.getAsString() : GSON.toJson(d);
        }
        assertNotEquals(null, topic, id);
        accepted.put(ConcurrentDeliveryTest.sequence(id), new Accepted(id, topic, event, data));
    }

    private static boolean startsWith(byte[] b, String prefix) {
        return new String(b, 0, Math.min(b.length, prefix.length()), StandardCharsets.ISO_8859_1).equals(prefix);
    }

    private static String printable(byte[] request) {
        StringBuilder sb = new StringBuilder();
        for (byte x : request) {
            int c = x & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    private static Set<String> runnelThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("runnel-") && t.isAlive())
                .map(t -> t.getName() + "#" + t.getId()).collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
