package dev.runnel.web;

import dev.runnel.hub.EventLog;
import dev.runnel.hub.Hub;
import dev.runnel.hub.MemoryEventLog;
import dev.runnel.hub.StateLimits;
import dev.runnel.hub.TopicKinds;
import dev.runnel.metrics.Rejections;
import dev.runnel.metrics.RunnelMetrics;
import dev.runnel.metrics.SharedLogHealth;
import dev.runnel.metrics.TopicActivity;
import dev.runnel.redis.Lease;
import dev.runnel.redis.NodeRegistry;
import dev.runnel.redis.RunRegistry;
import dev.runnel.redis.SharedEventLog;
import dev.runnel.redis.SharedLog;
import dev.runnel.redis.SharedTickets;
import dev.runnel.stream.StreamMetrics;
import dev.runnel.stream.StreamRegistry;
import dev.runnel.web.api.Server;
import dev.runnel.web.auth.Access;
import dev.runnel.web.auth.TicketStore;
import dev.runnel.web.auth.TokenVerifier;
import dev.runnel.web.demo.DemoGate;
import dev.runnel.web.http.ClientAddress;
import dev.runnel.web.limits.RateLimiter;
import dev.runnel.web.limits.StreamLimits;
import dev.runnel.web.ops.ConsoleFeed;
import dev.runnel.web.ops.Happenings;
import dev.runnel.web.ops.NodeCard;
import dev.runnel.web.ops.NodeDirectory;
import dev.runnel.web.ops.OpenStreams;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One running Runnel: the hub, the open streams, the dispatcher and the scheduler, and what operators
 * watch them with (the metrics, the open streams' record, the admin console's feed). Built by
 * {@link RunnelListener} when the web application starts and closed when it stops.
 *
 * <p>Threading: thread-safe.
 */
public final class Runnel implements Server, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Runnel.class.getName());
    /** The servlet context attribute under which the running instance is kept. */
    public static final String ATTRIBUTE = Runnel.class.getName();

    private final RunnelConfig config;
    private final SecurityConfig security;
    private final Access access;
    private final StreamLimits limits;
    private final RateLimiter publishRate;
    private final DemoConfig demos;
    private final ChatConfig chat;
    private final DemoGate demoGate;
    private final TokenVerifier tokens;
    private final byte[] demoSecret;
    private final Settings settings;
    private final String nodeId = newNodeId();
    private final SharedEventLog shared;
    private final EventLog log;
    private final Hub hub;
    private final StreamRegistry streams = new StreamRegistry();
    private final OpsConfig ops;
    private final RunnelMetrics meters = new RunnelMetrics();
    private final StreamMetrics metrics = new StreamMetrics(meters);
    private final TopicActivity activity = new TopicActivity();
    private final Rejections rejections = new Rejections();
    private final Happenings happenings = new Happenings();
    private final OpenStreams openStreams = new OpenStreams(happenings);
    private final String version = Version.get();
    private final ThreadPoolExecutor dispatch;
    private final ThreadPoolExecutor fanOut;
    private final ScheduledThreadPoolExecutor scheduler;
    private final long startedNanos = System.nanoTime();
    private final Instant startedAt = Instant.now();
    private final SharedNodes nodes;
    private volatile NodeCard.Where where;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean shuttingDown;

    public Runnel(Settings settings) {
        this.settings = settings;
        // Every setting is read and checked, and everything a setting can make fail is built, before the
        // first thread starts: a refused deploy leaves no thread behind.
        this.config = RunnelConfig.from(settings);
        this.security = SecurityConfig.from(settings);
        this.demos = DemoConfig.from(settings);
        this.chat = ChatConfig.from(settings, config.logMaxAge());
        this.ops = OpsConfig.from(settings);
        this.demoSecret = demoSecret(security, demos);
        byte[] hmac = security.jwtSecret() != null ? security.jwtSecret().getBytes(StandardCharsets.UTF_8) : demoSecret;
        this.tokens = new TokenVerifier(hmac, security.jwtPublicKey(), security.jwtJwks() == null ? null
                : new TokenVerifier.Jwks(security.jwtJwks(), security.jwtJwksRefresh(), security.jwtJwksMinInterval()),
                security.jwtIssuer(), security.jwtAudience(), security.jwtClockSkew());
        TopicKinds kinds = TopicKinds.of(config.stateTopics(), config.finiteTopics());
        // The shared log checks its URL and prefix here, before any thread starts; it connects in start().
        this.shared = config.sharedLog() ? SharedEventLog.open(config.redisUrl(), config.redisPrefix(),
                new SharedLog.Bounds(config.logSize(), config.logMaxBytes(), config.logMaxAge(),
                        config.stateLimits().maxKeysPerTopic()), config.stateLimits().maxTopics(), nodeId) : null;
        // With several nodes a ticket issued on one is redeemed once on any: Redis keeps them.
        TicketStore tickets = shared == null
                ? new TicketStore(security.ticketTtl().toMillis(), security.ticketsMax(), security.ticketsPerSubject())
                : new TicketStore(security.ticketTtl().toMillis(), security.ticketsMax(), security.ticketsPerSubject(),
                        new RedisTicketStorage(new SharedTickets(shared.connections(), shared.prefix())));
        this.access = new Access(config.publishSecret(), ops.adminSecret(), security.publishAllowLoopback(), tokens, tickets,
                security.privateTopics(), security.authCookie(), security.clients());
        this.limits = new StreamLimits(security.streamsMax(), security.streamsPerAddress());
        this.publishRate = new RateLimiter(security.publishRate(), security.publishBurst());
        this.demoGate = new DemoGate(security.clients(), new RateLimiter(demos.rate(), demos.burst()),
                new RateLimiter(demos.eventsPerMinute() / 60.0, Math.max(1, demos.eventsPerMinute())));
        warnOfPublishingWithoutCredential();

        this.dispatch = loggingPool(config.dispatchThreads(), named("runnel-dispatch-", true, threads), "dispatcher");
        // The in-memory log's fan-out has a thread of its own: it never waits in line behind the streams'
        // drains (the shared log's fan-out runs on its reader thread, runnel-redis-tail).
        this.fanOut = shared != null ? null : loggingPool(1, named("runnel-fanout", false, threads), "fan-out");
        this.scheduler = new ScheduledThreadPoolExecutor(1, named("runnel-scheduler", false, threads));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.log = shared != null ? shared : new MemoryEventLog(new MemoryEventLog.Bounds(config.logSize(),
                config.logMaxBytes(), config.logMaxAge().toMillis()), config.stateLimits(), fanOut);
        this.hub = new Hub(log, kinds, config.fanOut());
        if (shared != null) {
            LOG.log(Level.INFO, "Runnel shares its log through " + shared.describe());
        }
        hub.onPublish(activity);
        meters.register(new RunnelMetrics.Sources(hub, metrics, activity, rejections, this::streamsByTransport));
        if (shared != null) {
            meters.registerSharedLog(new SharedLogHealth() {
                @Override
                public boolean reachable() {
                    return shared.health().reachable();
                }

                @Override
                public long tailLagEvents() {
                    return shared.health().lag();
                }

                @Override
                public long errors() {
                    return shared.health().failures();
                }
            });
        }
        // With a shared log every node lists every other on its console, through Redis; alone, itself.
        this.nodes = shared == null ? null
                : new SharedNodes(new NodeRegistry(shared.connections(), shared.prefix()), nodeId,
                        config.redisLeaseTtl().toMillis());
        NodeCard card = new NodeCard(new NodeCard.Sources(nodeId, version, logKind(), hub, startedAt, this::uptimeMillis,
                this::streamsByTransport, () -> shared == null ? -1 : shared.health().lag(), () -> where));
        ConsoleFeed console = new ConsoleFeed(new ConsoleFeed.Sources(hub, metrics, openStreams, activity, happenings,
                rejections, new ConsoleFeed.LogBounds(config.logSize(), config.logMaxBytes()), card,
                nodes == null ? NodeDirectory.ALONE : nodes, this::isShuttingDown));
        every(1000, console::tick);

        long heartbeatNanos = config.heartbeat().toNanos();
        long writeTimeoutNanos = config.writeTimeout().toNanos();
        // Often enough for heartbeats, write timeouts and deadlines to be late by a fraction of each.
        long sweepMillis = Math.max(5, Math.min(1000, Math.min(config.heartbeat().toMillis(),
                config.writeTimeout().toMillis()) / 4));
        every(sweepMillis, () -> {
            streams.sweepHeartbeats(heartbeatNanos);
            streams.sweepStalledAndDue(writeTimeoutNanos, this::jitteredRetryMillis);
        });
        // A publish held back behind the fan-out is refused once it has waited its longest.
        every(Math.max(10, Math.min(250, config.fanOut().maxLagMillis() / 4)), hub::expireHeldPublishes);
        every(5_000, () -> {
            tickets.sweep();
            publishRate.prune();
            demoGate.prune();
        });
    }

    /**
     * This node's name in Redis ({@code CLIENT LIST} shows {@code runnel-<name>-tail}…): the host's name
     * and a random suffix, since several nodes may run on one host.
     */
    private static String newNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        String clean = host.replaceAll("[^A-Za-z0-9._-]", "-");
        return (clean.length() > 40 ? clean.substring(0, 40) : clean) + "-" + MemoryEventLog.newEpoch().substring(0, 6);
    }

    /** A fixed pool whose threads are all started now, not on demand, and which logs a task that failed. */
    private static ThreadPoolExecutor loggingPool(int size, ThreadFactory factory, String what) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), factory) {
            @Override
            protected void afterExecute(Runnable task, Throwable failure) {
                if (failure != null) {
                    LOG.log(Level.ERROR, what + " task failed; the " + what + " keeps running", failure);
                }
            }
        };
        pool.prestartAllCoreThreads();
        return pool;
    }

    /**
     * One warning at start for every way a request without a credential can publish: the loopback
     * opt-in, and the demo endpoints, which write into their own topics for anyone (within their limits).
     */
    private void warnOfPublishingWithoutCredential() {
        List<String> ways = new ArrayList<>();
        if (access.publishesWithoutCredential()) {
            ways.add("runnel.publish.allowLoopback is on, so any client on this machine publishes to every topic "
                    + "(requests a proxy passed on excepted)");
        }
        if (demos.enabled()) {
            ways.add("the demos are on (runnel.demos.enabled), so anyone may start tasks, chat answers and poems and "
                    + "broadcast notifications, within runnel.demos.rate and runnel.demos.eventsPerMinute");
        }
        if (!ways.isEmpty()) {
            LOG.log(Level.WARNING, "Publishing without a credential is possible: " + String.join("; ", ways)
                    + (ways.size() == 1 ? ". Turn it off in production." : ". Turn them off in production."));
        }
    }

    /**
     * The key demo tokens are signed with: the configured HS256 secret or, failing that, a random one;
     * null unless both the demos and {@code runnel.demo.tokens} are on.
     */
    private static byte[] demoSecret(SecurityConfig security, DemoConfig demos) {
        if (!security.demoTokens() || !demos.enabled()) {
            return null;
        }
        LOG.log(Level.WARNING, "runnel.demo.tokens is on: POST /demo/token gives anyone a token for any user. "
                + "Never enable it in production.");
        if (security.jwtSecret() != null) {
            return security.jwtSecret().getBytes(StandardCharsets.UTF_8);
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    /** Runs {@code task} on the scheduler every {@code periodMillis}; a failing run is logged, not fatal. */
    public void every(long periodMillis, Runnable task) {
        scheduler.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "scheduled task failed; it keeps its schedule", e);
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Where this node runs, once its container has said it: the admin console's list of nodes shows it. */
    void locate(String contextPath, String serverInfo) {
        where = new NodeCard.Where(contextPath.isEmpty() ? "/" : contextPath, serverInfo);
    }

    /** This node's name: in Redis's client list, the leases it holds, {@code /stats} and the admin console. */
    @Override
    public String nodeId() {
        return nodeId;
    }

    /**
     * A lease on work that must run on one node of those sharing this Redis at a time, kept for
     * {@code runnel.redis.leaseTtl}; null without {@code runnel.redis.url} (one node runs everything).
     */
    Lease lease(String name) {
        return shared == null ? null
                : new Lease(shared.connections(), shared.prefix(), name, nodeId, config.redisLeaseTtl().toMillis());
    }

    /** Where the nodes of this Redis register their runs; null without {@code runnel.redis.url}. */
    RunRegistry runs() {
        return shared == null ? null : new RunRegistry(shared.connections(), shared.prefix());
    }

    /** The settings source, for parts (feeds, filters) that read keys of their own. */
    public Settings settings() {
        return settings;
    }

    public RunnelConfig config() {
        return config;
    }

    SecurityConfig security() {
        return security;
    }

    /** The chat gateway's settings; {@link RunnelListener} builds the gateway from them. */
    ChatConfig chat() {
        return chat;
    }

    DemoConfig demos() {
        return demos;
    }

    DemoGate demoGate() {
        return demoGate;
    }

    @Override
    public ClientAddress clients() {
        return security.clients();
    }

    @Override
    public java.util.Set<String> corsOrigins() {
        return java.util.Set.copyOf(security.corsOrigins());
    }

    @Override
    public Access access() {
        return access;
    }

    @Override
    public StreamLimits limits() {
        return limits;
    }

    @Override
    public RateLimiter publishRate() {
        return publishRate;
    }

    @Override
    public int maxTopics() {
        return config.maxTopics();
    }

    @Override
    public int maxLastEventIdLength() {
        return security.maxLastEventIdLength();
    }

    @Override
    public long queueBytes() {
        return config.queueBytes();
    }

    @Override
    public long publishMaxBytes() {
        return config.publishMaxBytes();
    }

    @Override
    public int logMaxEvents() {
        return config.logSize();
    }

    @Override
    public long logMaxBytes() {
        return config.logMaxBytes();
    }

    @Override
    public long logMaxAgeMillis() {
        return config.logMaxAge().toMillis();
    }

    /** The HS256 key for demo tokens, or null when {@code runnel.demo.tokens} is off. */
    byte[] demoSecret() {
        return demoSecret;
    }

    @Override
    public Hub hub() {
        return hub;
    }

    @Override
    public StreamRegistry streams() {
        return streams;
    }

    @Override
    public StreamMetrics metrics() {
        return metrics;
    }

    /**
     * Open streams by transport: the streams of {@code /events} and {@code /ws}, and the polls of
     * {@code /poll} waiting for an event (a poll is no stream, but holds a connection and a permit as one).
     */
    private Map<String, Long> streamsByTransport() {
        Map<String, Long> counts = openStreams.countByTransport();
        counts.put("poll", (long) hub.waitingReaders());
        return counts;
    }

    @Override
    public OpenStreams openStreams() {
        return openStreams;
    }

    @Override
    public boolean metricsPublic() {
        return ops.metricsPublic();
    }

    /** The Prometheus registry and exposition of {@code /metrics}. */
    public RunnelMetrics meters() {
        return meters;
    }

    Rejections rejections() {
        return rejections;
    }

    Happenings happenings() {
        return happenings;
    }

    /** Runnel's version, from the build. */
    public String version() {
        return version;
    }

    /** Which log runs: {@code memory} (one node) or {@code redis} (several sharing it). */
    public String logKind() {
        return log instanceof SharedEventLog ? "redis" : "memory";
    }

    @Override
    public ExecutorService dispatch() {
        return dispatch;
    }

    @Override
    public long pollMaxTimeoutMillis() {
        return config.pollMaxTimeout().toMillis();
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /**
     * Whether this node can serve publishes and subscriptions now: not shutting down, and its log
     * reachable (with {@code runnel.redis.url}, Redis). What a readiness probe asks.
     */
    @Override
    public boolean ready() {
        return !shuttingDown && hub.available();
    }

    @Override
    public StateLimits stateLimits() {
        return config.stateLimits();
    }

    @Override
    public boolean sharedLog() {
        return log instanceof SharedEventLog;
    }

    @Override
    public long uptimeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** A reconnection delay for one client, spread over [retry.min, retry.max] so crowds disperse. */
    @Override
    public long jitteredRetryMillis() {
        long min = config.retryMin().toMillis();
        long max = config.retryMax().toMillis();
        return min == max ? min : ThreadLocalRandom.current().nextLong(min, max + 1);
    }

    /**
     * A stream's lifetime under {@code runnel.stream.maxLifetime}: uniformly 80–100 % of it, so that
     * streams opened together (after a deploy, a scale-out) do not all end together; 0 when unlimited.
     */
    @Override
    public long jitteredLifetimeNanos() {
        long max = config.maxLifetime().toNanos();
        return max <= 0 ? 0 : max - ThreadLocalRandom.current().nextLong(max / 5 + 1);
    }

    /**
     * Shutdown: refuse new streams, give every open stream a final jittered {@code retry:} and complete
     * it, then stop every thread this instance started.
     */
    @Override
    public void close() {
        shuttingDown = true;
        if (nodes != null) {
            nodes.close(); // first: the other nodes' consoles drop this one at once
        }
        hub.close();
        try {
            // Every event accepted before the close reaches the open streams ahead of their final frame.
            if (!hub.awaitFanOut(config.shutdownGrace().toMillis())) {
                LOG.log(Level.WARNING, "shutdown: the fan-out did not finish within runnel.shutdown.grace");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        streams.finishAll(this::jitteredRetryMillis, config.shutdownGrace().toMillis());
        log.close(); // the shared log's reader and appender end here
        scheduler.shutdownNow();
        if (fanOut != null) {
            fanOut.shutdown();
        }
        dispatch.shutdown();
        // One deadline for the whole stop, not a wait per executor and per thread in turn.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            if (fanOut != null && !fanOut.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
                fanOut.shutdownNow();
            }
            if (!dispatch.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
                dispatch.shutdownNow();
            }
            scheduler.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS);
            // A terminated pool's workers may still be exiting; containers that check for threads a
            // web application left behind (Tomcat does, right after undeploy) must find none alive.
            for (Thread t : threads) {
                TimeUnit.NANOSECONDS.timedJoin(t, remaining(deadline));
            }
        } catch (InterruptedException e) {
            if (fanOut != null) {
                fanOut.shutdownNow();
            }
            dispatch.shutdownNow();
            Thread.currentThread().interrupt();
        }
        tokens.close();
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    private static ThreadFactory named(String prefix, boolean numbered, List<Thread> created) {
        AtomicInteger counter = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, numbered ? prefix + counter.incrementAndGet() : prefix);
            t.setDaemon(true);
            created.add(t);
            return t;
        };
    }
}
