package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PEP 3333's close(): called exactly once however the response ends. Each test waits for the first close
 * on a latch, then stops the server (which closes every connection) before counting, so that a late
 * second close would be seen.
 */
@Timeout(20)
class CloseTest {
    private static final byte[] CHUNK = "chunk".getBytes(StandardCharsets.US_ASCII);
    private static final String GET = "GET /close HTTP/1.1\r\nHost: test\r\n\r\n";

    /** Counts close() calls and how many chunks were pulled. */
    private static final class Tracker {
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger pulled = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);

        void close() {
            closes.incrementAndGet();
            closed.countDown();
        }

        void awaitClose() throws InterruptedException {
            assertTrue(closed.await(10, TimeUnit.SECONDS), "close() was not called");
        }
    }

    /** An iterator of {@code count} chunks (-1: endless) that throws when it reaches {@code failAt}. */
    private static class Chunks implements Iterator<byte[]> {
        private final Tracker tracker;
        private final byte[] chunk;
        private final int count;
        private final int failAt;

        Chunks(Tracker tracker, byte[] chunk, int count, int failAt) {
            this.tracker = tracker;
            this.chunk = chunk;
            this.count = count;
            this.failAt = failAt;
        }

        @Override
        public boolean hasNext() {
            return count < 0 || tracker.pulled.get() < count;
        }

        @Override
        public byte[] next() {
            if (tracker.pulled.incrementAndGet() == failAt) {
                throw new IllegalStateException("chunk " + failAt + " failed");
            }
            return chunk;
        }
    }

    /** A lazy body that is itself AutoCloseable. */
    private static final class ClosingBody implements Iterable<byte[]>, AutoCloseable {
        private final Tracker tracker;
        private final byte[] chunk;
        private final int count;
        private final int failAt;

        ClosingBody(Tracker tracker, byte[] chunk, int count, int failAt) {
            this.tracker = tracker;
            this.chunk = chunk;
            this.count = count;
            this.failAt = failAt;
        }

        @Override
        public Iterator<byte[]> iterator() {
            return new Chunks(tracker, chunk, count, failAt);
        }

        @Override
        public void close() {
            tracker.close();
        }
    }

    /** An AutoCloseable iterator, returned by a plain Iterable. */
    private static final class ClosingChunks extends Chunks implements AutoCloseable {
        private final Tracker tracker;

        ClosingChunks(Tracker tracker, byte[] chunk, int count, int failAt) {
            super(tracker, chunk, count, failAt);
            this.tracker = tracker;
        }

        @Override
        public void close() {
            tracker.close();
        }
    }

    private static WsgiApplication app(Iterable<byte[]> body) {
        return (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
            return body;
        };
    }

    /** Serves one request, waits for close(), stops the server, then checks there was exactly one. */
    private static RawHttp.Response serveAndCount(Tracker tracker, WsgiApplication app, String request)
            throws Exception {
        RawHttp.Response response;
        try (TestServer server = TestServer.start(app); RawHttp client = server.connect()) {
            response = client.send(request).read(request.startsWith("HEAD"));
            tracker.awaitClose();
        }
        assertEquals(1, tracker.closes.get(), "close() calls");
        return response;
    }

    @Test
    void closesTheBodyOnceAfterSuccess() throws Exception {
        Tracker tracker = new Tracker();
        RawHttp.Response response = serveAndCount(tracker, app(new ClosingBody(tracker, CHUNK, 3, 0)), GET);
        assertEquals(200, response.status());
        assertEquals("chunkchunkchunk", response.text());
    }

    @Test
    void closesTheIteratorOnceWhenTheBodyIsNotCloseable() throws Exception {
        Tracker tracker = new Tracker();
        Iterable<byte[]> body = () -> new ClosingChunks(tracker, CHUNK, 2, 0);
        RawHttp.Response response = serveAndCount(tracker, app(body), GET);
        assertEquals("chunkchunk", response.text());
    }

    @Test
    void closesOnlyTheBodyWhenBodyAndIteratorAreBothCloseable() throws Exception {
        Tracker bodyTracker = new Tracker();
        Tracker iteratorTracker = new Tracker();
        class Both implements Iterable<byte[]>, AutoCloseable {
            @Override
            public Iterator<byte[]> iterator() {
                return new ClosingChunks(iteratorTracker, CHUNK, 1, 0);
            }

            @Override
            public void close() {
                bodyTracker.close();
            }
        }
        serveAndCount(bodyTracker, app(new Both()), GET);
        assertEquals(0, iteratorTracker.closes.get(), "the body's close() is the one PEP 3333 means");
    }

    @Test
    void closesACloseableListBodyOnce() throws Exception {
        Tracker tracker = new Tracker();
        class ClosingList extends AbstractList<byte[]> implements AutoCloseable {
            @Override
            public byte[] get(int index) {
                return CHUNK;
            }

            @Override
            public int size() {
                return 2;
            }

            @Override
            public void close() {
                tracker.close();
            }
        }
        RawHttp.Response response = serveAndCount(tracker, app(new ClosingList()), GET);
        assertEquals("10", response.header("Content-Length"));
        assertEquals("chunkchunk", response.text());
    }

    @Test
    void closesTheBodyOnceAfterAnErrorBeforeTheHeaders() throws Exception {
        Tracker tracker = new Tracker();
        RawHttp.Response response = serveAndCount(tracker, app(new ClosingBody(tracker, CHUNK, 3, 1)), GET);
        assertEquals(500, response.status());
    }

    @Test
    void closesTheIteratorOnceAfterAnErrorBeforeTheHeaders() throws Exception {
        Tracker tracker = new Tracker();
        Iterable<byte[]> body = () -> new ClosingChunks(tracker, CHUNK, 3, 1);
        RawHttp.Response response = serveAndCount(tracker, app(body), GET);
        assertEquals(500, response.status());
    }

    @Test
    void closesTheBodyOnceWhenStartResponseWasNeverCalled() throws Exception {
        Tracker tracker = new Tracker();
        RawHttp.Response response = serveAndCount(tracker,
                (environ, startResponse) -> new ClosingBody(tracker, CHUNK, 1, 0), GET);
        assertEquals(500, response.status());
    }

    @Test
    void closesTheBodyOnceAfterAnErrorAfterTheHeaders() throws Exception {
        Tracker tracker = new Tracker();
        try (TestServer server = TestServer.start(app(new ClosingBody(tracker, CHUNK, 5, 3)));
                RawHttp client = server.connect()) {
            String raw = new String(client.send(GET).readAll(), StandardCharsets.ISO_8859_1);
            assertTrue(raw.startsWith("HTTP/1.1 200 OK\r\n"), raw);
            tracker.awaitClose();
        }
        assertEquals(1, tracker.closes.get(), "close() calls");
        assertEquals(3, tracker.pulled.get());
    }

    @Test
    void closesTheIteratorOnceAfterAnErrorAfterTheHeaders() throws Exception {
        Tracker tracker = new Tracker();
        Iterable<byte[]> body = () -> new ClosingChunks(tracker, CHUNK, 5, 2);
        try (TestServer server = TestServer.start(app(body)); RawHttp client = server.connect()) {
            client.send(GET).readAll();
            tracker.awaitClose();
        }
        assertEquals(1, tracker.closes.get(), "close() calls");
    }

    @Test
    void closesTheBodyOnceForHeadWithoutSendingIt() throws Exception {
        Tracker tracker = new Tracker();
        String head = "HEAD /close HTTP/1.1\r\nHost: test\r\n\r\n";
        RawHttp.Response response = serveAndCount(tracker, app(new ClosingBody(tracker, CHUNK, -1, 0)), head);
        assertEquals(200, response.status());
        assertEquals(0, tracker.pulled.get(), "an endless body is not iterated for HEAD");
    }

    @Test
    void closesTheBodyOnceForHeadWhenStartResponseIsLazy() throws Exception {
        Tracker tracker = new Tracker();
        class LazyStart implements Iterable<byte[]>, AutoCloseable {
            private final StartResponse startResponse;

            LazyStart(StartResponse startResponse) {
                this.startResponse = startResponse;
            }

            @Override
            public Iterator<byte[]> iterator() {
                return new Chunks(tracker, CHUNK, -1, 0) {
                    @Override
                    public byte[] next() {
                        if (tracker.pulled.get() == 0) {
                            try {
                                startResponse.call("200 OK", List.of());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        return super.next();
                    }
                };
            }

            @Override
            public void close() {
                tracker.close();
            }
        }
        String head = "HEAD /close HTTP/1.1\r\nHost: test\r\n\r\n";
        RawHttp.Response response = serveAndCount(tracker, (environ, startResponse) -> new LazyStart(startResponse),
                head);
        assertEquals(200, response.status());
        assertEquals(1, tracker.pulled.get(), "pulled only as far as start_response");
    }

    @Test
    void closesTheBodyOnceWhenTheClientDisconnectsMidResponse() throws Exception {
        Tracker tracker = new Tracker();
        byte[] big = new byte[64 * 1024];
        try (TestServer server = TestServer.start(app(new ClosingBody(tracker, big, -1, 0)))) {
            try (RawHttp client = server.connect()) {
                client.send(GET);
                InputStream in = client.socket.getInputStream();
                byte[] some = in.readNBytes(4096);
                assertEquals(4096, some.length);
                assertTrue(new String(some, 0, 17, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200 OK"));
            }
            tracker.awaitClose();
            int pulled = tracker.pulled.get();
            assertTrue(pulled > 0 && pulled < 100_000, "pulled " + pulled + " chunks");
        }
        assertEquals(1, tracker.closes.get(), "close() calls");
    }
}
