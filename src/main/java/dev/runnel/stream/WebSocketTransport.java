package dev.runnel.stream;

import dev.runnel.hub.LoggedEvent;
import dev.runnel.stream.WebSocketFrames.Close;
import dev.runnel.stream.WebSocketFrames.Message;
import dev.runnel.stream.WebSocketFrames.Ping;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The WebSocket writer: a batch of the stream's items leaves as consecutive async sends, each started
 * when the one before completed (Jakarta WebSocket allows one message in flight). While a batch is
 * in flight {@link #isReady} answers false, and its last completion calls
 * {@link EventStream#onWritePossible}: the servlet's non-blocking contract, so {@link EventStream}'s
 * state machine runs unchanged over it. A send that fails reports {@link EventStream#onError}.
 * Completing closes the session with a code that says why: 1000 when everything was sent, 1013 (try
 * again later) for an evicted client, 1001 when closed on purpose; the close runs on the executor,
 * since a container may block while it writes the close frame.
 *
 * <p>Threading: {@link #write} by the stream's owner; completions on the container's threads, an
 * inline completion handled by a trampoline rather than by recursion.
 */
public final class WebSocketTransport implements Transport, SendHandler {
    private static final System.Logger LOG = System.getLogger(WebSocketTransport.class.getName());
    private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0);

    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final Executor closer;
    private volatile EventStream stream;

    // Guarded by this.
    private Object[] batch = new Object[0];
    private int count;
    private int next;          // next item of the batch to send
    private boolean secondHalf; // the event's end message is next
    private boolean sending;   // a batch is in flight
    private boolean owed;      // isReady() said false: onWritePossible is owed
    private boolean inSend;    // the sending thread is inside sendText
    private boolean doneInline; // a send completed inside sendText
    private boolean closed;    // a close frame was sent

    public WebSocketTransport(Session session, Executor closer) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.closer = closer;
    }

    @Override
    public Frames frames() {
        return WebSocketFrames.INSTANCE;
    }

    @Override
    public void start(EventStream owner) {
        this.stream = owner;
        owner.onWritePossible(); // the session is open: writes may begin
    }

    @Override
    public synchronized boolean isReady() {
        if (sending) {
            owed = true;
            return false;
        }
        return true; // after a close frame too: the stream then finds nothing left and completes
    }

    @Override
    public long write(Object[] items, int n) throws IOException {
        long bytes = 0;
        synchronized (this) {
            if (batch.length < n) {
                batch = new Object[Math.max(n, 16)];
            }
            System.arraycopy(items, 0, batch, 0, n);
            for (int i = 0; i < n; i++) {
                bytes += WebSocketFrames.INSTANCE.size(items[i]);
            }
            count = n;
            next = 0;
            secondHalf = false;
            sending = true;
        }
        sendFromNext();
        return bytes;
    }

    /** Sends the batch from its next item until a send is left in flight or the batch is done. */
    private void sendFromNext() {
        for (;;) {
            Object item;
            boolean second;
            boolean pay = false;
            synchronized (this) {
                if (next >= count) {
                    pay = finishBatchLocked();
                    item = null;
                    second = false;
                } else {
                    item = batch[next];
                    second = secondHalf;
                    inSend = true;
                    doneInline = false;
                }
            }
            if (item == null) {
                if (pay) {
                    stream.onWritePossible(); // as the container would, on this completion's thread
                }
                return;
            }
            boolean async;
            try {
                async = send(item, second);
            } catch (RuntimeException | IOException e) {
                fail(e);
                return;
            }
            synchronized (this) {
                inSend = false;
                if (!async) {
                    advanceLocked(item);
                    continue;
                }
                if (!doneInline) {
                    return; // the completion continues the batch
                }
            }
        }
    }

    /**
     * Starts one send, of the item's second half when {@code second}; returns false when it completed
     * at once (a ping or a close, which the container writes before it returns).
     */
    private boolean send(Object item, boolean second) throws IOException {
        if (item instanceof LoggedEvent event) {
            Message m = event.encoded(WebSocketFrames.EVENT);
            remote.sendText(second ? m.then() : m.text(), this);
            return true;
        }
        if (item instanceof Message m) {
            remote.sendText(m.text(), this);
            return true;
        }
        if (item instanceof Ping ping) {
            if (!second) {
                remote.sendPing(NO_PAYLOAD.duplicate());
                return false;
            }
            remote.sendText(ping.cursor().text(), this);
            return true;
        }
        Close close = (Close) item;
        synchronized (this) {
            closed = true;
        }
        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(close.code()), WebSocketFrames.fit(close.reason())));
        return false;
    }

    /**
     * Guarded by this: the item (or its first half) was sent; move on. Two halves: the final event of
     * a finite topic and its {@code end}; a heartbeat's ping and its {@code cursor}.
     */
    private void advanceLocked(Object item) {
        boolean twoHalves = (item instanceof LoggedEvent e && e.encoded(WebSocketFrames.EVENT).then() != null)
                || (item instanceof Ping p && p.cursor() != null);
        if (twoHalves && !secondHalf) {
            secondHalf = true;
            return;
        }
        secondHalf = false;
        batch[next++] = null;
    }

    @Override
    public void onResult(SendResult result) {
        if (!result.isOK()) {
            fail(result.getException());
            return;
        }
        synchronized (this) {
            advanceLocked(batch[next]);
            if (inSend) {
                doneInline = true;
                return;
            }
        }
        sendFromNext();
    }

    /**
     * Guarded by this: the batch is out. Returns whether the stream is owed its callback, which the
     * caller pays outside this lock (the stream takes its own lock and asks {@link #isReady} again).
     * It cannot be owed while the owner is still inside {@link #write}: it asks only afterwards.
     */
    private boolean finishBatchLocked() {
        sending = false;
        count = 0;
        boolean pay = owed;
        owed = false;
        return pay;
    }

    private void fail(Throwable failure) {
        synchronized (this) {
            sending = false;
            owed = false;
            inSend = false;
        }
        EventStream s = stream;
        if (s != null) {
            s.onError(failure == null ? new IOException("send failed") : failure);
        }
    }

    @Override
    public void flush() {
        // Each message is sent whole; nothing is batched.
    }

    @Override
    public void complete(Ending ending, String reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        CloseReason.CloseCode code = switch (ending) {
            case FINISHED -> CloseReason.CloseCodes.NORMAL_CLOSURE;
            case EVICTED -> CloseReason.CloseCodes.TRY_AGAIN_LATER;
            case FAILED, CLOSED -> CloseReason.CloseCodes.GOING_AWAY;
        };
        CloseReason why = new CloseReason(code, WebSocketFrames.fit(reason == null ? "" : reason));
        Runnable close = () -> {
            try {
                if (session.isOpen()) {
                    session.close(why);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "websocket " + session.getId() + ": close failed: " + e);
            }
        };
        try {
            closer.execute(close);
        } catch (RejectedExecutionException stopping) {
            close.run();
        }
    }
}
