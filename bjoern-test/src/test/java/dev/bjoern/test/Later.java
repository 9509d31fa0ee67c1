package dev.bjoern.test;

import dev.bjoern.PendingBody;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A correct pending body (SPEC 6) of one chunk that another thread hands over later: ready() answers false until
 * the chunk is there, and onReady runs once when it comes. It is its own iterator, and closeable.
 */
final class Later implements Iterable<byte[]>, Iterator<byte[]>, PendingBody, AutoCloseable {
    final CompletableFuture<byte[]> chunk = new CompletableFuture<>();
    /** Counted down when ready() has answered false, so that a test can hand the chunk over only then. */
    final CountDownLatch notReady = new CountDownLatch(1);
    final CountDownLatch closed = new CountDownLatch(1);
    final AtomicInteger closes = new AtomicInteger();
    private volatile boolean taken;

    @Override
    public boolean ready(Runnable onReady) {
        if (taken || chunk.isDone()) {
            return true;
        }
        // Runs at once, here, if the chunk came meanwhile: allowed, the server only queues a task.
        chunk.thenRun(onReady);
        notReady.countDown();
        return false;
    }

    @Override
    public Iterator<byte[]> iterator() {
        return this;
    }

    @Override
    public boolean hasNext() {
        return !taken;
    }

    @Override
    public byte[] next() {
        if (taken) {
            throw new NoSuchElementException();
        }
        taken = true;
        // A server that does not know PendingBody blocks here until the chunk is there.
        return chunk.join();
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        closed.countDown();
    }
}
