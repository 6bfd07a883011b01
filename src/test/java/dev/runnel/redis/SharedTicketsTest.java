package dev.runnel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.Eventually;
import dev.runnel.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the nodes share besides the log: tickets, the run registry, leases. */
class SharedTicketsTest {
    private RedisServer server;
    private RedisConnections a;
    private RedisConnections b;

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.start(RedisServer.Persistence.NONE);
        a = RedisRig.connect(server, "a");
        b = RedisRig.connect(server, "b");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {a, b, server}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void aTicketIssuedOnOneNodeIsRedeemedExactlyOnceOnAny() throws Exception {
        SharedTickets onA = new SharedTickets(a, "runnel");
        SharedTickets onB = new SharedTickets(b, "runnel");
        assertEquals(SharedTickets.Issued.ISSUED, onA.issue("digest-1", "alice", "{\"topics\":[\"x\"]}", 30_000, 32));
        assertEquals(SharedTickets.Issued.EXISTS, onA.issue("digest-1", "alice", "again", 30_000, 32));
        ConcurrentLinkedQueue<SharedTickets.Redeemed> won = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> racers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SharedTickets node = i % 2 == 0 ? onA : onB;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                SharedTickets.Redeemed r = node.redeem("digest-1");
                if (r != null) {
                    won.add(r);
                }
            });
            t.start();
            racers.add(t);
        }
        go.countDown();
        for (Thread t : racers) {
            t.join();
        }
        assertEquals(List.of(new SharedTickets.Redeemed("alice", "{\"topics\":[\"x\"]}")), List.copyOf(won));
        assertNull(onA.redeem("digest-1"));
    }

    @Test
    void aSubjectHoldsAtMostItsCapAndARedeemedTicketFreesItsPlace() {
        SharedTickets tickets = new SharedTickets(a, "runnel");
        assertEquals(SharedTickets.Issued.ISSUED, tickets.issue("d1", "bob", "g", 30_000, 2));
        assertEquals(SharedTickets.Issued.ISSUED, tickets.issue("d2", "bob", "g", 30_000, 2));
        assertEquals(SharedTickets.Issued.SUBJECT_FULL, tickets.issue("d3", "bob", "g", 30_000, 2));
        assertEquals(SharedTickets.Issued.ISSUED, tickets.issue("d4", null, "g", 30_000, 2), "no subject, no cap here");
        assertEquals("bob", tickets.redeem("d1").subject());
        assertEquals(SharedTickets.Issued.ISSUED, tickets.issue("d3", "bob", "g", 30_000, 2));
        assertNull(tickets.redeem("d4").subject());
    }

    @Test
    void aTicketExpires() throws Exception {
        SharedTickets tickets = new SharedTickets(a, "runnel");
        tickets.issue("short", "carol", "g", 100, 1);
        Eventually.await(Duration.ofSeconds(10), "the ticket expired",
                () -> tickets.issue("other", "carol", "g", 30_000, 1) == SharedTickets.Issued.ISSUED);
        assertNull(tickets.redeem("short"));
    }

    @Test
    void anyNodeSeesWhoRunsATaskAndCanCancelIt() throws Exception {
        RunRegistry onA = new RunRegistry(a, "runnel");
        RunRegistry onB = new RunRegistry(b, "runnel");
        assertNull(onB.get("tasks/7"));
        assertFalse(onB.requestCancel("tasks/7"));
        onA.put("tasks/7", "a", "{\"state\":\"running\",\"step\":3}", 30_000);
        assertEquals(new RunRegistry.Run("a", "{\"state\":\"running\",\"step\":3}", false), onB.get("tasks/7"));
        assertTrue(onB.requestCancel("tasks/7"));
        assertTrue(onA.get("tasks/7").cancelRequested(), "the running node sees the request");
        onA.put("tasks/7", "a", "{\"state\":\"cancelled\"}", 30_000);
        assertEquals("{\"state\":\"cancelled\"}", onB.get("tasks/7").status());
        onA.remove("tasks/7");
        assertNull(onB.get("tasks/7"));
        onA.put("chat/1", "a", "running", 100);
        Eventually.await(Duration.ofSeconds(10), "a run its node stopped refreshing expires", () -> onB.get("chat/1") == null);
    }

    @Test
    void aLeaseHasOneHolderAndMovesWhenItDies() throws Exception {
        Lease onA = new Lease(a, "runnel", "stocks", "a", 300);
        Lease onB = new Lease(b, "runnel", "stocks", "b", 300);
        assertTrue(onA.keep());
        assertFalse(onB.keep());
        assertTrue(onA.keep(), "the holder extends it");
        assertEquals("a", onB.holder());
        assertTrue(onA.held());
        // a stops renewing (it died): b takes over once the lease runs out
        Eventually.await(Duration.ofSeconds(10), "b takes the lease", onB::keep);
        assertEquals("b", onA.holder());
        assertFalse(onA.held(), "a's own view ran out no later than Redis's");
        assertFalse(onA.keep());
        onB.release();
        assertNull(onB.holder());
        assertTrue(onA.keep(), "released: free at once");
    }

    @Test
    void aLeaseHolderThatLosesRedisStopsWhenItsLeaseCouldHaveRunOut() throws Exception {
        Lease lease = new Lease(a, "runnel", "stocks", "a", 500);
        assertTrue(lease.keep());
        server.kill();
        assertTrue(lease.keep() || !lease.held(), "an unanswered keep changes nothing by itself");
        Eventually.await(Duration.ofSeconds(10), "held no longer", () -> !lease.held());
    }
}
