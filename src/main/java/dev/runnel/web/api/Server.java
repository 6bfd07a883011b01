package dev.runnel.web.api;

import dev.runnel.hub.Hub;
import dev.runnel.hub.StateLimits;
import dev.runnel.stream.StreamMetrics;
import dev.runnel.stream.StreamRegistry;
import dev.runnel.web.auth.Access;
import dev.runnel.web.http.ClientAddress;
import dev.runnel.web.limits.RateLimiter;
import dev.runnel.web.limits.StreamLimits;
import dev.runnel.web.ops.OpenStreams;
import java.util.concurrent.ExecutorService;

/**
 * What the API endpoints need of a running Runnel: its hub and streams, the rules that admit a
 * stream or an event, the settings they enforce, and its lifecycle. {@code dev.runnel.web.Runnel}
 * implements it, so the endpoints depend on this room's own type and never on the composition root.
 *
 * <p>Threading: implementations are thread-safe; container threads call them.
 */
public interface Server {
    Hub hub();

    StreamRegistry streams();

    StreamMetrics metrics();

    /** The open streams as an operator sees them; an endpoint that opens one registers it there. */
    OpenStreams openStreams();

    /** {@code runnel.metrics.public}: {@code /stats} and {@code /metrics} need no admin credential. */
    boolean metricsPublic();

    /** The executor that drains streams. */
    ExecutorService dispatch();

    Access access();

    StreamLimits limits();

    /** Who a request comes from ({@code runnel.proxies.trusted}). */
    ClientAddress clients();

    /** The origins whose pages may call this server from elsewhere ({@code runnel.cors.origins}). */
    java.util.Set<String> corsOrigins();

    /** The per-credential publish rate ({@code runnel.publish.rate}). */
    RateLimiter publishRate();

    /** {@code runnel.subscribe.maxTopics}. */
    int maxTopics();

    /** {@code runnel.subscribe.maxLastEventIdLength}. */
    int maxLastEventIdLength();

    /** The scheduler: timers of waiting polls. */
    java.util.concurrent.ScheduledExecutorService scheduler();

    /** {@code runnel.poll.maxTimeout}: the longest a poll may wait. */
    long pollMaxTimeoutMillis();

    /** {@code runnel.stream.queueBytes}. */
    long queueBytes();

    /** {@code runnel.publish.maxBytes}. */
    long publishMaxBytes();

    /** {@code runnel.log.size}. */
    int logMaxEvents();

    /** {@code runnel.log.maxBytes}. */
    long logMaxBytes();

    /** {@code runnel.log.maxAge}. */
    long logMaxAgeMillis();

    /** {@code runnel.state.*}. */
    StateLimits stateLimits();

    /** This node's name (in Redis's client list and the leases it holds). */
    String nodeId();

    /** Whether the log is shared through Redis ({@code runnel.redis.url}). */
    boolean sharedLog();

    boolean isShuttingDown();

    /** Whether this node can serve publishes and subscriptions now (not shutting down, its log reachable). */
    boolean ready();

    long uptimeMillis();

    /** A reconnection delay for one client, spread over the configured range. */
    long jitteredRetryMillis();

    /** A stream's jittered lifetime under {@code runnel.stream.maxLifetime}; 0 when unlimited. */
    long jitteredLifetimeNanos();
}
