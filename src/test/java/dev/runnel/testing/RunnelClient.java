package dev.runnel.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Talks to a Runnel that runs somewhere, at a base URI such as {@code http://127.0.0.1:8080/runnel/}:
 * the WAR in a standalone container, or an embedded server. Paths are relative to the base
 * ({@code "events?topic=a"}), so the context path never leaks into a test. Streams are read by
 * {@link EventRecorder}; the {@link HttpClient} decides the protocol (HTTP/1.1 or HTTP/2).
 */
public final class RunnelClient {
    private static final long REQUEST_TIMEOUT_SECONDS = 10;

    private final HttpClient client;
    private final URI base;
    private final String bearer;
    private final String admin;

    public RunnelClient(HttpClient client, URI base) {
        this(client, base, null, null);
    }

    private RunnelClient(HttpClient client, URI base, String bearer, String admin) {
        if (!base.getPath().endsWith("/")) {
            throw new IllegalArgumentException("base: " + base + " (expected: a path ending in /)");
        }
        this.client = client;
        this.base = base;
        this.bearer = bearer;
        this.admin = admin;
    }

    /** The same client, sending {@code Authorization: Bearer credential} with what it POSTs. */
    public RunnelClient withBearer(String credential) {
        return new RunnelClient(client, base, credential, admin);
    }

    /** The same client, sending the admin credential with {@code GET stats} and {@code GET metrics}. */
    public RunnelClient withAdmin(String credential) {
        return new RunnelClient(client, base, bearer, credential);
    }

    /** {@code GET metrics} with this {@code Accept} (null: none) and the admin credential; any status. */
    public ContentResponse metrics(String accept) throws Exception {
        Request request = adminRequest("metrics");
        if (accept != null) {
            request.headers(h -> h.put("Accept", accept));
        }
        return request.send();
    }

    /** A GET of {@code relative} with the admin credential when this client has one. */
    private Request adminRequest(String relative) {
        Request request = client.newRequest(uri(relative)).timeout(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (admin != null) {
            request.headers(h -> h.put("Authorization", "Bearer " + admin));
        }
        return request;
    }

    public URI base() {
        return base;
    }

    public URI uri(String relative) {
        return base.resolve(relative);
    }

    public HttpClient httpClient() {
        return client;
    }

    /** Subscribes to the given topics. */
    public EventRecorder subscribe(String... topics) {
        return EventRecorder.open(client, uri("events?" + TestServer.query(topics)), null);
    }

    /** Subscribes with a {@code Last-Event-ID} header, as a reconnecting {@code EventSource} does. */
    public EventRecorder resume(String lastEventId, String... topics) {
        return EventRecorder.open(client, uri("events?" + TestServer.query(topics)), lastEventId);
    }

    public ContentResponse get(String relative) throws Exception {
        return client.newRequest(uri(relative)).timeout(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS).send();
    }

    /** POSTs a JSON body; returns the response, whatever its status. */
    public ContentResponse postJson(String relative, String json) throws Exception {
        Request request = client.newRequest(uri(relative)).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", json, StandardCharsets.UTF_8))
                .timeout(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (bearer != null) {
            request.headers(h -> h.put("Authorization", "Bearer " + bearer));
        }
        return request.send();
    }

    /** A {@code HEAD} request; returns the response, whatever its status. */
    public ContentResponse head(String relative) throws Exception {
        return client.newRequest(uri(relative)).method(HttpMethod.HEAD)
                .timeout(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS).send();
    }

    /** Publishes through {@code POST publish}, asserts 200, returns the assigned id. */
    public String publish(String topic, String event, String data) throws Exception {
        return publish(topic, event, data, false);
    }

    /** Publishes the last event of a finite topic ({@code "final": true}). */
    public String publishFinal(String topic, String event, String data) throws Exception {
        return publish(topic, event, data, true);
    }

    private String publish(String topic, String event, String data, boolean last) throws Exception {
        JsonObject body = new JsonObject();
        body.addProperty("topic", topic);
        if (event != null) {
            body.addProperty("event", event);
        }
        body.addProperty("data", data);
        if (last) {
            body.addProperty("final", true);
        }
        ContentResponse response = postJson("publish", body.toString());
        if (response.getStatus() != 200) {
            throw new AssertionError("publish answered " + response.getStatus() + ": " + response.getContentAsString());
        }
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject().get("id").getAsString();
    }

    /** {@code GET stats} as JSON. */
    public JsonObject stats() throws Exception {
        ContentResponse response = adminRequest("stats").send();
        if (response.getStatus() != 200) {
            throw new AssertionError("stats answered " + response.getStatus() + ": " + response.getContentAsString());
        }
        return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
    }

    /** {@code GET stats} without blocking; fails if the answer is not a 200. */
    public CompletableFuture<JsonObject> statsAsync() {
        return new CompletableResponseListener(adminRequest("stats").timeout(5, TimeUnit.SECONDS)).send()
                .thenApply(response -> {
                    if (response.getStatus() != 200) {
                        throw new IllegalStateException("stats answered " + response.getStatus());
                    }
                    return JsonParser.parseString(response.getContentAsString()).getAsJsonObject();
                });
    }

    /** Polls {@code GET stats} until {@code condition} holds, for at most {@code timeout}. */
    public JsonObject awaitStats(String what, Predicate<JsonObject> condition, Duration timeout) {
        return Eventually.await(what, this::statsAsync, condition, timeout);
    }

    /** Waits until {@code /stats} counts exactly {@code n} open streams. */
    public JsonObject awaitConnections(int n, Duration timeout) {
        return awaitStats("connections == " + n, s -> s.get("connections").getAsInt() == n, timeout);
    }
}
