package dev.runnel.web.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.runnel.web.http.HttpError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Ticket expiry with a clock the test moves, instead of waiting for one to pass; the bounds under contention. */
class TicketStoreTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final TicketStore store = new TicketStore(30_000, 100, 32, now::get);
    private final TicketStore.Ticket alice = new TicketStore.Ticket("alice", List.of("users/alice/inbox"),
            System.currentTimeMillis() + 600_000);

    @Test
    void ticketIsGoodOnceWithinItsTtl() {
        String t = store.issue(alice);
        now.addAndGet(TimeUnit.SECONDS.toNanos(29));
        assertNotNull(store.redeem(t));
        assertNull(store.redeem(t), "a second use");
    }

    @Test
    void expiredTicketOpensNothingAndTheSweepForgetsIt() {
        String used = store.issue(alice);
        store.issue(alice);
        now.addAndGet(TimeUnit.SECONDS.toNanos(31));
        assertNull(store.redeem(used));
        assertEquals(1, store.size());
        store.sweep();
        assertEquals(0, store.size());
        for (int i = 0; i < 32; i++) {
            store.issue(alice); // the expired ones no longer count against alice
        }
    }

    @Test
    void ticketLastsNoLongerThanItsToken() {
        String t = store.issue(new TicketStore.Ticket("bob", List.of("users/bob/x"), System.currentTimeMillis() - 1));
        assertNull(store.redeem(t));
    }

    @Test
    void theStoreNeverHoldsMoreThanItsMaximumHoweverManyIssueAtOnce() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 300; round++) {
                TicketStore small = new TicketStore(30_000, 3, 1000);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Integer>> issued = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String holder = "holder-" + t;
                    issued.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        int ok = 0;
                        for (int i = 0; i < 4; i++) {
                            try {
                                small.issue(new TicketStore.Ticket(holder, List.of("news"), System.currentTimeMillis() + 60_000));
                                ok++;
                            } catch (HttpError full) {
                                assertEquals(503, full.status());
                            }
                        }
                        return ok;
                    }));
                }
                int total = 0;
                for (Future<Integer> f : issued) {
                    total += f.get(10, TimeUnit.SECONDS);
                }
                assertEquals(3, total, "tickets issued in round " + round);
                assertEquals(3, small.size(), "tickets held in round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneHolderIsCappedExactlyUnderContentionAndUsingATicketFreesAPlace() throws Exception {
        TicketStore capped = new TicketStore(30_000, 1000, 5);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CyclicBarrier start = new CyclicBarrier(8);
            List<Future<List<String>>> issued = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                issued.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        try {
                            mine.add(capped.issue(alice));
                        } catch (HttpError over) {
                            assertEquals(429, over.status());
                        }
                    }
                    return mine;
                }));
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : issued) {
                all.addAll(f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(5, all.size());
            assertNotNull(capped.redeem(all.get(0)));
            assertNotNull(capped.issue(alice));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void peekingLeavesTheTicketUnused() {
        String t = store.issue(alice);
        assertNotNull(store.peek(t));
        assertNotNull(store.redeem(t));
        assertNull(store.peek(t));
    }
}
