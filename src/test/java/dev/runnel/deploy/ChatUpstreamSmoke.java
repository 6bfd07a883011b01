package dev.runnel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.FakeUpstream;
import dev.runnel.testing.RunnelClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.Test;

/**
 * The WAR in a standalone container with an OpenAI-compatible upstream (the fake, in this JVM): an
 * answer streams through the upstream client, then the container stops and undeploys Runnel, and its
 * log shows no thread the web application left behind (Tomcat's leak detector says so when there is
 * one) — the reason the upstream runs on Jetty's client, whose threads stop with it, and not on the
 * JDK's, whose selector thread outlives an undeploy on Java 17. On Jetty it also shows that the
 * client bundled in the WAR loads beside the server's own Jetty.
 */
abstract class ChatUpstreamSmoke {
    private static final String SECRET = "container-chat-secret-0123456789abcdef";

    /** The container, with these {@code RUNNEL_*} variables for Runnel. */
    abstract Container newContainer(Map<String, String> runnelEnv) throws Exception;

    @Test
    void anAnswerThroughTheUpstreamThenAnUndeployLeavesNoThreadBehind() throws Exception {
        try (FakeUpstream fake = FakeUpstream.start();
                Container container = newContainer(Map.of(
                        "RUNNEL_CHAT_UPSTREAM_URL", fake.url().toString(), "RUNNEL_CHAT_UPSTREAM_MODEL", "fake",
                        "RUNNEL_CHAT_UPSTREAM_APIKEY", "sk-container", "RUNNEL_PUBLISH_SECRET", SECRET))) {
            HttpClient http = new HttpClient();
            http.start();
            try {
                RunnelClient runnel = new RunnelClient(http, container.baseUri()).withAdmin(Container.ADMIN_SECRET);
                container.start(runnel);
                fake.then(FakeUpstream.script().pace(Duration.ofMillis(10)).content("Through", " the", " container", ".")
                        .usage(3, 3).done());
                ContentResponse started = http.newRequest(runnel.uri("chat")).method(HttpMethod.POST)
                        .headers(h -> h.put("Authorization", "Bearer " + SECRET))
                        .body(new StringRequestContent("application/json", "{\"prompt\":\"hello\"}",
                                StandardCharsets.UTF_8))
                        .timeout(10, TimeUnit.SECONDS).send();
                assertEquals(201, started.getStatus(), started.getContentAsString());
                JsonObject answer = JsonParser.parseString(started.getContentAsString()).getAsJsonObject();
                StringBuilder text = new StringBuilder();
                try (EventRecorder stream = runnel.subscribe(answer.get("topic").getAsString())) {
                    stream.connected();
                    for (SseEvent e = stream.next(); !e.event().equals("done"); e = stream.next()) {
                        text.append(JsonParser.parseString(e.data()).getAsJsonObject().get("text").getAsString());
                    }
                }
                assertEquals("Through the container.", text.toString());
                assertEquals("Bearer sk-container", fake.calls().get(0).authorization);
                int exit = container.stop();
                assertTrue(exit == 0 || exit == 143, container.name + " exited with " + exit);
                container.assertCleanLog(); // no "appears to have started a thread named [runnel-upstream-…]"
                assertTrue(container.log().contains("chat answers are written by UpstreamConfig["), container.log());
                assertTrue(!container.log().contains("sk-container"), "the upstream's key is never logged");
            } finally {
                http.stop();
            }
        }
    }
}
