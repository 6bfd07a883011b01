package dev.runnel.stream;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/**
 * Feeds the container's view of a stream's end into an {@link EventStream}'s single close path. Jetty and
 * Tomcat report a vanished client differently (a failed write, {@code onError}, or only
 * {@code onComplete}); each of them ends in the same idempotent close.
 *
 * <p>Threading: called by container threads.
 */
public final class StreamAsyncListener implements AsyncListener {
    private final EventStream stream;

    public StreamAsyncListener(EventStream stream) {
        this.stream = stream;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        stream.containerCompleted();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // The container expects complete() from onTimeout, or it dispatches an error of its own.
        stream.containerFailed("timed out");
    }

    @Override
    public void onError(AsyncEvent event) {
        stream.containerErrored("container error: " + event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // A stream starts async once; nothing to re-register.
    }
}
