package dev.runnel.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the build hands the integration tests (Failsafe's system properties, see pom.xml): the WAR it
 * just packaged, the web root, the repository's jetty-base, the unpacked container distributions and a
 * work directory. A missing one fails the test loudly: these tests never skip.
 */
public final class Artifacts {
    private Artifacts() {}

    public static Path war() {
        return existing("runnel.it.war");
    }

    static Path webapp() {
        return existing("runnel.it.webapp");
    }

    public static Path jettyBase() {
        return existing("runnel.it.jettyBase");
    }

    public static Path jettyHome() {
        return existing("runnel.it.jettyHome");
    }

    static Path tomcatHome(int major) {
        return existing("runnel.it.tomcat" + major + "Home");
    }

    /** A fresh, empty directory under target/it for one container run. */
    static Path freshWorkDir(String name) {
        String work = System.getProperty("runnel.it.work");
        if (work == null) {
            throw new AssertionError("system property runnel.it.work is not set: run the integration tests with mvn verify");
        }
        Path dir = Path.of(work, name).toAbsolutePath();
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path existing(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new AssertionError("system property " + property + " is not set: run the integration tests with mvn verify");
        }
        Path path = Path.of(value).toAbsolutePath();
        if (!Files.exists(path)) {
            throw new AssertionError(property + ": " + path + " does not exist (did mvn verify package the WAR and unpack the"
                    + " container distributions?)");
        }
        return path;
    }
}
