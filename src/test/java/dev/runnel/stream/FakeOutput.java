package dev.runnel.stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A response body under the test's control, playing the container's part of the non-blocking contract.
 * {@link #isReady()} answers what the test set; after it said {@code false}, the container owes the
 * listener an {@code onWritePossible}, which the test delivers with {@link #writePossible()}. Every
 * {@code write} and {@code flush} is recorded as one operation, in order.
 *
 * <p>{@link #complete()} stands for {@code AsyncContext.complete()}: it counts its calls, and any use
 * of the output after it (or overlapping it) is recorded as misuse and fails the caller.
 *
 * <p>Threading: thread-safe.
 */
final class FakeOutput extends ServletOutputStream {
    /** One call on the output: a write and its bytes, or a flush. */
    record Op(byte[] bytes) {
        static final Op FLUSH = new Op(null);

        static Op write(byte[] bytes) {
            return new Op(bytes);
        }

        boolean isFlush() {
            return bytes == null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Op other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return isFlush() ? "flush" : "write(" + new String(bytes, UTF_8).replace("\n", "\\n") + ")";
        }
    }

    private final List<Op> ops = new ArrayList<>();          // guarded by this
    private final List<String> misuse = new ArrayList<>();   // guarded by this
    private final AtomicInteger completions = new AtomicInteger();
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicBoolean owed = new AtomicBoolean();
    private final AtomicBoolean completedByContainer = new AtomicBoolean();
    private volatile boolean ready = true;
    private volatile WriteListener listener;
    private volatile Runnable duringNextWrite;

    @Override
    public boolean isReady() {
        enter("isReady");
        try {
            boolean answer = ready;
            if (!answer) {
                owed.set(true);
            }
            return answer;
        } finally {
            inUse.decrementAndGet();
        }
    }

    /** Like a container, owes the first {@code onWritePossible} as soon as the listener is set. */
    @Override
    public void setWriteListener(WriteListener writeListener) {
        listener = writeListener;
        owed.set(true);
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        enter("write");
        try {
            synchronized (this) {
                ops.add(Op.write(Arrays.copyOfRange(b, off, off + len)));
            }
            Runnable action = duringNextWrite;
            if (action != null) {
                duringNextWrite = null;
                action.run();
            }
        } finally {
            inUse.decrementAndGet();
        }
    }

    @Override
    public void flush() {
        enter("flush");
        try {
            synchronized (this) {
                ops.add(Op.FLUSH);
            }
        } finally {
            inUse.decrementAndGet();
        }
    }

    /** What {@link #isReady()} answers from now on. */
    void setReady(boolean ready) {
        this.ready = ready;
    }

    /**
     * The container's side: the output becomes ready and, if an {@code onWritePossible} is owed, it is
     * delivered on the calling thread. Returns whether one was delivered.
     */
    boolean writePossible() {
        ready = true;
        if (!owed.getAndSet(false)) {
            return false;
        }
        try {
            listener.onWritePossible();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    /** Runs {@code action} inside the next {@code write}, as if another thread acted at that moment. */
    void duringNextWrite(Runnable action) {
        duringNextWrite = action;
    }

    /** The response's {@code complete()}. */
    void complete() {
        if (inUse.get() > 0) {
            fail("complete() while the output was in use");
        }
        completions.incrementAndGet();
    }

    /** The container completed the response on its own (the client went away): any later use is misuse. */
    void completeByContainer() {
        completedByContainer.set(true);
    }

    int completions() {
        return completions.get();
    }

    /** The operations recorded since the last call, oldest first. */
    synchronized List<Op> takeOps() {
        List<Op> taken = List.copyOf(ops);
        ops.clear();
        return taken;
    }

    /** Everything written so far, as text. */
    synchronized String written() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Op op : ops) {
            if (!op.isFlush()) {
                all.writeBytes(op.bytes());
            }
        }
        return all.toString(UTF_8);
    }

    synchronized void assertNoMisuse() {
        assertEquals(List.of(), misuse, "the output was used after (or while) the response completed");
    }

    private void enter(String call) {
        inUse.incrementAndGet();
        if (completions.get() > 0 || completedByContainer.get()) {
            inUse.decrementAndGet();
            fail(call + "() after complete()");
        }
    }

    private void fail(String what) {
        synchronized (this) {
            misuse.add(what);
        }
        throw new AssertionError(what);
    }
}
