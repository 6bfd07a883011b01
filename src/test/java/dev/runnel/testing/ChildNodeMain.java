package dev.runnel.testing;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The main of a {@link ChildNode}'s JVM: starts one node with {@link TestServer#startNode(String, String,
 * String...)} and, once it reached Redis, prints {@code NODE <port> <node id>} on stdout (the only
 * line stdout carries; everything else goes to stderr). The node runs until its stdin closes — the
 * parent's {@link ChildNode#close}, or the parent's death, whatever killed it — then stops and exits.
 *
 * <pre>
 * java -cp &lt;test class path&gt; dev.runnel.testing.ChildNodeMain &lt;redis url&gt; &lt;prefix&gt; [key value]...
 * </pre>
 *
 * <p>Threading: the main thread starts the node and then waits on stdin.
 */
public final class ChildNodeMain {
    private ChildNodeMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream protocol = System.out;
        System.setOut(System.err);
        if (args.length < 2 || args.length % 2 != 0) {
            System.err.println("usage: ChildNodeMain <redis url> <prefix> [key value]...");
            System.exit(2);
        }
        TestServer node;
        try {
            node = TestServer.startNode(args[0], args[1], Arrays.copyOfRange(args, 2, args.length));
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            System.exit(1);
            return;
        }
        protocol.println("NODE " + node.port() + " " + node.runnel().nodeId());
        protocol.flush();
        InputStream in = System.in;
        byte[] ignored = new byte[256];
        while (in.read(ignored) != -1) {
            // nothing is said on stdin: its end is the signal
        }
        try {
            node.close();
        } finally {
            System.exit(0);
        }
    }
}
