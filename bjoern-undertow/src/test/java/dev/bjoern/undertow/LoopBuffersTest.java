package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.connector.PooledByteBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A loop's buffers: reused on the loop without sharing, returned from elsewhere without loss. */
class LoopBuffersTest {
    private static final int SIZE = 1024;
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private final LoopBuffers buffers;

    LoopBuffersTest() throws Exception {
        Thread loopThread = loop.submit(Thread::currentThread).get();
        buffers = new LoopBuffers(loopThread, SIZE);
    }

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get();
    }

    @Test
    void aBufferReturnedOnTheLoopIsTheNextOneLeasedThereCleared() throws Exception {
        ByteBuffer reused = onLoop(() -> {
            PooledByteBuffer first = buffers.allocate();
            ByteBuffer buffer = first.getBuffer();
            assertTrue(buffer.isDirect());
            assertEquals(SIZE, buffer.capacity());
            buffer.put((byte) 1).flip();
            first.close();
            PooledByteBuffer second = buffers.allocate();
            assertSame(buffer, second.getBuffer());
            assertEquals(0, second.getBuffer().position());
            assertEquals(SIZE, second.getBuffer().limit());
            return second.getBuffer();
        });
        assertTrue(reused.isDirect());
    }

    @Test
    void aLeaseClosedTwiceReturnsItsBufferOnceAndIsClosedForGood() throws Exception {
        onLoop(() -> {
            PooledByteBuffer lease = buffers.allocate();
            ByteBuffer buffer = lease.getBuffer();
            lease.close();
            lease.close();
            assertFalse(lease.isOpen());
            assertThrows(IllegalStateException.class, lease::getBuffer);
            PooledByteBuffer a = buffers.allocate();
            PooledByteBuffer b = buffers.allocate();
            assertSame(buffer, a.getBuffer());
            assertNotSame(a.getBuffer(), b.getBuffer(), "one buffer, leased twice");
            return null;
        });
    }

    @Test
    void buffersReturnedOffTheLoopOrPastItsBoundAreLeasedAgain() throws Exception {
        // 200 leases out at once: 100 returned on the loop (more than it keeps), 100 on another thread.
        List<PooledByteBuffer> leases = onLoop(() -> {
            List<PooledByteBuffer> out = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                out.add(buffers.allocate());
            }
            return out;
        });
        Map<ByteBuffer, Boolean> made = new IdentityHashMap<>();
        leases.forEach(lease -> made.put(lease.getBuffer(), true));
        assertEquals(200, made.size());
        onLoop(() -> {
            leases.subList(0, 100).forEach(PooledByteBuffer::close);
            return null;
        });
        CompletableFuture.runAsync(() -> leases.subList(100, 200).forEach(PooledByteBuffer::close)).get();
        Future<Integer> reusedOnLoop = loop.submit(() -> {
            int reused = 0;
            for (int i = 0; i < 200; i++) {
                if (made.containsKey(buffers.allocate().getBuffer())) {
                    reused++;
                }
            }
            return reused;
        });
        assertEquals(200, reusedOnLoop.get(), "every buffer returned is leased again before a new one is made");
    }

    @Test
    void arraysComeFromAHeapPoolOfTheSameSize() {
        assertTrue(buffers.isDirect());
        assertEquals(SIZE, buffers.getBufferSize());
        try (PooledByteBuffer lease = buffers.getArrayBackedPool().allocate()) {
            assertTrue(lease.getBuffer().hasArray());
            assertEquals(SIZE, lease.getBuffer().capacity());
        }
    }
}
