package dev.runnel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark harness end to end at toy size, so it never rots: Runnel (on embedded Jetty: the WAR
 * and the standalone Jetty exist only after {@code package}) and the baseline, several client
 * processes, a few hundred streams, a few seconds, a warm-up pass before each. nchan is left out: the
 * suite must not need nginx. Asserts correctness counters only; speed is for {@code mvn -Pbench verify},
 * never for a unit test.
 */
class BenchSmokeTest {
    @TempDir
    File out;

    @Test
    void fanOutDeliversEveryEventExactlyOnceOnBothServers() throws Exception {
        List<Map<String, Object>> records = run("fanout", "--subscribers", "300", "--per-process", "150",
                "--rate", "20", "--duration", "2s", "--payload", "200");
        assertEquals(2, records.size(), "one run per server");
        for (Map<String, Object> r : records) {
            assertEquals(Boolean.TRUE, r.get("correct"), () -> "run failed: " + r);
            assertEquals(300.0 * 40, (Double) r.get("delivered"), 300.0 * 2, () -> "about 40 events to 300 streams: " + r);
            assertEquals(r.get("expected"), r.get("delivered"), () -> "every expected event arrived: " + r);
            assertEquals(0.0, r.get("missing"));
            assertEquals(0.0, r.get("duplicated"));
            assertEquals(0.0, r.get("out of order"));
        }
    }

    @Test
    void fanOutOverWebSocketDeliversEveryEventExactlyOnce() throws Exception {
        assertRunnelAloneDeliveredEverything(run("fanout", "--transport", "ws", "--subscribers", "20",
                "--per-process", "10", "--rate", "20", "--duration", "1s", "--heartbeat-seconds", "1"));
    }

    @Test
    void fanOutOverLongPollDeliversEveryEventExactlyOnce() throws Exception {
        assertRunnelAloneDeliveredEverything(run("fanout", "--transport", "poll", "--subscribers", "20",
                "--per-process", "10", "--rate", "20", "--duration", "1s", "--poll-timeout", "500ms"));
    }

    /** Only Runnel serves /ws and /poll: the baseline is skipped, Runnel's one run lost and repeated nothing. */
    private static void assertRunnelAloneDeliveredEverything(List<Map<String, Object>> records) {
        assertEquals(1, records.size(), () -> "Runnel alone: " + records);
        Map<String, Object> r = records.get(0);
        assertEquals("runnel", r.get("server"));
        assertEquals(Boolean.TRUE, r.get("correct"), () -> "run failed: " + r);
        assertTrue((Double) r.get("delivered") > 0, () -> "something was delivered: " + r);
        assertEquals(r.get("expected"), r.get("delivered"), () -> "every expected event arrived: " + r);
        assertEquals(0.0, r.get("missing"));
        assertEquals(0.0, r.get("duplicated"));
        assertEquals(0.0, r.get("out of order"));
    }

    @Test
    void manyTopicsAndAsFastAsTakenPublishingLoseNothing() throws Exception {
        List<Map<String, Object>> topics = run("topics", "--subscribers", "200", "--per-process", "100",
                "--topics", "50", "--per-connection", "3", "--duration", "2s", "--publishers", "2");
        List<Map<String, Object>> throughput = run("throughput", "--subscribers", "200", "--per-process", "200",
                "--warmup", "500ms", "--duration", "1s", "--publishers", "2", "--window", "200");
        for (Map<String, Object> r : List.of(topics.get(0), topics.get(1), throughput.get(0), throughput.get(1))) {
            assertEquals(Boolean.TRUE, r.get("correct"), () -> "run failed: " + r);
            assertTrue((Double) r.get("delivered") > 0, () -> "something was delivered: " + r);
            assertEquals(r.get("expected"), r.get("delivered"), () -> "every expected event arrived: " + r);
        }
    }

    @Test
    void flatOutPublishingIsSampledAndEverythingAcceptedArrives() throws Exception {
        List<Map<String, Object>> records = run("flatout", "--subscribers", "100", "--per-process", "50",
                "--duration", "1s", "--publishers", "2", "--interval", "250ms", "--drain", "60s",
                "--warm-up-pass", "300ms", "--heartbeat-seconds", "1");
        assertEquals(2, records.size(), "one run per server");
        for (Map<String, Object> r : records) {
            assertEquals(Boolean.TRUE, r.get("correct"), () -> "run failed: " + r);
            assertTrue((Double) r.get("accepted events/s") > 0, () -> "something was accepted: " + r);
            assertEquals(r.get("expected"), r.get("delivered"), () -> "every accepted event arrived: " + r);
            assertFalse(((List<?>) r.get("series")).isEmpty(), () -> "rows were sampled: " + r);
            assertFalse(((Double) r.get("drain time after publishing stopped, s")).isNaN(), () -> "drained: " + r);
        }
    }

    @Test
    void idleStreamsStayOpenAndTheHeapIsMeasuredAtEachStep() throws Exception {
        List<Map<String, Object>> records = run("idle", "--connections", "400", "--per-process", "200",
                "--steps", "2", "--hold", "1500ms", "--heartbeat-seconds", "1");
        for (Map<String, Object> r : records) {
            assertEquals(Boolean.TRUE, r.get("correct"), () -> "run failed: " + r);
            assertEquals(400.0, r.get("streams open at the end"));
            assertEquals(0.0, r.get("errors (failed + dropped + reconnects)"));
            assertFalse(((Double) r.get("heap per stream, KiB (slope)")).isNaN());
        }
        assertTrue((Double) records.get(0).get("heartbeats received per stream") >= 1, "Runnel sent heartbeats");
    }

    /** Runs {@code scenario} small: {@code flags} come last, so a test's own win over these defaults. */
    private List<Map<String, Object>> run(String scenario, String... flags) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(scenario, "--out", out.getPath(),
                "--server-jvm", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                "--client-jvm", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                "--servers", "runnel,baseline", "--runnel-container", "embedded", "--warm-up-pass", "0"));
        args.addAll(List.of(flags));
        Bench bench = new Bench(scenario, Flags.parse(args.toArray(String[]::new)));
        bench.run();
        return bench.records();
    }
}
