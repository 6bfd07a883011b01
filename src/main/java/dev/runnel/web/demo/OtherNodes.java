package dev.runnel.web.demo;

import dev.runnel.feed.TaskFeed.TaskView;
import java.util.Optional;

/**
 * The runs (tasks) other nodes of the same Redis hold, for {@code GET}/{@code DELETE} that reach a node
 * other than the one that took the {@code POST}.
 *
 * <p>Threading: thread-safe (container threads). Redis out of reach throws
 * {@link dev.runnel.web.http.HttpError} (503).
 */
public interface OtherNodes {
    /** None: one node holds every run (no {@code runnel.redis.url}). */
    OtherNodes NONE = new OtherNodes() {
        @Override
        public Optional<TaskView> task(String id) {
            return Optional.empty();
        }

        @Override
        public Optional<TaskView> cancelTask(String id) {
            return Optional.empty();
        }
    };

    /** The task as its node last registered it; empty when no node holds it. */
    Optional<TaskView> task(String id);

    /**
     * Asks the node that runs the task to cancel it (it does within a fraction of a second): the task
     * as last registered, or empty when no node holds it.
     */
    Optional<TaskView> cancelTask(String id);
}
