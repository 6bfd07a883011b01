package dev.runnel.metrics;

/**
 * The health of a log shared by several nodes, for {@code /metrics} once such a log runs: it registers
 * itself with {@link RunnelMetrics#registerSharedLog}, and the families {@code runnel_redis_up},
 * {@code runnel_redis_tail_lag_events} and {@code runnel_redis_errors_total} appear. The in-memory log
 * registers nothing.
 *
 * <p>Threading: called by the scraping thread; implementations read volatile state only.
 */
public interface SharedLogHealth {
    /** Whether the shared log answers now. */
    boolean reachable();

    /** Events the shared log holds beyond what this node's tail has read. */
    long tailLagEvents();

    /** Connection and command failures since start. */
    long errors();
}
