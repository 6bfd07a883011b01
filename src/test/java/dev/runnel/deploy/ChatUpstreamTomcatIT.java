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
 * The WAR on a stock Tomcat 11 with an OpenAI-compatible upstream (the fake, in this JVM): an answer
 * streams through the upstream client, then Tomcat stops and undeploys Runnel, and its leak detector
 * finds no thread the web application left behind — the reason the upstream runs on Jetty's client,
 * whose threads stop with it, and not on the JDK's, whose selector thread outlives an undeploy on
 * Java 17.
 */
class ChatUpstreamTomcatIT {
    private static final String SECRET = "container-chat-secret-0123456789abcdef";

    @Test
    void anAnswerThroughTheUpstreamThenAnUndeployLeavesNoThreadBehind() throws Exception {
        try (FakeUpstream fake = FakeUpstream.start();
                Container tomcat = new TomcatContainer(11, "tomcat11-chat", Map.of(
                        "RUNNEL_CHAT_UPSTREAM_URL", fake.url().toString(), "RUNNEL_CHAT_UPSTREAM_MODEL", "fake",
                        "RUNNEL_CHAT_UPSTREAM_APIKEY", "sk-container", "RUNNEL_PUBLISH_SECRET", SECRET))) {
            HttpClient http = new HttpClient();
            http.start();
            try {
                RunnelClient runnel = new RunnelClient(http, tomcat.baseUri());
                tomcat.start(runnel);
                fake.then(FakeUpstream.script().pace(Duration.ofMillis(10)).content("Through", " Tomcat", ".")
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
                assertEquals("Through Tomcat.", text.toString());
                assertEquals("Bearer sk-container", fake.calls().get(0).authorization);
                int exit = tomcat.stop();
                assertTrue(exit == 0 || exit == 143, "tomcat exited with " + exit);
                tomcat.assertCleanLog(); // no "appears to have started a thread named [runnel-upstream-…]"
                assertTrue(tomcat.log().contains("chat answers are written by UpstreamConfig["), tomcat.log());
                assertTrue(!tomcat.log().contains("sk-container"), "the upstream's key is never logged");
            } finally {
                http.stop();
            }
        }
    }
}
