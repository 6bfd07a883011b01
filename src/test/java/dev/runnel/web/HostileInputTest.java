package dev.runnel.web;

import static dev.runnel.web.PublishEndpointTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.RawHttp;
import dev.runnel.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile requests get a 4xx with a JSON reason from Runnel — never a 500, never an
 * event on anyone's stream. Sent as raw bytes where jetty-client would refuse to send them.
 */
class HostileInputTest {
    private TestServer server;
    private EventRecorder witness;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
        witness = server.subscribe("news");
        witness.connected();
    }

    @AfterEach
    void stop() throws Exception {
        // Whatever was refused, the bystander saw nothing.
        witness.assertNoMoreEvents(Duration.ofMillis(100));
        witness.close();
        server.close();
    }

    private RawHttp.Response raw(String head, byte[] body) throws Exception {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(body);
        return RawHttp.exchange(server.port(), request.toByteArray(), Duration.ofSeconds(5));
    }

    private RawHttp.Response post(String path, String contentType, byte[] body) throws Exception {
        return raw("POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\n\r\n", body);
    }

    private RawHttp.Response get(String target, String... headerLines) throws Exception {
        StringBuilder head = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        for (String h : headerLines) {
            head.append(h).append("\r\n");
        }
        return raw(head.append("\r\n").toString(), new byte[0]);
    }

    private static void assertJsonError(RawHttp.Response r, int status, String detailPart) {
        assertEquals(status, r.status(), r.text());
        assertTrue(r.isJson(), r.headers() + " " + r.text());
        String detail = JsonParser.parseString(r.text()).getAsJsonObject().get("detail").getAsString();
        assertTrue(detail.contains(detailPart), detail);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(String a, byte[] b, String c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(b);
        out.writeBytes(c.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void invalidUtf8InBodiesIs400() throws Exception {
        byte[] json = concat("{\"topic\":\"news\",\"data\":\"", bytes(0xC3, 0x28, 0xFF), "\"}");
        assertJsonError(post("/publish", "application/json", json), 400, "not valid UTF-8");
        byte[] form = "topic=news&data=%C3%28".getBytes(StandardCharsets.US_ASCII);
        assertJsonError(post("/publish", "application/x-www-form-urlencoded", form), 400, "not valid UTF-8");
        byte[] tickets = concat("{\"topics\":[\"", bytes(0xED, 0xA0, 0x80), "\"]}");
        assertJsonError(post("/tickets", "application/json", tickets), 401, "token");
    }

    @Test
    void invalidUtf8AndControlCharactersInTheQueryAre400() throws Exception {
        assertJsonError(get("/events?topic=%FF%FE"), 400, "UTF-8");
        assertJsonError(get("/events?topic=news&last_event_id=%00"), 400, "U+0000");
        assertJsonError(get("/events?topic=a%0Aid:%201"), 400, "U+000A");
        assertJsonError(get("/events?topic=news&x=%ZZ"), 400, "%-escape");
        assertJsonError(get("/events?topic=news&colour=red"), 400, "unknown query parameter");
        assertJsonError(get("/events?topic=news&ticket=a&ticket=b"), 400, "once");
        assertJsonError(get("/events?topic=a/../b"), 400, "segment \"..\"");
        assertJsonError(get("/events?topic=..%2Fsecret"), 400, "..");
        assertJsonError(get("/events?topic="), 400, "empty");
    }

    @Test
    void hostileHeadersAre400() throws Exception {
        assertJsonError(get("/events?topic=news", "Last-Event-ID: caf\u00e9"), 400, "printable ASCII");
        // Control characters in a header never reach Runnel: HTTP parsers refuse them (Jetty with its own 400).
        for (String value : new String[] {"a\u0001b", "a\u0000b", "a\rX-Injected: 1", "a\u007fb"}) {
            RawHttp.Response r = get("/events?topic=news", "Last-Event-ID: " + value);
            assertEquals(400, r.status(), r.text());
        }
        assertJsonError(get("/publish", "Authorization: Bearer"), 405, "GET");
    }

    @Test
    void deepHugeAndWronglyTypedJsonIs4xx() throws Exception {
        assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":" + "[".repeat(40) + "]".repeat(40) + "}"),
                400, "nested deeper than 32");
        // Just over the 64 KiB limit: the server answers 413 without reading it all.
        byte[] huge = ("{\"topic\":\"news\",\"data\":" + "{\"a\":".repeat(14_000)).getBytes(StandardCharsets.UTF_8);
        assertJsonError(post("/publish", "application/json", huge), 413, "runnel.publish.maxBytes");
        assertError(server.postJson("/publish", "{\"topic\":[\"news\"],\"data\":\"x\"}"), 400, "expected: a string");
        assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\",\"final\":\"maybe\"}"), 400,
                "expected: true or false");
        assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\",\"event\":\"\"}"), 400, "empty");
        assertError(server.postJson("/publish", "{\"topic\":\"\",\"data\":\"x\"}"), 400, "empty");
        assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"\\ud800\"}"), 400, "unpaired surrogate");
        assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\",\"event\":\"a\\u0000b\"}"), 400,
                "event");
        assertError(server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\"} trailing"), 400, "not valid JSON");
        assertError(server.postJson("/publish", "{\"topic\":\"news\",\"topic\":\"other\",\"data\":\"x\"}"), 400,
                "not valid JSON");
        assertError(server.postJson("/publish", "{'topic':'news','data':'x'}"), 400, "not valid JSON");
        assertError(server.postJson("/publish", ""), 400, "not valid JSON");
    }

    @Test
    void unknownRoutesAndMethodsAreRefused() throws Exception {
        RawHttp.Response nowhere = get("/events/../../etc/passwd");
        assertTrue(nowhere.status() >= 400 && nowhere.status() < 500, String.valueOf(nowhere.status()));
        var put = server.client().newRequest(server.uri("/publish")).method("PUT").timeout(10, TimeUnit.SECONDS).send();
        assertError(put, 405, "PUT");
    }
}
