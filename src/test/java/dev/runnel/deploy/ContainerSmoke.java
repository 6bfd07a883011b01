package dev.runnel.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.Feed;
import dev.runnel.testing.RawStream;
import dev.runnel.testing.RunnelClient;
import dev.runnel.testing.Transports;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The smoke suite every container runs: the freshly built WAR, deployed unchanged to a standalone
 * container process, serves its pages, streams, replays, ends finite topics, notices vanished clients,
 * and stops in order leaving a clean log. One container per class; the tests share it and run in the
 * order given, the shutdown last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ContainerSmoke {
    /** A vanished client is noticed at the second heartbeat write (500 ms apart); room for a slow machine. */
    static final Duration GONE_WITHIN = Duration.ofSeconds(10);

    Container container;
    HttpClient http;
    RunnelClient runnel;

    abstract Container newContainer() throws Exception;

    HttpClient newHttpClient() throws Exception {
        return new HttpClient();
    }

    HttpVersion expectedVersion() {
        return HttpVersion.HTTP_1_1;
    }

    /**
     * Whether open streams take Runnel's final {@code retry:} frame at shutdown. Tomcat stops the web
     * application before it closes connections; Jetty closes its connectors first, which ends every
     * stream before Runnel hears of the shutdown.
     */
    abstract boolean streamsGetFinalFrameOnShutdown();

    @BeforeAll
    void start() throws Exception {
        try {
            container = newContainer();
            http = newHttpClient();
            http.start();
            runnel = new RunnelClient(http, container.baseUri()).withBearer(Container.PUBLISH_SECRET)
                    .withAdmin(Container.ADMIN_SECRET);
            container.start(runnel);
        } catch (Throwable t) {
            try {
                stop();
            } catch (Throwable cleanup) {
                t.addSuppressed(cleanup);
            }
            throw t;
        }
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (http != null) {
                http.stop();
            }
        } finally {
            if (container != null) {
                container.close();
            }
        }
    }

    @Test
    @Order(10)
    void webRootIsServed() throws Exception {
        ContentResponse welcome = runnel.get("");
        assertEquals(200, welcome.getStatus(), "GET " + runnel.base());
        assertTrue(welcome.getMediaType().startsWith("text/html"), welcome.getMediaType());
        assertArrayEquals(Files.readAllBytes(Artifacts.webapp().resolve("index.html")), welcome.getContent(),
                "the welcome page is index.html");
        Path root = Artifacts.webapp();
        List<Path> pages;
        try (Stream<Path> files = Files.walk(root)) {
            pages = files.filter(Files::isRegularFile)
                    .filter(f -> !root.relativize(f).startsWith("WEB-INF") && !f.getFileName().toString().startsWith("."))
                    .toList();
        }
        for (Path page : pages) {
            String path = root.relativize(page).toString().replace('\\', '/');
            ContentResponse response = runnel.get(path);
            assertEquals(200, response.getStatus(), "GET " + path);
            assertArrayEquals(Files.readAllBytes(page), response.getContent(), "GET " + path);
        }
    }

    @Test
    @Order(15)
    void unknownRouteIsAJson404() throws Exception {
        for (String path : List.of("no/such/route", "missing.html")) {
            ContentResponse response = runnel.get(path);
            assertEquals(404, response.getStatus(), "GET " + path);
            assertTrue(response.getMediaType().startsWith("application/json"), path + ": " + response.getMediaType());
            JsonObject body = JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
            assertEquals("not-found", body.get("error").getAsString(), body.toString());
            assertTrue(body.get("detail").getAsString().contains(path), body.toString());
        }
    }

    @Test
    @Order(20)
    void publishedEventReachesSubscriber() throws Exception {
        try (EventRecorder stream = runnel.subscribe("it/news")) {
            assertEquals(200, stream.status());
            assertEquals(expectedVersion(), stream.response().getVersion());
            assertEquals("text/event-stream;charset=UTF-8", stream.responseHeaders().get("Content-Type"));
            assertEquals("no-store", stream.responseHeaders().get("Cache-Control"));
            assertNull(stream.responseHeaders().get("Content-Length"));
            assertFalse(stream.responseHeaders().contains("Content-Encoding"));
            stream.connected();
            String id = runnel.publish("it/news", "headline", "héllo 世界 😀");
            SseEvent e = stream.next();
            assertEquals("headline", e.event());
            assertEquals("héllo 世界 😀", e.data());
            assertEquals(id, e.id());
            stream.assertNoMoreEvents(Duration.ofMillis(200));
        }
    }

    @Test
    @Order(30)
    void reconnectWithLastEventIdReplaysWhatWasMissedThenGoesLive() throws Exception {
        String first = runnel.publish("it/replay", "n", "1");
        String second = runnel.publish("it/replay", "n", "2");
        String third = runnel.publish("it/replay", "n", "3");
        try (EventRecorder stream = runnel.resume(first, "it/replay")) {
            stream.connected();
            List<SseEvent> replayed = stream.next(2);
            assertEquals(List.of(second, third), replayed.stream().map(SseEvent::id).toList());
            assertEquals(List.of("2", "3"), replayed.stream().map(SseEvent::data).toList());
            String fourth = runnel.publish("it/replay", "n", "4");
            assertEquals(fourth, stream.next().id());
            stream.assertNoMoreEvents(Duration.ofMillis(200));
        }
    }

    @Test
    @Order(40)
    void finiteTopicEndsAndAReconnectAtItsEndGets204() throws Exception {
        String topic = "demo/it-finite";
        String lastId;
        try (EventRecorder stream = runnel.subscribe(topic)) {
            stream.connected();
            runnel.publish(topic, "progress", "50");
            String finalId = runnel.publishFinal(topic, "done", "100");
            assertEquals(List.of("progress", "done"), stream.next(2).stream().map(SseEvent::event).toList());
            stream.awaitEnd(EventRecorder.TIMEOUT);
            lastId = stream.lastEventId();
            assertEquals(finalId, lastId);
        }
        try (EventRecorder again = runnel.resume(lastId, topic)) {
            assertEquals(204, again.status());
            again.awaitEnd(EventRecorder.TIMEOUT);
            assertTrue(again.drainReceived().isEmpty());
        }
        assertEquals(409, runnel.postJson("publish", "{\"topic\":\"" + topic + "\",\"data\":\"late\"}").getStatus());
    }

    /** The transports besides SSE this container is tested with (its client decides which it can speak). */
    List<Transports> otherTransports() {
        return List.of(Transports.WEBSOCKET, Transports.POLL);
    }

    @Test
    @Order(45)
    void webSocketAndLongPollCarryTheSameEventsAndResumeFromTheirCursors() throws Exception {
        for (Transports transport : otherTransports()) {
            String topic = "it/" + transport.name().toLowerCase(Locale.ROOT);
            String cursor;
            try (Feed feed = transport.open(http, runnel.base(), List.of(topic), null).awaitJoined()) {
                String first = runnel.publish(topic, "n", "héllo 😀");
                Feed.Item e = feed.next();
                assertEquals(topic, e.topic(), transport.name());
                assertEquals("n", e.event());
                assertEquals(first, e.id());
                assertEquals("héllo 😀", e.data());
                cursor = feed.cursor();
            }
            runnel.publish(topic, "n", "2");
            try (Feed again = transport.open(http, runnel.base(), List.of(topic), cursor)) {
                assertEquals("2", again.next().data(), transport + " resumed after its cursor");
                again.assertNoMoreItems(Duration.ofMillis(200));
            }
            String finite = "demo/it-" + transport.name().toLowerCase(Locale.ROOT);
            runnel.publishFinal(finite, "done", "100");
            try (Feed ended = transport.open(http, runnel.base(), List.of(finite), null)) {
                assertEquals("100", ended.next().data());
                assertNull(ended.nextOrEnd(EventRecorder.TIMEOUT), transport + ": the finite topic ends");
            }
        }
        runnel.awaitConnections(0, GONE_WITHIN);
        // A poll whose client left is not noticed (nothing is written to it) until its timeout answers it.
        runnel.awaitStats("no poll waiting and no address holding a permit",
                s -> s.get("pollsWaiting").getAsInt() == 0 && s.get("streamAddresses").getAsInt() == 0,
                Duration.ofSeconds(15));
    }

    @Test
    @Order(50)
    void abortedClientDisappearsFromStats() throws Exception {
        runnel.awaitConnections(0, GONE_WITHIN);
        EventRecorder stream = runnel.subscribe("it/abort");
        try {
            stream.connected();
            runnel.awaitConnections(1, GONE_WITHIN);
        } finally {
            stream.abort();
        }
        runnel.awaitConnections(0, GONE_WITHIN);
        // A poll whose client left is not noticed (nothing is written to it) until its timeout answers it.
        runnel.awaitStats("no poll waiting and no address holding a permit",
                s -> s.get("pollsWaiting").getAsInt() == 0 && s.get("streamAddresses").getAsInt() == 0,
                Duration.ofSeconds(15));
    }

    @Test
    @Order(55)
    void aHundredHeadsOpenNoStreamAndAGetStillStreams() throws Exception {
        runnel.awaitConnections(0, GONE_WITHIN);
        long opened = runnel.stats().get("streamsOpened").getAsLong();
        for (int i = 0; i < 100; i++) {
            ContentResponse head = runnel.head("events?topic=it/head");
            assertEquals(200, head.getStatus(), "HEAD " + i);
            assertEquals("text/event-stream;charset=UTF-8", head.getHeaders().get("Content-Type"));
            assertEquals("no-store", head.getHeaders().get("Cache-Control"));
        }
        for (int i = 0; i < 5; i++) {
            ContentResponse poem = runnel.head("demo/poem");
            assertEquals(200, poem.getStatus(), "HEAD demo/poem " + i);
            assertEquals("text/event-stream;charset=UTF-8", poem.getHeaders().get("Content-Type"));
        }
        JsonObject stats = runnel.stats();
        assertEquals(0, stats.get("connections").getAsInt(), stats.toString());
        assertEquals(0, stats.get("streamAddresses").getAsInt(), stats.toString());
        assertEquals(opened, stats.get("streamsOpened").getAsLong(), "no HEAD opened a stream: " + stats);
        try (EventRecorder stream = runnel.subscribe("it/head")) {
            assertEquals(200, stream.status());
            stream.connected();
        }
    }

    @Test
    @Order(1000)
    void shutdownEndsOpenStreamsAndLeavesACleanLog() throws Exception {
        List<RawStream> vanished = openStreamsWhoseClientsVanish(4);
        try (EventRecorder stream = runnel.subscribe("it/shutdown")) {
            stream.connected(); // the stream is registered before its first frame leaves
            for (RawStream raw : vanished) {
                raw.reset(); // shutdown's final frame to these streams fails in the write
            }
            int exit = container.stop();
            assertTrue(exit == 0 || exit == 143, container.name + " exited with " + exit);
            stream.awaitEnd(EventRecorder.TIMEOUT);
            if (streamsGetFinalFrameOnShutdown()) {
                assertEquals(2, stream.retries().size(), "the opening retry, then the final one: " + stream.retries());
            }
        }
        container.assertCleanLog();
    }

    /**
     * HTTP/1.1 streams on raw sockets, each past its opening frame, to be reset: the server learns of
     * the client's going only when it next writes. Over TLS (h2) there are none.
     */
    private List<RawStream> openStreamsWhoseClientsVanish(int count) throws Exception {
        if (!"http".equals(runnel.base().getScheme())) {
            return List.of();
        }
        URI events = runnel.uri("events?topic=it/vanished");
        List<RawStream> streams = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RawStream stream = RawStream.open(events.getPort(), events.getRawPath() + "?" + events.getRawQuery(), 0)
                    .startReading(EventRecorder.TIMEOUT);
            Eventually.await(EventRecorder.TIMEOUT, "a raw stream's opening", () -> stream.parse().events.stream()
                    .anyMatch(e -> "connected".equals(e.event())));
            streams.add(stream);
        }
        return streams;
    }
}
