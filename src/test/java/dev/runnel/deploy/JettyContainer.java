package dev.runnel.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Jetty 12 from the official {@code jetty-home} distribution, run the way the README says:
 * {@code java -jar $JETTY_HOME/start.jar jetty.base=…} on a copy of the repository's
 * {@code jetty-base/} with the WAR in its {@code webapps/}. Only the port and the loopback host are set
 * on the command line; with {@link #http2()} the README's opt-in HTTP/2 over TLS is added on top.
 *
 * <p>It is stopped through Jetty's shutdown service ({@code --stop}), not by a signal: on a signal the
 * JVM resets {@code java.util.logging} while Jetty is still stopping, which would hide what Runnel logs
 * at shutdown from the log check.
 */
public final class JettyContainer extends Container {
    /** The keystore password of the README's HTTP/2 instructions, for this throwaway keystore. */
    static final String STORE_PASSWORD = "it-" + UUID.randomUUID();

    private final Path home = Artifacts.jettyHome();
    private final Path base = dir.resolve("jetty-base");
    private final int httpPort = FreePort.pick();
    private final int stopPort = FreePort.pick();
    private final String stopKey = UUID.randomUUID().toString();
    private int tlsPort = -1;
    private Map<String, String> runnelEnv = Map.of();

    private JettyContainer(String name) {
        super(name);
        copyBase(Artifacts.jettyBase(), base);
        copy(Artifacts.war(), base.resolve("webapps/runnel.war"));
    }

    /** The repository's jetty-base as it is. */
    static JettyContainer plain() {
        return new JettyContainer("jetty");
    }

    /** The repository's jetty-base as it is, under its own name, Runnel also getting {@code runnelEnv} ({@code RUNNEL_*}). */
    static JettyContainer plain(String name, Map<String, String> runnelEnv) {
        JettyContainer jetty = new JettyContainer(name);
        jetty.runnelEnv = Map.copyOf(runnelEnv);
        return jetty;
    }

    @Override
    void environment(Map<String, String> env) {
        env.putAll(runnelEnv);
    }

    /** The repository's jetty-base with the README's opt-in HTTP/2: a self-signed keystore, https and http2. */
    static JettyContainer http2() throws Exception {
        JettyContainer jetty = new JettyContainer("jetty-h2");
        jetty.tlsPort = FreePort.pick();
        Files.createDirectories(jetty.base.resolve("etc"));
        // The README's keytool command, word for word but for the password.
        run(new ProcessBuilder(javaHome().resolve("bin/keytool").toString(), "-genkeypair", "-alias", "runnel",
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "365", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", jetty.keystore().toString(), "-storepass", STORE_PASSWORD), Duration.ofSeconds(60));
        return jetty;
    }

    Path keystore() {
        return base.resolve("etc/keystore.p12");
    }

    @Override
    ProcessBuilder command() {
        List<String> command = new ArrayList<>(List.of(java(), "-Djava.io.tmpdir=" + tmp(),
                "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base,
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + httpPort,
                "--module=shutdown", "jetty.shutdown.port=" + stopPort, "jetty.shutdown.key=" + stopKey));
        if (tlsPort > 0) {
            command.addAll(List.of("--module=https,http2", "jetty.ssl.host=127.0.0.1", "jetty.ssl.port=" + tlsPort,
                    "jetty.sslContext.keyStorePassword=" + STORE_PASSWORD));
        }
        return new ProcessBuilder(command).directory(dir.toFile());
    }

    @Override
    URI baseUri() {
        return tlsPort > 0 ? URI.create("https://127.0.0.1:" + tlsPort + "/runnel/")
                : URI.create("http://127.0.0.1:" + httpPort + "/runnel/");
    }

    @Override
    void requestStop() throws Exception {
        run(new ProcessBuilder(java(), "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base,
                "stop.port=" + stopPort, "stop.key=" + stopKey, "stop.wait=" + STOP_TIMEOUT.toSeconds(), "--stop")
                .directory(dir.toFile()), STOP_TIMEOUT.plusSeconds(10));
    }

    private String tmp() {
        Path tmp = dir.resolve("tmp");
        try {
            return Files.createDirectories(tmp).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the base as a fresh clone would have it: without a WAR or keystore left there by hand. */
    public static void copyBase(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                String name = source.getFileName().toString();
                if (name.endsWith(".war") || name.endsWith(".p12")) {
                    continue;
                }
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
