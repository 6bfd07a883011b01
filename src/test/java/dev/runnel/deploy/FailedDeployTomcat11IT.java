package dev.runnel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testing.Eventually;
import dev.runnel.testing.RunnelClient;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;

/**
 * A deploy that fails on a bad setting leaves nothing running: Tomcat 11, which checks every stopped
 * web application for threads it left behind, finds none ("appears to have started a thread" is
 * absent from its log), and the log names the setting.
 */
class FailedDeployTomcat11IT {

    @Test
    void aBadSettingFailsTheDeployAndLeavesNoThread() throws Exception {
        HttpClient http = new HttpClient();
        http.start();
        try (TomcatContainer tomcat = new TomcatContainer(11)) {
            tomcat.launch(Map.of("RUNNEL_JWT_SECRET", "too-short"));
            Eventually.await(Duration.ofSeconds(90), "Tomcat has tried to deploy Runnel", () -> {
                tomcat.assertAlive();
                return tomcat.log().contains("Deployment of web application archive");
            });
            RunnelClient runnel = new RunnelClient(http, tomcat.baseUri());
            assertEquals(404, runnel.get("stats").getStatus(), "Runnel must not be running");
            int exit = tomcat.stop();
            assertTrue(exit == 0 || exit == 143, "tomcat exited with " + exit);
            String log = tomcat.log();
            assertTrue(log.contains("runnel.jwt.secret"), "the log names the bad setting:\n" + log);
            assertFalse(log.contains("appears to have started a thread"), "a thread was left behind:\n" + log);
            assertFalse(log.contains("runnel-dispatch") || log.contains("runnel-scheduler"), log);
        } finally {
            http.stop();
        }
    }
}
