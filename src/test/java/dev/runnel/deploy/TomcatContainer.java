package dev.runnel.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A stock Tomcat from the official distribution, run with {@code catalina.sh run}: the unpacked
 * distribution is {@code CATALINA_HOME}, untouched; a fresh {@code CATALINA_BASE} holds a copy of its
 * {@code conf/} and the WAR as {@code webapps/runnel.war}. The only change to the configuration is
 * in {@code server.xml}: the HTTP connector listens on 127.0.0.1 at a free port, and the shutdown port
 * is off (so parallel builds cannot collide on 8005).
 *
 * <p>It is stopped with SIGTERM, as a service manager would: Tomcat's shutdown hook stops it in order,
 * undeploying Runnel, and checks the webapp for threads and leaks it left behind.
 */
final class TomcatContainer extends Container {
    private static final String STOCK_CONNECTOR = "<Connector port=\"8080\" protocol=\"HTTP/1.1\"";
    private static final String STOCK_SERVER = "<Server port=\"8005\" shutdown=\"SHUTDOWN\">";

    private final Path home;
    private final Path base = dir.resolve("catalina-base");
    private final int port = FreePort.pick();
    private final Map<String, String> runnelEnv;

    TomcatContainer(int major) {
        this(major, "tomcat" + major, Map.of());
    }

    /** A Tomcat under its own name whose Runnel also gets {@code runnelEnv} ({@code RUNNEL_*} variables). */
    TomcatContainer(int major, String name, Map<String, String> runnelEnv) {
        super(name);
        this.runnelEnv = Map.copyOf(runnelEnv);
        this.home = Artifacts.tomcatHome(major);
        try {
            copyTree(home.resolve("conf"), base.resolve("conf"));
            for (String d : List.of("logs", "temp", "work", "webapps")) {
                Files.createDirectories(base.resolve(d));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path serverXml = base.resolve("conf/server.xml");
        String xml = read(serverXml);
        write(serverXml, replaceOnce(replaceOnce(xml, STOCK_CONNECTOR,
                        "<Connector address=\"127.0.0.1\" port=\"" + port + "\" protocol=\"HTTP/1.1\""),
                STOCK_SERVER, "<Server port=\"-1\" shutdown=\"SHUTDOWN\">"));
        JettyContainer.copy(Artifacts.war(), base.resolve("webapps/runnel.war"));
    }

    @Override
    ProcessBuilder command() {
        // sh, not the script's own mode bits: the archive's modes may not survive unpacking.
        return new ProcessBuilder("sh", home.resolve("bin/catalina.sh").toString(), "run").directory(dir.toFile());
    }

    @Override
    void environment(Map<String, String> env) {
        env.put("JAVA_HOME", javaHome().toString());
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", base.toString());
        env.putAll(runnelEnv);
    }

    @Override
    URI baseUri() {
        return URI.create("http://127.0.0.1:" + port + "/runnel/");
    }

    @Override
    void requestStop() {
        // catalina.sh run execs the JVM, so this is Tomcat itself.
        handle().destroy();
    }

    @Override
    List<Path> logFiles() {
        try (Stream<Path> files = Files.list(base.resolve("logs"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String replaceOnce(String text, String stock, String replacement) {
        int at = text.indexOf(stock);
        if (at < 0 || text.indexOf(stock, at + 1) >= 0) {
            throw new AssertionError("server.xml: expected the stock " + stock + " exactly once");
        }
        return text.substring(0, at) + replacement + text.substring(at + stock.length());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
