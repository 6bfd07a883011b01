package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 20,000 connect-then-abort cycles, 200 at a time, leave nothing behind: no stream, subscription,
 * topic, per-address count or rate-limit entry. Half the clients abort once their stream opened,
 * half right after sending the request.
 */
class ChurnTest {
    private static final int CYCLES = 20_000;
    private static final int CONCURRENCY = 200;

    @Test
    void twentyThousandConnectAbortCyclesLeaveNoStateBehind() throws Exception {
        // Limits above what the cycles can reach: on a loaded machine the server notices aborts late,
        // and a refused stream would not be a stream seen open. Addresses are still counted.
        String limit = String.valueOf(CYCLES);
        try (TestServer server = TestServer.start("runnel.heartbeat", "50ms", "runnel.streams.perAddress", limit,
                "runnel.streams.max", limit)) {
            AtomicInteger opened = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
            try {
                List<Future<?>> workers = new ArrayList<>();
                AtomicInteger next = new AtomicInteger();
                for (int w = 0; w < CONCURRENCY; w++) {
                    workers.add(pool.submit(() -> {
                        int i;
                        while ((i = next.getAndIncrement()) < CYCLES) {
                            if (cycle(server.port(), i)) {
                                opened.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : workers) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            Eventually.await(Duration.ofSeconds(30), "every aborted stream closed",
                    () -> server.stats().get("connections").getAsInt() == 0);
            JsonObject stats = server.stats();
            assertEquals(0, stats.get("subscriptions").getAsInt(), stats.toString());
            assertEquals(0, stats.get("topics").getAsInt(), stats.toString());
            assertEquals(0, stats.get("streamAddresses").getAsInt(), stats.toString());
            assertEquals(0, stats.get("rateLimitedCredentials").getAsInt(), stats.toString());
            assertEquals(0, server.runnel().streams().size());
            assertEquals(0, server.runnel().limits().open());
            assertEquals(0, server.runnel().hub().subscriptionCount());
            assertEquals(stats.get("streamsOpened").getAsLong(), stats.get("streamsClosed").getAsLong());
            assertTrue(opened.get() >= CYCLES / 2, "streams seen open: " + opened.get());
            System.out.printf("churn: %d cycles, %d streams seen open, %d opened on the server%n", CYCLES, opened.get(),
                    stats.get("streamsOpened").getAsLong());
        }
    }

    /** One client: connect, ask for a stream, and abort with a reset — after the stream opened, or at once. */
    private static boolean cycle(int port, int i) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(60_000); // generous: a loaded machine may starve a client; every answer ends its read
            socket.setSoLinger(true, 0);
            socket.getOutputStream().write(("GET /events?topic=churn/" + (i % 100) + " HTTP/1.1\r\nHost: x\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            if (i % 2 == 1) {
                return false;
            }
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                if (seen.indexOf("event: connected") >= 0) {
                    return true;
                }
                if (seen.indexOf("\r\n\r\n") >= 0 && !seen.toString().startsWith("HTTP/1.1 200 ")) {
                    // Refused: the answer is complete and the connection stays open; never wait on it.
                    return false;
                }
            }
            return false;
        }
    }
}
