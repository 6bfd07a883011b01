package dev.runnel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.protocol.SseEvent;
import dev.runnel.testing.EventRecorder;
import dev.runnel.testing.RedisServer;
import dev.runnel.testing.RunnelClient;
import dev.runnel.testing.SharedLogChecker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;

/**
 * The WAR on a stock Tomcat 11 and on Jetty 12 as two nodes of one real {@code redis-server}: what is
 * published on one is received on the other in the log's order, a client resumes on the other
 * container with what it missed, and both undeploy with a clean log (Tomcat's leak detector silent
 * about the Redis client's threads). Skipped with the reason when {@code redis-server} is missing
 * (failed under {@code RUNNEL_REQUIRE_ALL=true}).
 */
class TwoContainersOneRedisIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PREFIX = "containers";

    @Test
    void tomcatAndJettyShareOneLogInOneOrderAndAClientResumesAcrossThem() throws Exception {
        try (RedisServer redis = RedisServer.start(RedisServer.Persistence.NONE)) {
            Map<String, String> env = Map.of("RUNNEL_REDIS_URL", redis.url(), "RUNNEL_REDIS_PREFIX", PREFIX);
            HttpClient http = new HttpClient();
            http.start();
            try (Container tomcat = new TomcatContainer(11, "tomcat11-redis", env);
                    Container jetty = JettyContainer.plain("jetty-redis", env)) {
                RunnelClient onTomcat = new RunnelClient(http, tomcat.baseUri()).withBearer(Container.PUBLISH_SECRET)
                        .withAdmin(Container.ADMIN_SECRET);
                RunnelClient onJetty = new RunnelClient(http, jetty.baseUri()).withBearer(Container.PUBLISH_SECRET)
                        .withAdmin(Container.ADMIN_SECRET);
                tomcat.start(onTomcat);
                jetty.start(onJetty);
                for (RunnelClient node : List.of(onTomcat, onJetty)) {
                    node.awaitStats("the node reached Redis", s -> s.get("ready").getAsBoolean(), WAIT);
                }

                List<SseEvent> client = new ArrayList<>();
                List<String> acknowledged = new ArrayList<>();
                String cursor;
                try (EventRecorder jettyStream = onJetty.subscribe("news");
                        EventRecorder tomcatStream = onTomcat.subscribe("news")) {
                    jettyStream.connected();
                    tomcatStream.connected();
                    for (int i = 0; i < 10; i++) {
                        acknowledged.add(onTomcat.publish("news", null, "t" + i));
                    }
                    List<SseEvent> onJettyReceived = jettyStream.next(10);
                    assertEquals(acknowledged, onJettyReceived.stream().map(SseEvent::id).toList(),
                            "published on Tomcat, received on Jetty in order");
                    assertEquals(acknowledged, tomcatStream.next(10).stream().map(SseEvent::id).toList(),
                            "the same order on Tomcat");
                    client.addAll(onJettyReceived);
                    cursor = jettyStream.lastEventId();
                }

                List<String> missed = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    missed.add(onJetty.publish("news", null, "j" + i));
                }
                try (EventRecorder resumed = onTomcat.resume(cursor, "news")) {
                    resumed.connected();
                    List<SseEvent> replayed = resumed.next(5);
                    assertEquals(missed, replayed.stream().map(SseEvent::id).toList(),
                            "resumed on Tomcat with exactly what it missed while it was on Jetty");
                    client.addAll(replayed);
                    resumed.assertNoMoreEvents(Duration.ofMillis(200));
                }
                SharedLogChecker log = SharedLogChecker.read(redis, PREFIX);
                log.checkAcknowledged(acknowledged);
                log.checkReceived("the client across the containers", client, Set.of("news"));

                for (Container container : List.of(tomcat, jetty)) {
                    int exit = container.stop();
                    assertTrue(exit == 0 || exit == 143, container.name + " exited with " + exit);
                    container.assertCleanLog();
                }
            } finally {
                http.stop();
            }
        }
    }
}
