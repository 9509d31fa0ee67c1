package dev.bjoern.undertow;

import dev.bjoern.PendingBody;
import dev.bjoern.server.ResponseCycle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A lazy body of an application that runs off the IO thread, pulled on the application's threads: each time the
 * IO thread wants the next chunk, one task pulls it ({@code hasNext()} and {@code next()}, which may block) and
 * wakes the IO thread, which then takes it without waiting. One chunk at a time, at the client's pace: while the
 * socket is full nothing is pulled and no thread is held. Closing waits for a pull under way, so that the body
 * is never closed under its own iterator.
 */
final class PulledBody implements Iterator<byte[]>, PendingBody, AutoCloseable {
    private final Iterable<byte[]> body;
    private final Iterator<byte[]> chunks;
    private final Executor threads;
    /** Told what closing threw when the close waited for a pull and ran on its thread. */
    private final Consumer<Throwable> closeFailed;

    // Guarded by this: the IO thread and one pulling thread at a time.
    private boolean pulled;
    private byte[] chunk;
    private boolean ended;
    private Throwable failed;
    private boolean pulling;
    private Runnable onReady;
    private boolean closing;
    private boolean closed;

    PulledBody(Iterable<byte[]> body, Iterator<byte[]> chunks, Executor threads, Consumer<Throwable> closeFailed) {
        this.body = body;
        this.chunks = chunks;
        this.threads = threads;
        this.closeFailed = closeFailed;
    }

    @Override
    public synchronized boolean ready(Runnable onReady) {
        if (pulled || ended || failed != null) {
            return true;
        }
        this.onReady = onReady;
        if (!pulling) {
            pulling = true;
            try {
                threads.execute(new Pull());
            } catch (RuntimeException stopping) {
                pulling = false;
                this.onReady = null;
                throw stopping;
            }
        }
        return false;
    }

    /** One pull on the application's threads. */
    private final class Pull implements AppThreads.Task {
        @Override
        public void run() {
            pull();
        }

        /** The threads stopped before this pull ran: the body fails, or is closed if that was asked. */
        @Override
        public void refuse() {
            finish(null, false, new IllegalStateException("the application's threads stopped before the pull"));
        }
    }

    private void pull() {
        boolean closeInstead;
        synchronized (this) {
            closeInstead = closing;
            pulling = !closeInstead;
        }
        if (closeInstead) {
            // Closed while this pull waited for a thread: the response has ended, nothing is pulled.
            closeQuietly();
            return;
        }
        byte[] next = null;
        boolean end = false;
        Throwable error = null;
        try {
            if (chunks.hasNext()) {
                next = chunks.next();
            } else {
                end = true;
            }
        } catch (Throwable t) {
            error = t;
        }
        finish(next, end, error);
    }

    /** A pull is over: what it found, then the close asked for meanwhile or the wake-up. */
    private void finish(byte[] next, boolean end, Throwable error) {
        Runnable wake;
        boolean close;
        synchronized (this) {
            pulling = false;
            pulled = !end && error == null;
            chunk = next;
            ended = end;
            failed = error;
            wake = onReady;
            onReady = null;
            close = closing;
        }
        if (close) {
            closeQuietly();
        } else if (wake != null) {
            wake.run();
        }
    }

    private void closeQuietly() {
        try {
            closeNow();
        } catch (Throwable t) {
            closeFailed.accept(t);
        }
    }

    /** Answers what the last pull found; the IO thread asks only once {@link #ready} said true. */
    @Override
    public synchronized boolean hasNext() {
        if (failed instanceof RuntimeException) {
            throw (RuntimeException) failed;
        }
        if (failed instanceof Error) {
            throw (Error) failed;
        }
        if (failed != null) {
            throw new IllegalStateException("the application's body failed", failed);
        }
        return pulled;
    }

    @Override
    public synchronized byte[] next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        pulled = false;
        byte[] next = chunk;
        chunk = null;
        return next;
    }

    /** Closes the application's body (or its iterator), once: now, or when the pull under way returns. */
    @Override
    public void close() throws Exception {
        synchronized (this) {
            if (pulling) {
                closing = true;
                return;
            }
        }
        closeNow();
    }

    private void closeNow() throws Exception {
        AutoCloseable closeable;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeable = ResponseCycle.closeable(body, chunks);
        }
        if (closeable != null) {
            closeable.close();
        }
    }
}
