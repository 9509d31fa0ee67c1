package dev.bjoern.undertow;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.DefaultByteBufferPool;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The direct buffers of one loop's connections: a free list that only the loop's thread touches, so that
 * taking and returning a buffer costs no lock, no atomic and no thread-local lookup (Undertow's default pool
 * looks its per-thread cache up in a synchronized map on every call). A buffer returned on another thread,
 * or past the free list's bound, goes to a shared queue, taken from only when the free list is empty; like
 * Undertow's pool, nothing is ever dropped.
 */
final class LoopBuffers implements ByteBufferPool {
    /** Free buffers kept for the loop: 64 of 16 KiB is 1 MiB, more than a loop holds at once in the bench. */
    private static final int KEPT = 64;

    private final Thread loop;
    private final int size;
    private final ByteBuffer[] free = new ByteBuffer[KEPT];
    private int freeCount;
    private final ConcurrentLinkedQueue<ByteBuffer> returned = new ConcurrentLinkedQueue<>();
    private final ByteBufferPool heap;

    LoopBuffers(Thread loop, int size) {
        this.loop = loop;
        this.size = size;
        this.heap = new DefaultByteBufferPool(false, size, -1, 0);
    }

    @Override
    public PooledByteBuffer allocate() {
        ByteBuffer buffer = null;
        if (Thread.currentThread() == loop && freeCount > 0) {
            buffer = free[--freeCount];
            free[freeCount] = null;
        }
        if (buffer == null) {
            buffer = returned.poll();
        }
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(size);
        }
        return new Pooled(buffer);
    }

    private void free(ByteBuffer buffer) {
        buffer.clear();
        if (Thread.currentThread() == loop && freeCount < KEPT) {
            free[freeCount++] = buffer;
        } else {
            returned.add(buffer);
        }
    }

    /** For what in Undertow wants arrays (its blocking senders and receivers, inflating): its own pool. */
    @Override
    public ByteBufferPool getArrayBackedPool() {
        return heap;
    }

    @Override
    public void close() {
        heap.close();
    }

    @Override
    public int getBufferSize() {
        return size;
    }

    @Override
    public boolean isDirect() {
        return true;
    }

    /** One lease of a buffer; closing it twice on one thread returns the buffer once (leases are not shared). */
    private final class Pooled implements PooledByteBuffer {
        private ByteBuffer buffer;

        Pooled(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer getBuffer() {
            ByteBuffer leased = buffer;
            if (leased == null) {
                throw new IllegalStateException("this buffer was returned to its pool");
            }
            return leased;
        }

        @Override
        public void close() {
            ByteBuffer leased = buffer;
            if (leased != null) {
                buffer = null;
                free(leased);
            }
        }

        @Override
        public boolean isOpen() {
            return buffer != null;
        }

        @Override
        public String toString() {
            return "PooledBuffer[" + (buffer == null ? "returned" : buffer) + "]";
        }
    }
}
