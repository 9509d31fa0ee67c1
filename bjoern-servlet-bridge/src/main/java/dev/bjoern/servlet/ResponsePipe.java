package dev.bjoern.servlet;

import dev.bjoern.PendingBody;
import dev.bjoern.StartResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The response body handed from the servlet's thread to the server's: the servlet commits a status and
 * headers, then sends chunks, then finishes (or fails); the server pulls them as its socket drains. At most
 * {@code limit} bytes wait here (one larger chunk may): a servlet writing faster than the client reads
 * blocks in {@link #send}, on its own thread, so a 1 GiB response needs no more memory than that.
 *
 * <p>The server's side is an ordinary lazy body that calls start_response from its iterator, on the
 * server's thread as the contract asks. It implements {@link PendingBody}, so a server that knows the
 * extension never blocks on it; any other server blocks in {@code hasNext()} until the servlet sends.
 */
final class ResponsePipe implements Iterable<byte[]>, Iterator<byte[]>, PendingBody, AutoCloseable {
    private final StartResponse startResponse;
    private final long limit;

    // Guarded by this.
    private String status;
    private List<Map.Entry<String, String>> headers;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private long queued;
    private boolean finished;
    private Throwable failure;
    private boolean closed;
    private Runnable onReady;

    // The server's thread only.
    private boolean started;

    ResponsePipe(StartResponse startResponse, long limit) {
        this.startResponse = startResponse;
        this.limit = limit;
    }

    // ---- the servlet's side

    /** The status line and headers, once: the response is committed. */
    void commit(String status, List<Map.Entry<String, String>> headers) {
        Runnable wake;
        synchronized (this) {
            this.status = status;
            this.headers = headers;
            wake = takeOnReady();
        }
        run(wake);
    }

    /**
     * Queues a chunk the caller no longer touches, waiting while the queue is full.
     *
     * @throws IOException when the server has closed the body (the client went away, or the response was
     *     aborted): the servlet should stop writing
     */
    void send(byte[] chunk) throws IOException {
        Runnable wake;
        synchronized (this) {
            while (!closed && queued > 0 && queued + chunk.length > limit) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the client was slow to read the response");
                }
            }
            if (closed) {
                throw new IOException("the response was closed by the server: the client has gone away");
            }
            chunks.add(chunk);
            queued += chunk.length;
            wake = takeOnReady();
        }
        run(wake);
    }

    /**
     * The whole response at once: commit, the one chunk (or null) and the end, with one wake-up of the
     * server instead of three. For a response that fit in the buffer, the usual case.
     */
    void complete(String status, List<Map.Entry<String, String>> headers, byte[] chunk) {
        Runnable wake;
        synchronized (this) {
            this.status = status;
            this.headers = headers;
            if (chunk != null && !closed) {
                chunks.add(chunk);
                queued += chunk.length;
            }
            finished = true;
            wake = takeOnReady();
        }
        run(wake);
    }

    /** The body is complete. */
    void finish() {
        Runnable wake;
        synchronized (this) {
            finished = true;
            wake = takeOnReady();
        }
        run(wake);
    }

    /** The servlet failed after the commit: the server aborts the response. */
    void fail(Throwable error) {
        Runnable wake;
        synchronized (this) {
            failure = error;
            wake = takeOnReady();
        }
        run(wake);
    }

    /** True once the server closed the body: nobody reads any more. */
    synchronized boolean isClosed() {
        return closed;
    }

    private Runnable takeOnReady() {
        Runnable wake = onReady;
        onReady = null;
        if (wake == null) {
            notifyAll(); // a server that does not know PendingBody may wait in hasNext()
        }
        return wake;
    }

    private static void run(Runnable wake) {
        if (wake != null) {
            wake.run();
        }
    }

    // ---- the server's side

    @Override
    public Iterator<byte[]> iterator() {
        return this;
    }

    @Override
    public synchronized boolean ready(Runnable onReady) {
        if (isReady()) {
            return true;
        }
        this.onReady = onReady;
        return false;
    }

    private boolean isReady() {
        return failure != null || closed || status != null && (!chunks.isEmpty() || finished);
    }

    @Override
    public boolean hasNext() {
        String status;
        List<Map.Entry<String, String>> headers;
        Throwable failure;
        boolean more;
        synchronized (this) {
            while (!isReady()) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the servlet's response", e);
                }
            }
            status = this.status;
            headers = this.headers;
            failure = this.failure;
            more = !chunks.isEmpty();
        }
        // What the servlet wrote before it failed still goes out; the failure ends the body after it.
        if (failure != null && !more) {
            throw failed(failure, status, headers);
        }
        if (!started) {
            started = true;
            try {
                startResponse.call(status, headers);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return more;
    }

    /** PEP 3333's way: start_response with exc_info, which re-raises once the headers are out. */
    private RuntimeException failed(Throwable failure, String status, List<Map.Entry<String, String>> headers) {
        try {
            if (status != null) {
                startResponse.call(status, headers, failure);
            }
        } catch (Throwable rethrown) {
            // The server re-raised it, as it must after the headers went out.
        }
        return failure instanceof RuntimeException ? (RuntimeException) failure
                : new IllegalStateException("the servlet failed after the response was committed", failure);
    }

    @Override
    public byte[] next() {
        synchronized (this) {
            byte[] chunk = chunks.poll();
            if (chunk == null) {
                throw new NoSuchElementException();
            }
            queued -= chunk.length;
            notifyAll();
            return chunk;
        }
    }

    /** The server is done with the body, completely or not: a servlet still writing gets an IOException. */
    @Override
    public synchronized void close() {
        closed = true;
        chunks.clear();
        queued = 0;
        onReady = null;
        notifyAll();
    }
}
