package dev.runnel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.hub.Publication;
import dev.runnel.hub.TopicKind;
import dev.runnel.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Two nodes (two logs and two tails in one JVM) publishing at once see one order, the same on both. */
class TwoNodesTest {
    private static final int PER_PUBLISHER = 500;

    @Test
    void concurrentPublishersOnTwoNodesAreSeenInOneOrderByBoth() throws Exception {
        try (RedisServer server = RedisServer.start(RedisServer.Persistence.NONE);
                RedisConnections a = RedisRig.connect(server, "a");
                RedisConnections b = RedisRig.connect(server, "b")) {
            SharedLog logA = new SharedLog(a, "runnel", RedisRig.BOUNDS);
            SharedLog logB = new SharedLog(b, "runnel", RedisRig.BOUNDS);
            String epoch = logA.open();
            assertEquals(epoch, logB.open());
            TailRecorder seenA = new TailRecorder();
            TailRecorder seenB = new TailRecorder();
            LogTail tailA = new LogTail(a, logA, epoch, 0, seenA, 64, Duration.ofMillis(200));
            LogTail tailB = new LogTail(b, logB, epoch, 0, seenB, 64, Duration.ofMillis(200));
            tailA.start();
            tailB.start();
            try (Appender appenderA = new Appender(a, logA, 32, 10_000, Duration.ofSeconds(5));
                    Appender appenderB = new Appender(b, logB, 32, 10_000, Duration.ofSeconds(5))) {
                appenderA.start();
                appenderB.start();
                List<CompletableFuture<?>> all = new ArrayList<>();
                List<Thread> publishers = new ArrayList<>();
                // Two publishing threads per node: one through the appender, one a script at a time.
                for (String node : List.of("a", "b")) {
                    Appender appender = node.equals("a") ? appenderA : appenderB;
                    SharedLog log = node.equals("a") ? logA : logB;
                    publishers.add(new Thread(() -> {
                        for (int i = 0; i < PER_PUBLISHER; i++) {
                            synchronized (all) {
                                all.add(appender.submit(append(node + "-async-" + i)));
                            }
                        }
                    }));
                    publishers.add(new Thread(() -> {
                        for (int i = 0; i < PER_PUBLISHER; i++) {
                            log.append(append(node + "-sync-" + i));
                        }
                    }));
                }
                publishers.forEach(Thread::start);
                for (Thread t : publishers) {
                    t.join();
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
            }
            int total = 4 * PER_PUBLISHER;
            List<LogEntry> onA = seenA.entries(total, Duration.ofSeconds(60));
            List<LogEntry> onB = seenB.entries(total, Duration.ofSeconds(60));
            tailA.close();
            tailB.close();
            assertEquals(onA, onB, "the same entries in the same order on both nodes");
            assertEquals(java.util.stream.LongStream.rangeClosed(1, total).boxed().toList(),
                    onA.stream().map(LogEntry::sequence).toList());
            Set<String> distinct = new HashSet<>();
            onA.forEach(e -> assertTrue(distinct.add(e.data()), "no duplicate: " + e));
            // Each publisher's own events keep the order it published them in.
            for (String publisher : List.of("a-async-", "a-sync-", "b-async-", "b-sync-")) {
                List<Integer> order = onA.stream().filter(e -> e.data().startsWith(publisher))
                        .map(e -> Integer.parseInt(e.data().substring(publisher.length()))).toList();
                assertEquals(java.util.stream.IntStream.range(0, PER_PUBLISHER).boxed().toList(), order, publisher);
            }
            assertEquals(onA, logA.read(epoch, 0, total), "what the tails delivered is what XRANGE reads");
        }
    }

    private static SharedLog.Append append(String data) {
        return new SharedLog.Append(Publication.of("shared", null, data), TopicKind.STREAM, null);
    }
}
