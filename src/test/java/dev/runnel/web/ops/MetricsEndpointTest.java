package dev.runnel.web.ops;

import static dev.runnel.testing.PrometheusParser.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.Publication;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.Feed;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.PrometheusParser;
import dev.runnel.testing.PrometheusParser.Family;
import dev.runnel.testing.PrometheusParser.Sample;
import dev.runnel.testing.RawStream;
import dev.runnel.testing.TestServer;
import dev.runnel.testing.Transports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} scraped as Prometheus scrapes it and read by the Prometheus client's own parsers
 * (the text format, and the strict OpenMetrics parser): every family of the README's table is there
 * with its help and its unit, and the counters say what the test did.
 */
class MetricsEndpointTest {
    /** What Prometheus 2.x sends with a scrape. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
            + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    static final List<String> FAMILIES = List.of("runnel_streams", "runnel_subscriptions", "runnel_events_published",
            "runnel_deliveries", "runnel_socket_writes", "runnel_bytes_written", "runnel_evictions",
            "runnel_streams_closed", "runnel_requests_rejected", "runnel_replays", "runnel_resets", "runnel_heartbeats",
            "runnel_log_events", "runnel_log_bytes", "runnel_delivery_latency_seconds", "runnel_queue_bytes",
            "jvm_memory_used_bytes", "jvm_gc_collection_seconds", "jvm_threads_current");

    @BeforeEach
    void needsTheParser() {
        PrometheusParser.assumeAvailable();
    }

    @Test
    void countersSayWhatHappened() throws Exception {
        try (TestServer server = TestServer.start("runnel.stream.queueBytes", "64KiB")) {
            Map<String, Family> before = PrometheusParser.prometheus(scrape(server, null));
            int n = 5;
            try (EventRecorder a = server.subscribe("m/news"); EventRecorder b = server.subscribe("m/news")) {
                a.connected();
                b.connected();
                for (int i = 0; i < n; i++) {
                    server.publish("m/news", "headline", "story " + i);
                }
                assertEquals(n, a.next(n).size());
                assertEquals(n, b.next(n).size());
                Map<String, Family> during = PrometheusParser.prometheus(scrape(server, null));
                assertEquals(2, value(during, "runnel_streams", "transport", "sse"));
                assertEquals(2, value(during, "runnel_subscriptions"));
                assertEquals(n, delta(before, during, "runnel_events_published_total", "kind", "stream"));
                assertEquals(0, delta(before, during, "runnel_events_published_total", "kind", "state"));
                assertEquals(2 * n, delta(before, during, "runnel_deliveries_total"));
                assertEquals(2 * n, delta(before, during, "runnel_delivery_latency_seconds_count"),
                        "one latency per live event delivered");
                assertEquals(2 * n, delta(before, during, "runnel_delivery_latency_seconds_bucket", "le", "+Inf"));
                assertTrue(delta(before, during, "runnel_socket_writes_total") >= 2, "at least the opening and one");
                assertTrue(delta(before, during, "runnel_bytes_written_total") > 0);
                assertTrue(value(during, "runnel_log_events") >= n);
                assertTrue(value(during, "runnel_log_bytes") > 0);
            }
            Map<String, Family> beforeEviction = PrometheusParser.prometheus(scrape(server, null));
            evictOneStalledStream(server);
            assertEquals(401, server.client().GET(server.uri("/metrics")).getStatus());
            Map<String, Family> after = PrometheusParser.prometheus(scrape(server, null));
            assertEquals(1, delta(beforeEviction, after, "runnel_evictions_total", "reason", "queue"));
            assertEquals(0, delta(beforeEviction, after, "runnel_evictions_total", "reason", "write_timeout"));
            assertEquals(1, delta(beforeEviction, after, "runnel_streams_closed_total", "reason", "queue"));
            assertEquals(1, delta(beforeEviction, after, "runnel_requests_rejected_total", "status", "401"));
        }
    }

    @Test
    void everyFamilyHasHelpAUnitInItsNameAndNoTopicOrAddressLabel() throws Exception {
        try (TestServer server = TestServer.start(); EventRecorder stream = server.subscribe("secret-topic-name")) {
            stream.connected();
            server.publish("secret-topic-name", null, "x");
            stream.next();
            Map<String, Family> families = PrometheusParser.openMetrics(scrape(server, PROMETHEUS_ACCEPT));
            for (String name : FAMILIES) {
                assertTrue(families.containsKey(name), name + " in " + families.keySet());
            }
            for (Family f : families.values()) {
                assertFalse(f.help().isBlank(), f.name() + " has help");
                for (Sample s : f.samples()) {
                    for (String label : s.labels().values()) {
                        assertFalse(label.contains("secret-topic-name") || label.contains("127.0.0.1"),
                                s + ": no topic or address in a label");
                    }
                }
            }
            assertEquals("seconds", families.get("runnel_delivery_latency_seconds").unit());
            assertEquals("histogram", families.get("runnel_delivery_latency_seconds").type());
            assertEquals("bytes", families.get("runnel_queue_bytes").unit());
            assertEquals("bytes", families.get("runnel_log_bytes").unit());
            assertEquals("counter", families.get("runnel_deliveries").type());
            assertEquals("gauge", families.get("runnel_streams").type());
        }
    }

    @Test
    void openMetricsWhenTheScrapeAsksForItElseTheTextFormat() throws Exception {
        try (TestServer server = TestServer.start()) {
            ContentResponse text = server.api().metrics(null);
            assertEquals(200, text.getStatus());
            assertTrue(text.getHeaders().get("Content-Type").startsWith("text/plain; version=0.0.4"),
                    text.getHeaders().get("Content-Type"));
            assertFalse(text.getContentAsString().contains("# EOF"));
            PrometheusParser.prometheus(text.getContentAsString());

            for (String accept : List.of(PROMETHEUS_ACCEPT, "application/openmetrics-text; version=1.0.0")) {
                ContentResponse om = server.api().metrics(accept);
                assertEquals(200, om.getStatus());
                assertTrue(om.getHeaders().get("Content-Type").startsWith("application/openmetrics-text"),
                        om.getHeaders().get("Content-Type"));
                assertTrue(om.getContentAsString().endsWith("# EOF\n"));
                PrometheusParser.openMetrics(om.getContentAsString());
            }
            // The protobuf format is not in this build: its request gets the text format, not an error.
            ContentResponse protobuf = server.api().metrics(
                    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
            assertEquals(200, protobuf.getStatus());
            assertTrue(protobuf.getHeaders().get("Content-Type").startsWith("text/plain"));
            assertEquals("Accept", text.getHeaders().get("Vary"));
        }
    }

    @Test
    void streamsAreCountedByTransport() throws Exception {
        try (TestServer server = TestServer.start()) {
            List<Feed> feeds = new java.util.ArrayList<>();
            try {
                for (Transports transport : Transports.values()) {
                    feeds.add(transport.open(server, List.of("m/by-transport"), null));
                }
                for (Feed feed : feeds) {
                    feed.awaitJoined(); // a poll joins with its first answer, and waits from its cursor on
                }
                // A WebSocket subscribes after its handshake and a poll waits after its request: both soon.
                Eventually.await(Duration.ofSeconds(30), "one stream of each transport", () -> {
                    Map<String, Family> now = PrometheusParser.prometheus(scrape(server, null));
                    return value(now, "runnel_streams", "transport", "sse") == 1
                            && value(now, "runnel_streams", "transport", "ws") == 1
                            && value(now, "runnel_streams", "transport", "poll") == 1;
                });
                server.publish("m/by-transport", null, "to every transport");
                for (Feed feed : feeds) {
                    Feed.Item item = feed.next(Duration.ofSeconds(30));
                    while (!item.isEvent()) {
                        item = feed.next(Duration.ofSeconds(30)); // connected, and the like
                    }
                    assertEquals("to every transport", item.data());
                }
            } finally {
                for (Feed feed : feeds) {
                    feed.close();
                }
            }
        }
    }

    /** A client that stops reading while 4 KiB events pile up beyond its 64 KiB queue: one eviction. */
    static void evictOneStalledStream(TestServer server) throws Exception {
        long evictions = server.runnel().metrics().evictions();
        try (RawStream stalled = RawStream.open(server.port(), "/events?topic=m/busy", 1024)) {
            Eventually.await(Duration.ofSeconds(10), "the stalled stream is open", () -> stalled(server));
            String payload = "x".repeat(4096);
            for (int i = 0; i < 10_000 && server.runnel().metrics().evictions() == evictions; i++) {
                server.runnel().hub().publish(Publication.of("m/busy", null, payload));
            }
            assertEquals(evictions + 1, server.runnel().metrics().evictions());
            Eventually.await(Duration.ofSeconds(10), "the evicted stream is gone", () -> !stalled(server));
        }
    }

    private static boolean stalled(TestServer server) {
        return server.runnel().openStreams().snapshot().stream().anyMatch(e -> e.stream().topics().contains("m/busy"));
    }

    private static String scrape(TestServer server, String accept) throws Exception {
        ContentResponse response = server.api().metrics(accept);
        assertEquals(200, response.getStatus(), response.getContentAsString());
        return response.getContentAsString();
    }

    private static double delta(Map<String, Family> before, Map<String, Family> after, String sample, String... labels) {
        return value(after, sample, labels) - value(before, sample, labels);
    }
}
