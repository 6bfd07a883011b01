package dev.runnel.web.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Ticket expiry with a clock the test moves, instead of waiting for one to pass. */
class TicketStoreTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final TicketStore store = new TicketStore(30_000, 100, now::get);
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
        for (int i = 0; i < TicketStore.PER_SUBJECT; i++) {
            store.issue(alice); // the expired ones no longer count against alice
        }
    }

    @Test
    void ticketLastsNoLongerThanItsToken() {
        String t = store.issue(new TicketStore.Ticket("bob", List.of("users/bob/x"), System.currentTimeMillis() - 1));
        assertNull(store.redeem(t));
    }
}
