package dev.runnel.web.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.Eventually;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Tokens;
import dev.runnel.web.Runnel;
import dev.runnel.web.RunnelListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The log lines an operator acts on, as {@code java.util.logging} (where {@code System.Logger} goes in
 * Jetty and Tomcat) receives them: the settings at start with secrets masked and the start-up line, a
 * stream's opening and closing at DEBUG (JUL's FINE), an eviction and a refused credential at INFO
 * (without the credential).
 */
class OperationsLogTest {
    private static final String PUBLISH_SECRET = "publish-secret-that-must-not-be-logged";
    private static final List<String> NAMES = List.of(RunnelListener.class.getName(), OpenStreams.class.getName(),
            RejectionsFilter.class.getName());

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
            // nothing buffered
        }

        @Override
        public void close() {
            // nothing held
        }
    };
    private final List<Logger> loggers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void capture() {
        handler.setLevel(Level.ALL);
        for (String name : NAMES) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.FINE);
            logger.addHandler(handler);
            loggers.add(logger); // held: JUL keeps loggers weakly, and a collected one forgets its level
        }
    }

    @AfterEach
    void release() {
        for (Logger logger : loggers) {
            logger.removeHandler(handler);
            logger.setLevel(null);
        }
    }

    @Test
    void theSettingsWithSecretsMaskedThenAStartUpLine() throws Exception {
        try (TestServer server = TestServer.start("runnel.publish.secret", PUBLISH_SECRET, "runnel.heartbeat", "7s")) {
            String settings = line("Runnel settings");
            assertTrue(settings.contains("runnel.publish.secret=****"), settings);
            assertTrue(settings.contains("runnel.admin.secret=****"), settings);
            assertTrue(settings.contains("runnel.heartbeat=7s"), settings);
            assertFalse(settings.contains(PUBLISH_SECRET) || settings.contains(TestServer.ADMIN_SECRET), settings);
            String started = line("Runnel started");
            Runnel runnel = server.runnel();
            assertTrue(started.contains(" version=" + runnel.version() + " "), started);
            assertFalse(runnel.version().isBlank() || "unknown".equals(runnel.version()), "built by Maven");
            assertTrue(started.contains(" log=memory ") && started.contains(" context=/ "), started);
            assertEquals(Level.INFO, record("Runnel started").getLevel());
        }
    }

    @Test
    void aStreamOpenedAndClosedAtDebugARefusedCredentialAtInfoWithoutIt() throws Exception {
        // A client that leaves is noticed at the next write: a short heartbeat makes that soon.
        try (TestServer server = TestServer.start("runnel.jwt.secret", Tokens.SECRET, "runnel.heartbeat", "250ms")) {
            String id;
            try (EventRecorder stream = server.subscribe("logged/topic")) {
                id = com.google.gson.JsonParser.parseString(stream.connected().data()).getAsJsonObject()
                        .get("connection").getAsString();
                String opened = line("stream opened id=" + id);
                assertTrue(opened.contains(" transport=sse ") && opened.contains(" topics=logged/topic"), opened);
                assertTrue(opened.contains(" address=127.0.0.1"), opened);
                assertEquals(Level.FINE, record("stream opened id=" + id).getLevel());
            }
            Eventually.await(Duration.ofSeconds(30), "the close is logged", () -> find("stream closed id=" + id) != null);
            String closed = line("stream closed id=" + id);
            assertTrue(closed.contains(" reason=") && closed.contains(" duration=") && closed.contains(" events="), closed);
            assertEquals(Level.FINE, record("stream closed id=" + id).getLevel());

            String expired = Tokens.hs256(Tokens.claims("mallory", -600).claim("pub", List.of("x")).build());
            assertEquals(401, server.postJson("/publish", "{\"topic\":\"x\",\"data\":1}",
                    "Authorization", "Bearer " + expired).getStatus());
            // Logged once the servlet returns: the client may have its answer first.
            String start = "credential refused status=401 method=POST path=/publish";
            Eventually.await(Duration.ofSeconds(30), "the refusal is logged", () -> find(start) != null);
            String refused = line(start);
            assertTrue(refused.contains(" presented=bearer"), refused);
            assertFalse(refused.contains(expired) || refused.contains(expired.substring(0, 20)), "no credential: " + refused);
            assertEquals(Level.INFO, record("credential refused").getLevel());
        }
    }

    @Test
    void anEvictionAtInfoWithItsReason() throws Exception {
        try (TestServer server = TestServer.start("runnel.stream.queueBytes", "64KiB")) {
            MetricsEndpointTest.evictOneStalledStream(server);
            Eventually.await(Duration.ofSeconds(30), "the eviction is logged", () -> find("stream evicted") != null);
            String evicted = line("stream evicted");
            assertTrue(evicted.contains(" reason=queue ") && evicted.contains(" topics=m/busy "), evicted);
            assertTrue(evicted.contains(" duration=") && evicted.contains(" events=") && evicted.contains(" detail="), evicted);
            assertEquals(Level.INFO, record("stream evicted").getLevel());
        }
    }

    private LogRecord find(String start) {
        return records.stream().filter(r -> message(r).startsWith(start)).findFirst().orElse(null);
    }

    private LogRecord record(String start) {
        LogRecord r = find(start);
        if (r == null) {
            throw new AssertionError("no log line starting \"" + start + "\" in " + records.stream().map(OperationsLogTest::message).toList());
        }
        return r;
    }

    private String line(String start) {
        return message(record(start));
    }

    private static String message(LogRecord r) {
        return r.getMessage();
    }
}
