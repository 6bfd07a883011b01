package dev.runnel.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * A bad setting, whichever it is, refuses the start with a message naming it, and leaves no
 * {@code runnel-} thread behind: every setting is read and checked before the first thread starts.
 */
class FailedStartTest {
    /** One bad value per kind of setting, each refused at start. */
    static final Map<String, String> BAD = Map.ofEntries(
            Map.entry("runnel.jwt.secret", "too-short"),
            Map.entry("runnel.jwt.publicKey", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
            Map.entry("runnel.jwt.jwks", "/no/such/jwks.json"),
            Map.entry("runnel.cors.origins", "https://app.example.com/path"),
            Map.entry("runnel.proxies.trusted", "10.0.0.0/33"),
            Map.entry("runnel.private", "a//b"),
            Map.entry("runnel.auth.cookie", "bad cookie"),
            Map.entry("runnel.log.size", "0"),
            Map.entry("runnel.heartbeat", "soon"),
            Map.entry("runnel.stocks.symbols", "acme"),
            Map.entry("runnel.poem.interval", "0"),
            Map.entry("runnel.tasks.minStepMillis", "1"),
            Map.entry("runnel.demos.eventsPerMinute", "10"),
            Map.entry("runnel.publish.allowLoopback", "perhaps"));

    @Test
    void everyBadSettingRefusesTheStartWithItsNameAndLeavesNoThread() {
        for (Map.Entry<String, String> bad : BAD.entrySet()) {
            Set<Thread> before = runnelThreads();
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new Runnel(Settings.fromMap(Map.of(bad.getKey(), bad.getValue()))), bad.toString());
            assertTrue(refused.getMessage().contains(bad.getKey()), bad + ": " + refused.getMessage());
            Set<Thread> started = runnelThreads();
            started.removeAll(before);
            assertEquals(Set.of(), started, bad + " left threads");
        }
    }

    @Test
    void aDeployThatFailsOnASettingLeavesNoRunnelThread() throws Exception {
        Set<Thread> before = runnelThreads();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.setInitParameter("runnel.jwt.secret", "too-short");
        context.addEventListener(new RunnelListener());
        server.setHandler(context);
        try {
            Exception failure = assertThrows(Exception.class, server::start);
            assertTrue(causes(failure).contains("runnel.jwt.secret"), causes(failure));
        } finally {
            server.stop();
        }
        Set<Thread> left = runnelThreads();
        left.removeAll(before);
        assertEquals(List.of(), left.stream().map(Thread::getName).toList());
    }

    private static Set<Thread> runnelThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("runnel-") && t.isAlive()).collect(Collectors.toSet());
    }

    private static String causes(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        return all.toString();
    }
}
