package dev.runnel.web.demo;

import dev.runnel.web.http.ClientAddress;
import dev.runnel.web.limits.RateLimiter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Function;

/**
 * What anonymous use of the demos must pass before anything starts: a request rate per client address
 * ({@code runnel.demos.rate}, {@code runnel.demos.burst}), then one budget of log events shared by
 * every demo and every client ({@code runnel.demos.eventsPerMinute}), charged up front with the most
 * the started run can publish (a task's steps, an answer's {@code runnel.chat.maxTokens}, the poem's
 * characters) and given back if the start is refused after all. The budget is what bounds the demos'
 * share of the replay log, however many addresses drive them; the feeds' own caps (per address and in
 * all) bound how much runs at once.
 *
 * <p>Threading: thread-safe.
 */
public final class DemoGate {
    private static final String BUDGET = "demos";

    private final ClientAddress clients;
    private final RateLimiter requests;
    private final RateLimiter events;

    /**
     * @param requests demo requests per client address
     * @param events   the shared budget of events, one bucket
     */
    public DemoGate(ClientAddress clients, RateLimiter requests, RateLimiter events) {
        this.clients = clients;
        this.requests = requests;
        this.events = events;
    }

    /**
     * Admits a demo start from {@code req}'s client that may publish up to {@code cost} events, then runs
     * {@code start} with the client's address (the feeds' owner for their per-address caps).
     *
     * @throws dev.runnel.web.http.HttpError 429 over the rate or the budget
     */
    public <T> T admit(HttpServletRequest req, int cost, Function<String, T> start) {
        String client = clients.of(req);
        requests.charge(client, 1, "this address uses the demos faster than runnel.demos.rate allows");
        events.charge(BUDGET, cost, "the demos have published their share of the log for now "
                + "(runnel.demos.eventsPerMinute)");
        try {
            return start.apply(client);
        } catch (RuntimeException refused) {
            events.refund(BUDGET, cost);
            throw refused;
        }
    }

    /** The 429 {@link #admit} would answer, charging nothing (for {@code HEAD}). */
    public void check(HttpServletRequest req) {
        requests.check(clients.of(req), "this address uses the demos faster than runnel.demos.rate allows");
        events.check(BUDGET, "the demos have published their share of the log for now (runnel.demos.eventsPerMinute)");
    }

    /** The client address of {@code req}. */
    String client(HttpServletRequest req) {
        return clients.of(req);
    }

    /** Forgets the buckets that have refilled. Scheduler thread. */
    public void prune() {
        requests.prune();
        events.prune();
    }
}
