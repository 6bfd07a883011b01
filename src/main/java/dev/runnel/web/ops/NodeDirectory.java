package dev.runnel.web.ops;

import com.google.gson.JsonObject;
import java.util.List;

/**
 * The nodes the admin console lists besides its own: none on a node alone ({@link #ALONE}); with a
 * shared log, the others sharing it, each as it last described itself ({@link NodeCard}) and with
 * how long ago that was. A node that stops leaves the list at once, one that dies within a bound the
 * implementation states; either way no card older than that bound is ever answered.
 *
 * <p>Threading: {@link #offer} on the scheduler, once a second; {@link #others} on the same thread;
 * implementations do their network work on a thread of their own, never in these calls.
 */
public interface NodeDirectory {
    /** The others as last seen, sorted by id; {@code leftOut} were alive but not listed (the list is bounded). */
    record Others(List<JsonObject> nodes, long leftOut) {}

    /** A node alone: nothing to share, no others. */
    NodeDirectory ALONE = new NodeDirectory() {
        @Override
        public void offer(JsonObject card, boolean watched) {
            // nobody else to tell
        }

        @Override
        public Others others() {
            return new Others(List.of(), 0);
        }
    };

    /**
     * This node's latest card, for the others to list.
     *
     * @param watched someone watches this node's console, so the others' cards are wanted
     */
    void offer(JsonObject card, boolean watched);

    /** The other nodes, each card with {@code lastSeenSeconds}; never this node. */
    Others others();
}
