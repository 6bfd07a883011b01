package dev.runnel.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a JVM a test or the benchmark starts: this JVM's own {@code java} and the test
 * class path, so that the child runs exactly the classes under test.
 *
 * <p>Threading: stateless.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** {@code java <options> -cp <test class path> <mainClass> <args>}. */
    public static List<String> command(List<String> options, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** The test class path: under Surefire its own property (the JVM's may be a manifest-only jar). */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }
}
