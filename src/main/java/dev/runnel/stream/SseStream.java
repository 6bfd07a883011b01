package dev.runnel.stream;

import jakarta.servlet.ServletOutputStream;
import java.util.concurrent.Executor;

/**
 * One SSE connection: an {@link EventStream} whose transport is the servlet response's output,
 * written by non-blocking writes ({@link ServletTransport}); its items are the SSE frames of
 * {@link ControlFrames} and of the events themselves.
 *
 * <p>Threading: as {@link EventStream}.
 */
public final class SseStream extends EventStream {
    /** Bytes one drain pass writes before it hands its thread back. */
    static final int MAX_PASS_BYTES = EventStream.MAX_PASS_BYTES;

    /** @param complete completes the response ({@code asyncContext::complete}); called at most once */
    public SseStream(String id, ServletOutputStream out, Runnable complete, Executor executor, long queueBytes,
            StreamMetrics metrics, StreamRegistry registry) {
        super(id, new ServletTransport(out, complete), executor, queueBytes, metrics, registry);
    }
}
