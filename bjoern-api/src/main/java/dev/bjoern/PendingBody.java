package dev.bjoern;

/**
 * An optional extension of a body's iterator, for a body made on another thread: it tells the server
 * whether the next {@code hasNext()} would block, and calls back when it would not. A server that knows it
 * (bjoern-undertow does) asks {@link #ready} before each {@code hasNext()} and, on false, parks the
 * response and serves other connections until {@code onReady} runs; the body is then pulled again on the
 * server's thread. A server that does not know it just calls {@code hasNext()}, which blocks until the
 * chunk is there: the body stays correct, only the server's thread waits. SPEC.md, section 6, "Pending
 * bodies".
 */
public interface PendingBody {
    /**
     * Says whether {@code hasNext()} (and then {@code next()}) would answer now without blocking.
     *
     * @param onReady run once, from any thread, after this call returned false, when the answer becomes
     *     true (or the body failed, so that {@code hasNext()} throws); never run when this returns true
     * @return true when the iterator can be pulled now
     */
    boolean ready(Runnable onReady);
}
