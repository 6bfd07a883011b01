package dev.runnel.bench;

import com.google.gson.JsonObject;
import dev.runnel.web.Runnel;
import dev.runnel.web.RunnelListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server under test, in a JVM of its own so that its heap, RSS and CPU time can be measured
 * apart from the load: embedded Jetty on loopback with either Runnel (built by its own
 * {@link RunnelListener}, exactly as the WAR) or the naive {@link BaselineServlets}. Both get the same
 * Jetty: one connector, an accept queue long enough for a ramp of thousands, the default thread pool.
 *
 * <p>Driven over stdin/stdout: it prints {@code PORT n} once started, and answers {@code STATS} and
 * {@code GC} (a full collection first, for the live heap) with {@code STATS {json}}; {@code QUIT} stops it.
 * Runnel settings come as {@code --set runnel.key=value,runnel.key=value}.
 */
public final class BenchServer {
    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = Flags.parse(args);
        String kind = flags.getOrDefault("kind", "runnel");
        Server server = new Server(new QueuedThreadPool(200, 8));
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(flags.getOrDefault("host", "127.0.0.1"));
        connector.setPort(Integer.parseInt(flags.getOrDefault("port", "0")));
        connector.setAcceptQueueSize(4096);
        connector.setIdleTimeout(30_000);
        int sendBuffer = Integer.parseInt(flags.getOrDefault("send-buffer", "0"));
        if (sendBuffer > 0) {
            // A fixed SO_SNDBUF (no autotuning): a client that stops reading fills it within seconds.
            connector.setAcceptedSendBufferSize(sendBuffer);
        }
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        BaselineServlets baseline = null;
        if (kind.equals("runnel")) {
            String settings = flags.getOrDefault("set", "");
            for (String pair : settings.split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    context.setInitParameter(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            context.addEventListener(new RunnelListener());
            // What Jetty's ee10-websocket-jakarta module does for a deployed WAR: /ws needs the ServerContainer.
            JakartaWebSocketServletContainerInitializer.configure(context, null);
        } else {
            baseline = new BaselineServlets();
            ServletHolder events = new ServletHolder(baseline.events());
            events.setAsyncSupported(true);
            events.setInitParameter("heartBeatPeriod", flags.getOrDefault("heartbeat-seconds", "10"));
            context.addServlet(events, "/events");
            context.addServlet(new ServletHolder(baseline.publish()), "/publish");
        }
        server.setHandler(context);
        server.start();
        System.out.println("PORT " + connector.getLocalPort());
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.strip()) {
                case "GC" -> {
                    System.gc();
                    System.gc();
                    System.out.println("STATS " + stats(context, baseline));
                }
                case "STATS" -> System.out.println("STATS " + stats(context, baseline));
                case "QUIT" -> {
                    stop(server);
                    return;
                }
                default -> System.out.println("ERROR unknown command " + line);
            }
            System.out.flush();
        }
        stop(server);
    }

    private static void stop(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("stopping: " + e);
        }
        System.exit(0);
    }

    static JsonObject stats(ServletContextHandler context, BaselineServlets baseline) {
        JsonObject s = new JsonObject();
        s.addProperty("heapUsed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        s.addProperty("heapCommitted", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
        ProcStats.addTo(s, List.of(ProcessHandle.current().pid()));
        long gcMillis = 0;
        long gcCount = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMillis += Math.max(0, gc.getCollectionTime());
            gcCount += Math.max(0, gc.getCollectionCount());
        }
        s.addProperty("gcMillis", gcMillis);
        s.addProperty("gcCount", gcCount);
        if (baseline != null) {
            s.addProperty("connections", baseline.emitters.size());
            s.addProperty("framesDelivered", baseline.delivered.sum());
            s.addProperty("eventsPublished", baseline.published.sum());
        } else {
            Runnel runnel = (Runnel) context.getServletContext().getAttribute(Runnel.ATTRIBUTE);
            s.addProperty("connections", runnel.streams().size());
            s.addProperty("framesDelivered", runnel.metrics().framesDelivered());
            s.addProperty("writes", runnel.metrics().writes());
            s.addProperty("evictions", runnel.metrics().evictions());
            s.addProperty("eventsPublished", runnel.hub().eventsPublished());
            s.addProperty("ready", runnel.ready());
        }
        return s;
    }
}
