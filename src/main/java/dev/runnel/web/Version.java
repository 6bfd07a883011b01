package dev.runnel.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Runnel's version, as Maven wrote it into {@code dev/runnel/web/version.properties} when it built the
 * classes: in the WAR, and under {@code mvn jetty:run} alike.
 *
 * <p>Threading: stateless.
 */
final class Version {
    private Version() {}

    /** The version, or {@code unknown} when the classes were not built by Maven. */
    static String get() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
