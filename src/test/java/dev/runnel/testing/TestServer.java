package dev.runnel.testing;

import dev.runnel.hub.Publication;
import dev.runnel.hub.Receipt;
import dev.runnel.web.Runnel;
import dev.runnel.web.RunnelListener;
import com.google.gson.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real embedded Jetty on a free port running Runnel exactly as the WAR does (the same listener
 * builds it), with settings passed as context-params, plus a started jetty-client.
 *
 * <p>The ticking feeds (stock prices, system metrics) are off unless a test turns them on, so that
 * nothing publishes behind a test's back. Like {@code mvn jetty:run}, the server lets loopback clients
 * publish without a credential ({@code runnel.publish.allowLoopback}); the demos' rate limits and event
 * budget are off and tasks may step every 10 ms, so tests run fast; {@link #ADMIN_SECRET} is the admin
 * credential, which {@link #api} sends for {@code /stats}. The tests of those rules set them. {@link #startWithDemos} also serves the {@code webapp/}
 * folder, under a context path, the way a container serves the WAR.
 */
public final class TestServer implements AutoCloseable {
    /**
     * Not a Runnel setting but the test server's: {@code "false"} starts it without Jakarta WebSocket,
     * as a container without the module would be.
     */
    public static final String WEBSOCKET = "test.websocket";

    /** The context path of {@link #startWithDemos}: not the root, so relative URLs are put to the test. */
    public static final String DEMO_CONTEXT = "/runnel";
    /** The admin secret of {@link #start} and {@link #startWithDemos}: {@code /stats}, {@code /metrics}, the console. */
    public static final String ADMIN_SECRET = "test-admin-secret-of-the-tests";

    private final Server server;
    private final ServletContextHandler context;
    private final HttpClient client;
    private final ServerConnector connector;
    private final String contextPrefix;

    private TestServer(Map<String, String> settings) throws Exception {
        this(settings, "/", null, 0);
    }

    private TestServer(Map<String, String> settings, String contextPath, Path webRoot, int port) throws Exception {
        this(settings, contextPath, webRoot, port, !"false".equals(settings.remove(WEBSOCKET)));
    }

    private TestServer(Map<String, String> settings, String contextPath, Path webRoot, int port, boolean webSocket)
            throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        context = new ServletContextHandler(contextPath);
        contextPrefix = contextPath.equals("/") ? "" : contextPath;
        settings.forEach(context::setInitParameter);
        context.addEventListener(new RunnelListener());
        if (webSocket) {
            // What Jetty's ee10-websocket-jakarta module does for a deployed WAR: the ServerContainer.
            JakartaWebSocketServletContainerInitializer.configure(context, null);
        }
        if (webRoot != null) {
            context.setBaseResourceAsPath(webRoot);
            context.setWelcomeFiles(new String[] {"index.html"});
            ServletHolder files = new ServletHolder("files", DefaultServlet.class);
            files.setInitParameter("dirAllowed", "false");
            context.addServlet(files, "/");
        }
        server.setHandler(new RemoteAddressOverride(context));
        server.start();
        client = new HttpClient();
        client.setMaxConnectionsPerDestination(10_000);
        client.start();
    }

    private static Map<String, String> settings(String... settings) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("runnel.heartbeat", "30s");
        map.put("runnel.retry.min", "100ms");
        map.put("runnel.retry.max", "200ms");
        map.put("runnel.shutdown.grace", "1s");
        map.put("runnel.stocks.enabled", "false");
        map.put("runnel.metrics.enabled", "false");
        // Load tests publish as fast as they can from loopback; the rate limit has tests of its own.
        map.put("runnel.publish.rate", "0");
        map.put("runnel.publish.allowLoopback", "true");
        map.put("runnel.demos.rate", "0");
        map.put("runnel.demos.eventsPerMinute", "0");
        map.put("runnel.tasks.minStepMillis", "10");
        map.put("runnel.admin.secret", ADMIN_SECRET);
        for (int i = 0; i + 1 < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        return map;
    }

    /** Starts a server with fast test settings, overridden by {@code settings} (key, value, key, value…). */
    public static TestServer start(String... settings) throws Exception {
        return new TestServer(settings(settings));
    }

    /**
     * A node of several on one Redis ({@code prefix} keeps each test's keys apart), once it reached
     * Redis; otherwise like {@link #start}.
     */
    public static TestServer startNode(RedisServer redis, String prefix, String... settings) throws Exception {
        return startNode(redis.url(), prefix, settings);
    }

    /** Like {@link #startNode(RedisServer, String, String...)}, on the Redis at {@code redisUrl}. */
    public static TestServer startNode(String redisUrl, String prefix, String... settings) throws Exception {
        String[] all = new String[settings.length + 4];
        all[0] = "runnel.redis.url";
        all[1] = redisUrl;
        all[2] = "runnel.redis.prefix";
        all[3] = prefix;
        System.arraycopy(settings, 0, all, 4, settings.length);
        TestServer node = start(all);
        try {
            node.api().awaitStats("the node reached Redis", s -> s.get("ready").getAsBoolean(), Duration.ofSeconds(30));
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
        return node;
    }

    /**
     * A server with exactly {@code settings} and Runnel's own defaults for the rest, none of the test
     * defaults of {@link #start}: for tests of a configuration as it ships ({@code mvn jetty:run}'s).
     */
    public static TestServer startAsConfigured(Map<String, String> settings) throws Exception {
        return new TestServer(new LinkedHashMap<>(settings));
    }

    /**
     * Like {@link #start}, and also serves the demo pages of {@code webapp/} (static files, welcome
     * file {@code index.html}) with Runnel under the context path {@value #DEMO_CONTEXT}.
     */
    public static TestServer startWithDemos(String... settings) throws Exception {
        return startWithDemosOn(0, settings);
    }

    /**
     * Like {@link #startWithDemos}, on a given port: a fresh server (a new epoch) where a stopped one
     * was, as after a restart, so that the browser's reconnects reach it.
     */
    public static TestServer startWithDemosOn(int port, String... settings) throws Exception {
        Path webRoot = Path.of("webapp").toAbsolutePath();
        if (!Files.isRegularFile(webRoot.resolve("index.html"))) {
            throw new IllegalStateException("no webapp/index.html under " + webRoot + " (run from the project root)");
        }
        return new TestServer(settings(settings), DEMO_CONTEXT, webRoot, port);
    }

    /** The {@code ws://} URI of {@code /ws}, with an optional query ({@code ?ticket=…}). */
    public URI webSocketUri(String query) {
        return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + contextPrefix + "/ws" + (query == null ? "" : query));
    }

    /** A URI for a path relative to the context root ({@code /events?…}, {@code /stocks.html}). */
    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + contextPrefix + pathAndQuery);
    }

    public int port() {
        return connector.getLocalPort();
    }

    public HttpClient client() {
        return client;
    }

    public Runnel runnel() {
        return (Runnel) context.getServletContext().getAttribute(Runnel.ATTRIBUTE);
    }

    /** Subscribes to the given topics (query string built for you). */
    public EventRecorder subscribe(String... topics) {
        return EventRecorder.open(client, uri("/events?" + query(topics)), null);
    }

    /** Subscribes with a {@code Last-Event-ID} header. */
    public EventRecorder resume(String lastEventId, String... topics) {
        return EventRecorder.open(client, uri("/events?" + query(topics)), lastEventId);
    }

    public static String query(String... topics) {
        StringBuilder q = new StringBuilder();
        for (String topic : topics) {
            if (q.length() > 0) {
                q.append('&');
            }
            q.append("topic=").append(topic);
        }
        return q.toString();
    }

    /** The header that makes a request look as if it came from another address (tests only). */
    public static final String REMOTE_ADDRESS_HEADER = RemoteAddressOverride.HEADER;

    /** POSTs a JSON body; returns the response (any status). */
    public ContentResponse postJson(String path, String json, String... headers) throws Exception {
        Request request = client.newRequest(uri(path)).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", json, StandardCharsets.UTF_8));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            String name = headers[i];
            String value = headers[i + 1];
            request.headers(h -> h.put(name, value));
        }
        return request.timeout(10, TimeUnit.SECONDS).send();
    }

    /** Sends a request without a body ({@code GET}, {@code DELETE}…); returns the response (any status). */
    public ContentResponse send(HttpMethod method, String path) throws Exception {
        return client.newRequest(uri(path)).method(method).timeout(10, TimeUnit.SECONDS).send();
    }

    /** The same HTTP API as the container tests use, against this server. */
    public RunnelClient api() {
        return new RunnelClient(client, uri("/")).withAdmin(ADMIN_SECRET);
    }

    /** Publishes through {@code POST /publish}, asserts 200, {@link #settle}s, returns the assigned id. */
    public String publish(String topic, String event, String data) throws Exception {
        String id = api().publish(topic, event, data);
        settle();
        return id;
    }

    /**
     * Waits until the fan-out has handed on everything accepted so far. The answer to a publish comes
     * once the event is in the log; the fan-out hands it to the streams a moment later. The helpers
     * here wait for that too, so that a test which subscribes after publishing knows that its
     * subscription joins after the event (it is replayed or part of the snapshot, never live).
     */
    public void settle() {
        try {
            if (!runnel().hub().awaitFanOut(30_000)) {
                throw new AssertionError("the fan-out did not catch up within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Publishes in-process through the hub (no HTTP credential needed); returns the assigned id. */
    public String publishDirect(String topic, String event, String data) {
        return publishDirect(Publication.of(topic, event, data));
    }

    /** Publishes in-process, waits for the hub's receipt (asserting it accepted) and {@link #settle}s; returns the id. */
    public String publishDirect(Publication publication) {
        Receipt receipt;
        try {
            receipt = runnel().hub().publish(publication).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no receipt for " + publication + " within 30 s", e);
        }
        if (!receipt.isAccepted()) {
            throw new AssertionError("the hub refused " + publication + ": " + receipt);
        }
        settle();
        return receipt.id();
    }

    /** {@code GET /stats} as JSON. */
    public JsonObject stats() throws Exception {
        return api().stats();
    }

    /**
     * Undeploys the application while the server keeps running (Runnel's shutdown runs with every
     * connection still open). A full {@link #stopServer} closes Jetty's connectors first.
     */
    public void undeploy() throws Exception {
        context.stop();
    }

    /** Stops the whole server: connectors first, then the application. */
    public void stopServer() throws Exception {
        server.stop();
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            client.stop();
        }
    }
}
