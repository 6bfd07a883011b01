package dev.runnel.feed;

import java.lang.System.Logger.Level;

/**
 * Wraps work that feeds hand to the shared scheduler: a failure is logged, never thrown, so a
 * periodic run keeps its schedule and the scheduler thread keeps running.
 */
final class Guarded {
    private static final System.Logger LOG = System.getLogger(Guarded.class.getName());

    private Guarded() {}

    static Runnable run(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (IllegalStateException e) {
                LOG.log(Level.DEBUG, () -> what + ": stopped: " + e.getMessage()); // the hub is shutting down
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, what + " failed; the scheduler keeps running", e);
            }
        };
    }
}
