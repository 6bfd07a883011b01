package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.Hub;
import dev.runnel.hub.Publication;
import dev.runnel.hub.Receipt;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.Eventually;
import dev.runnel.testing.RawHttp;
import dev.runnel.testing.RawStream;
import dev.runnel.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Undeploy while a publisher is busy and subscribers read (raw sockets, so the exact bytes and the
 * end of the chunked body are visible): new subscriptions get 503, every reading stream ends with a
 * final {@code retry:} in the configured range after every event the hub accepted, in order, the response is
 * completed properly and nothing follows its end, and every Runnel thread stops. (Embedded Jetty:
 * an undeploy keeps the connectors open; a full stop closes them first, so clients then only see
 * the connection end.)
 */
class ShutdownUnderLoadTest {
    private static final int READERS = 20;

    @Test
    void undeployUnderLoadRefusesNewStreamsFinishesEveryStreamAndWritesNothingAfterTheEnd() throws Exception {
        TestServer server = TestServer.start("runnel.shutdown.grace", "3s", "runnel.stream.queueBytes", "64MiB",
                "runnel.retry.min", "1000ms", "runnel.retry.max", "3000ms", "runnel.log.size", "100000");
        try {
            List<RawStream> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                readers.add(RawStream.open(server.port(), "/events?topic=load", 0).startReading(Duration.ofMillis(500)));
            }
            // One client that stopped reading keeps shutdown waiting out its grace period: the window in
            // which a new subscription must be refused.
            RawStream stalled = RawStream.open(server.port(), "/events?topic=bulk", 1024);
            Eventually.await(Duration.ofSeconds(5), "all open", () -> server.runnel().streams().size() == READERS + 1);
            Hub hub = server.runnel().hub();
            String bulk = "z".repeat(16 * 1024);
            for (int i = 0; i < 512; i++) {
                hub.publish(Publication.of("bulk", null, bulk)); // 8 MiB: more than the socket buffers take
            }

            AtomicInteger published = new AtomicInteger();
            CountDownLatch publishing = new CountDownLatch(100);
            CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
                for (;;) {
                    Receipt receipt = hub.publish(Publication.of("load", null, String.valueOf(published.get())))
                            .toCompletableFuture().join();
                    if (receipt.status() == Receipt.Status.CLOSED) {
                        return; // the hub refuses events once shutdown began: the publisher's signal to stop
                    }
                    if (receipt.isAccepted()) { // else held back beyond the fan-out's bound: publish it again
                        published.incrementAndGet();
                        publishing.countDown();
                    }
                }
            });
            assertTrue(publishing.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> undeploy = CompletableFuture.runAsync(() -> {
                try {
                    server.undeploy();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Eventually.await(Duration.ofSeconds(5), "shutdown began", () -> server.runnel().isShuttingDown());
            RawHttp.Response refused = RawHttp.exchange(server.port(), ("GET /events?topic=load HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5));
            // Jetty takes a stopping context out of service before Runnel's own 503 could answer (it says 404;
            // Tomcat says 503): either way no new stream opens. Runnel's 503 itself is tested below.
            assertTrue(refused.status() == 404 || refused.status() == 503, refused.status() + " " + refused.text());
            publisher.get(10, TimeUnit.SECONDS);
            undeploy.get(20, TimeUnit.SECONDS);

            for (RawStream r : readers) {
                r.awaitEnd(Duration.ofSeconds(10));
                RawStream.Parsed got = r.parse();
                assertTrue(r.chunks().complete(), "the response was completed (terminal chunk)");
                assertEquals(0, r.bytesAfterEnd(), "bytes after the end of the response");
                assertTrue(got.endsWithRetry(), "the last frame is the final retry:");
                assertEquals(2, got.retries.size());
                long last = got.retries.get(1);
                assertTrue(last >= 1000 && last <= 3000, "final retry " + last);
                List<SseEvent> events = got.published();
                assertEquals(published.get(), events.size(), "every accepted event arrived before the final retry");
                for (int i = 0; i < events.size(); i++) {
                    assertEquals(String.valueOf(i), events.get(i).data(), "gap-free from the first event");
                }
            }
            stalled.close();
            assertEquals(List.of(), runnelThreads(), "threads left after undeploy");
            System.out.printf("shutdown under load: %d events published; readers got up to %d%n", published.get(),
                    readers.get(0).parse().published().size());
        } finally {
            server.close();
        }
    }

    @Test
    void whileRunnelShutsDownNewStreamsAndPublishesGet503WithRetryAfter() throws Exception {
        try (TestServer server = TestServer.start("runnel.shutdown.grace", "3s", "runnel.log.size", "1000")) {
            RawStream stalled = RawStream.open(server.port(), "/events?topic=bulk", 1024);
            Eventually.await(Duration.ofSeconds(5), "open", () -> server.runnel().streams().size() == 1);
            String bulk = "z".repeat(16 * 1024);
            for (int i = 0; i < 512; i++) {
                server.publishDirect("bulk", null, bulk);
            }
            // What contextDestroyed runs, here with the container still serving requests.
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server.runnel()::close);
            Eventually.await(Duration.ofSeconds(5), "shutdown began", () -> server.runnel().isShuttingDown());
            var stream = server.client().newRequest(server.uri("/events?topic=news")).timeout(10, TimeUnit.SECONDS).send();
            PublishEndpointTest.assertError(stream, 503, "shutting down");
            assertTrue(stream.getHeaders().get("Retry-After") != null);
            var publish = server.postJson("/publish", "{\"topic\":\"news\",\"data\":\"x\"}");
            PublishEndpointTest.assertError(publish, 503, "shut down");
            assertEquals("5", publish.getHeaders().get("Retry-After"));
            closing.get(20, TimeUnit.SECONDS);
            assertEquals(0, server.runnel().streams().size(), "the stalled stream was closed after the grace period");
            stalled.close();
        }
    }

    private static List<String> runnelThreads() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("runnel-")) {
                t.join(5_000);
            }
        }
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("runnel-") && t.isAlive()).map(Thread::getName).toList();
    }
}
