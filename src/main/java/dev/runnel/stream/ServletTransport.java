package dev.runnel.stream;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.Arrays;

/**
 * The SSE writer: a servlet response's output in non-blocking mode. Queued frames leave as one array
 * (copied together when there are several), the container's {@code WriteListener} callbacks go to
 * the stream, and completing is the {@code AsyncContext}'s.
 *
 * <p>Threading: see {@link Transport}.
 */
final class ServletTransport implements Transport {
    private final ServletOutputStream out;
    private final Runnable complete;

    /** @param complete completes the response ({@code asyncContext::complete}) */
    ServletTransport(ServletOutputStream out, Runnable complete) {
        this.out = out;
        this.complete = complete;
    }

    @Override
    public Frames frames() {
        return SseFrames.INSTANCE;
    }

    @Override
    public void start(EventStream stream) {
        out.setWriteListener(new WriteListener() {
            @Override
            public void onWritePossible() {
                stream.onWritePossible();
            }

            @Override
            public void onError(Throwable failure) {
                stream.onError(failure);
            }
        });
    }

    @Override
    public boolean isReady() {
        return out.isReady();
    }

    @Override
    public long write(Object[] items, int count) throws IOException {
        byte[] chunk;
        if (count == 1) {
            chunk = SseFrames.bytesOf(items[0]);
        } else {
            int total = 0;
            for (int i = 0; i < count; i++) {
                total += SseFrames.bytesOf(items[i]).length;
            }
            chunk = new byte[total];
            int at = 0;
            for (int i = 0; i < count; i++) {
                byte[] b = SseFrames.bytesOf(items[i]);
                System.arraycopy(b, 0, chunk, at, b.length);
                at += b.length;
            }
        }
        out.write(chunk);
        return chunk.length;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void complete(Ending ending, String reason) {
        complete.run();
    }

    @Override
    public String toString() {
        return "ServletTransport" + Arrays.asList(out);
    }
}
