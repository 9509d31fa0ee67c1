package dev.bjoern.undertow;

import static dev.bjoern.undertow.TestBodies.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Clients that never read their responses cost a socket buffer each, not the IO thread nor a body. */
class SlowReaderTest {
    private static final int STALLED = 20;
    private static final int CHUNK = 64 * 1024;
    private static final long HUGE = 64L << 20;
    private static final int ORDINARY = 200;

    @Test
    void stalledReadersOfHugeLazyBodiesDelayNoOneAndHoldNoBody() throws Exception {
        byte[] chunk = new byte[CHUNK];
        List<AtomicLong> pulled = new ArrayList<>();
        CountDownLatch streaming = new CountDownLatch(STALLED);
        CountDownLatch closed = new CountDownLatch(STALLED);
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            if (!environ.get(Environ.PATH_INFO).equals("/huge")) {
                startResponse.call("200 OK", List.of());
                return List.of(bytes("ok"));
            }
            startResponse.call("200 OK", List.of());
            AtomicLong bytes = new AtomicLong();
            synchronized (pulled) {
                pulled.add(bytes);
            }
            return new HugeBody(chunk, bytes, streaming, closed);
        })) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < STALLED; i++) {
                    Socket socket = new Socket();
                    // A small window, fixed before connecting, so that the kernel cannot grow it for us.
                    socket.setReceiveBufferSize(64 * 1024);
                    socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
                    stalled.add(socket);
                    socket.getOutputStream().write(bytes("GET /huge HTTP/1.1\r\nHost: localhost\r\n\r\n"));
                }
                assertTrue(streaming.await(10, TimeUnit.SECONDS), "every huge response started streaming");

                long start = System.nanoTime();
                try (RawHttp client = server.connect()) {
                    for (int i = 0; i < ORDINARY; i++) {
                        RawHttp.Response response = client.send("GET /small HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
                        assertEquals(200, response.status());
                        assertEquals("ok", response.text());
                    }
                }
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis < 10_000, ORDINARY + " requests beside " + STALLED + " stalled readers took " + millis
                        + " ms");

                synchronized (pulled) {
                    assertEquals(STALLED, pulled.size());
                    for (AtomicLong bytes : pulled) {
                        // Socket buffers hold a few MiB at most; a server that buffered the body would pull it all.
                        assertTrue(bytes.get() < HUGE / 4, "a stalled response pulled " + bytes.get() + " of " + HUGE
                                + " bytes from its body");
                    }
                }
            } finally {
                for (Socket socket : stalled) {
                    close(socket);
                }
            }
            assertTrue(closed.await(10, TimeUnit.SECONDS),
                    "the bodies of responses whose clients went away are closed; still open: " + closed.getCount());
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket: nothing to do
        }
    }

    /** 64 MiB, produced one chunk per pull; counts what was pulled and signals its first pull and its close(). */
    private static final class HugeBody implements Iterable<byte[]>, AutoCloseable {
        private final byte[] chunk;
        private final AtomicLong pulled;
        private final CountDownLatch streaming;
        private final CountDownLatch closed;

        HugeBody(byte[] chunk, AtomicLong pulled, CountDownLatch streaming, CountDownLatch closed) {
            this.chunk = chunk;
            this.pulled = pulled;
            this.streaming = streaming;
            this.closed = closed;
        }

        @Override
        public Iterator<byte[]> iterator() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return pulled.get() < HUGE;
                }

                @Override
                public byte[] next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    if (pulled.getAndAdd(chunk.length) == 0) {
                        streaming.countDown();
                    }
                    return chunk;
                }
            };
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
