package dev.runnel.web;

import dev.runnel.chat.ChatGateway;
import dev.runnel.chat.ChatModel;
import dev.runnel.chat.MarkovChain;
import dev.runnel.chat.MarkovChatModel;
import dev.runnel.chat.MemoryAnswerStore;
import dev.runnel.chat.OpenAiUpstream;
import dev.runnel.chat.UpstreamConfig;
import dev.runnel.hub.Hub;
import dev.runnel.redis.RunRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The chat gateway's keys ({@code runnel.chat.*}), read and checked before any thread starts, and
 * the gateway they describe: the built-in offline model by default, an OpenAI-compatible upstream
 * when {@code runnel.chat.upstream.url} is set. The README's "AI gateway" and "Configuration"
 * sections list the same keys.
 *
 * <p>Threading: immutable; {@link #start} is called once, by the listener.
 */
record ChatConfig(
        UpstreamConfig upstream,
        String systemPrompt,
        int tokensPerSecond,
        ChatGateway.Limits limits,
        ChatGateway.History history,
        ChatGateway.Budget budget) {

    static final int OFFLINE_MAX_TOKENS = 400;
    static final int UPSTREAM_MAX_TOKENS = 4096;

    static ChatConfig from(Settings s, Duration logMaxAge) {
        UpstreamConfig upstream = upstream(s);
        int maxTokens = s.integer("runnel.chat.maxTokens", upstream == null ? OFFLINE_MAX_TOKENS : UPSTREAM_MAX_TOKENS,
                1, 1_000_000);
        ChatGateway.Limits limits = new ChatGateway.Limits(
                s.integer("runnel.chat.maxRunning", 16, 1, 10_000),
                maxTokens,
                (int) Math.min(Integer.MAX_VALUE, s.bytes("runnel.chat.maxPromptBytes", 16 * 1024)),
                s.duration("runnel.chat.idleTimeout", Duration.ofSeconds(60)),
                s.duration("runnel.chat.maxDuration", Duration.ofMinutes(10)),
                logMaxAge,
                s.duration("runnel.chat.coalesce", Duration.ZERO));
        ChatGateway.History history = new ChatGateway.History(
                s.integer("runnel.chat.history.turns", 20, 2, 1000),
                s.bytes("runnel.chat.history.bytes", 32 * 1024),
                s.duration("runnel.chat.history.ttl", Duration.ofHours(1)),
                s.integer("runnel.chat.history.conversations", 10_000, 1, 10_000_000));
        ChatGateway.Budget budget = new ChatGateway.Budget(
                s.integer("runnel.chat.budget.perMinute", 0, 0, Integer.MAX_VALUE),
                s.integer("runnel.chat.budget.perDay", 0, 0, Integer.MAX_VALUE));
        if (history.ttl().isZero() || history.bytes() <= 0) {
            throw new IllegalArgumentException("runnel.chat.history.ttl and .bytes: expected > 0");
        }
        return new ChatConfig(upstream, s.string("runnel.chat.systemPrompt", null),
                s.integer("runnel.chat.tokensPerSecond", 30, 1, 1000), limits, history, budget);
    }

    private static UpstreamConfig upstream(Settings s) {
        String url = s.string("runnel.chat.upstream.url", null);
        if (url == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("runnel.chat.upstream.url: \"" + url + "\" (expected: a URL such as "
                    + "http://localhost:11434/v1)");
        }
        return new UpstreamConfig(uri, s.string("runnel.chat.upstream.model", null),
                s.string("runnel.chat.upstream.apiKey", null),
                s.duration("runnel.chat.upstream.connectTimeout", Duration.ofSeconds(10)),
                s.duration("runnel.chat.upstream.firstTokenTimeout", Duration.ofSeconds(60)),
                s.duration("runnel.chat.upstream.idleTimeout", Duration.ofSeconds(30)),
                s.duration("runnel.chat.upstream.totalTimeout", Duration.ofMinutes(10)),
                s.integer("runnel.chat.upstream.maxConcurrent", 16, 1, 10_000),
                s.integer("runnel.chat.upstream.retries", 2, 0, 10),
                s.duration("runnel.chat.upstream.maxRetryAfter", Duration.ofSeconds(30)));
    }

    /** Whether starting an answer spends an upstream, and so needs a credential. */
    boolean needsCredential() {
        return upstream != null;
    }

    /**
     * Builds the model (starting the upstream's client, when there is one) and the gateway over it;
     * with {@code runs} (several nodes on one Redis), the gateway's answers are registered there, so
     * that every node finds and stops them.
     */
    ChatGateway start(Hub hub, ScheduledExecutorService scheduler, RunRegistry runs, String node) {
        ChatModel model = upstream != null ? OpenAiUpstream.start(upstream, scheduler)
                : new MarkovChatModel(MarkovChain.fromResource("/dev/runnel/chat/corpus.txt"), scheduler,
                        tokensPerSecond, limits.maxTokens(), new Random());
        ChatGateway gateway;
        try {
            gateway = new ChatGateway(hub, model, scheduler, limits, systemPrompt,
                    new MemoryAnswerStore(10_000, System::currentTimeMillis), history, budget);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        if (runs != null) {
            // An ended answer stays known for as long as its topic is in the log.
            gateway.registerWith(new SharedAnswers(runs, node, limits.idempotencyTtl().toMillis(), gateway));
        }
        return gateway;
    }
}
