package dev.runnel.bench;

import dev.runnel.hub.Publication;
import dev.runnel.hub.TopicKind;
import dev.runnel.redis.Appender;
import dev.runnel.redis.RedisConnections;
import dev.runnel.redis.SharedLog;
import dev.runnel.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The publish ceiling through one Redis: how many events per second the sequencer script takes,
 * one round trip per event, in pipelined batches from one thread, and through the {@link Appender}
 * fed by several threads. It starts its own {@code redis-server} (no persistence unless {@code aof}
 * is given: then {@code appendfsync always}, the strictest) and prints one line per way.
 *
 * <pre>java -cp … dev.runnel.bench.RedisPublishProbe [events] [payload bytes] [aof]</pre>
 *
 * Not a test: a measurement, to be run on a quiet machine.
 */
public final class RedisPublishProbe {
    private RedisPublishProbe() {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int payload = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        boolean aof = args.length > 2 && args[2].equals("aof");
        String data = "x".repeat(payload);
        RedisConnections.Timeouts timeouts = new RedisConnections.Timeouts(Duration.ofSeconds(2),
                Duration.ofSeconds(10), Duration.ofSeconds(1));
        SharedLog.Bounds bounds = new SharedLog.Bounds(10_000, 64L << 20, Duration.ofHours(1), 0);
        try (RedisServer server = RedisServer.start(aof ? RedisServer.Persistence.AOF : RedisServer.Persistence.NONE);
                RedisConnections redis = RedisConnections.open(server.url(), timeouts, "probe", 8)) {
            SharedLog log = new SharedLog(redis, "runnel", bounds);
            log.open();
            SharedLog.Append append = new SharedLog.Append(Publication.of("bench", null, data), TopicKind.STREAM, null);

            int single = Math.min(events, 20_000);
            long t0 = System.nanoTime();
            for (int i = 0; i < single; i++) {
                log.append(append);
            }
            report("one script per round trip", single, t0);

            for (int batch : new int[] {32, 256}) {
                List<SharedLog.Append> chunk = java.util.Collections.nCopies(batch, append);
                t0 = System.nanoTime();
                int n = 0;
                while (n < events) {
                    log.appendAll(chunk);
                    n += batch;
                }
                report("pipelined batches of " + batch + ", 1 thread", n, t0);
            }

            for (int threads : new int[] {1, 4}) {
                try (Appender appender = new Appender(redis, log, 256, 50_000, Duration.ofSeconds(5))) {
                    appender.start();
                    Semaphore inFlight = new Semaphore(20_000);
                    t0 = System.nanoTime();
                    List<Thread> publishers = new ArrayList<>();
                    int each = events / threads;
                    for (int t = 0; t < threads; t++) {
                        Thread publisher = new Thread(() -> {
                            CompletableFuture<?> last = null;
                            for (int i = 0; i < each; i++) {
                                inFlight.acquireUninterruptibly();
                                last = appender.submit(append).whenComplete((a, e) -> inFlight.release());
                            }
                            last.join();
                        });
                        publisher.start();
                        publishers.add(publisher);
                    }
                    for (Thread p : publishers) {
                        p.join();
                    }
                    inFlight.acquireUninterruptibly(20_000);
                    report("appender (batches up to 256), " + threads + " submitting threads", each * threads, t0);
                }
            }
            try (redis.clients.jedis.Jedis admin = new redis.clients.jedis.Jedis("127.0.0.1", server.port())) {
                // Redis's own time per script: what one Redis core can give the sequencer at most.
                for (String line : admin.info("commandstats").split("\r?\n")) {
                    if (line.startsWith("cmdstat_evalsha:")) {
                        System.out.println("redis " + line);
                    }
                }
            }
            System.out.println("log head " + log.position().head() + ", payload " + payload + " B, "
                    + (aof ? "AOF appendfsync always" : "no persistence"));
        }
    }

    private static void report(String way, int events, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.println(String.format(Locale.ROOT, "%-52s %8d events %6.2f s %9.0f events/s", way, events, seconds,
                events / seconds));
    }
}
