package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.PendingBody;
import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SPEC.md 6 and PROFILE.md 6, "Pending bodies": a body made on another thread parks the response instead of blocking. */
class PendingBodyTest {
    /** Chunks handed over by the test's thread; start_response is called with the first one. */
    static final class Handoff implements Iterable<byte[]>, Iterator<byte[]>, PendingBody, AutoCloseable {
        final StartResponse startResponse;
        final CountDownLatch notReady = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        private boolean ended;
        private boolean started;
        private Runnable onReady;

        Handoff(StartResponse startResponse) {
            this.startResponse = startResponse;
        }

        void offer(String chunk) {
            Runnable wake;
            synchronized (this) {
                chunks.add(chunk.getBytes(StandardCharsets.US_ASCII));
                wake = onReady;
                onReady = null;
            }
            if (wake != null) {
                wake.run();
            }
        }

        void end() {
            Runnable wake;
            synchronized (this) {
                ended = true;
                wake = onReady;
                onReady = null;
            }
            if (wake != null) {
                wake.run();
            }
        }

        @Override
        public synchronized boolean ready(Runnable onReady) {
            if (!chunks.isEmpty() || ended) {
                return true;
            }
            this.onReady = onReady;
            notReady.countDown();
            return false;
        }

        @Override
        public Iterator<byte[]> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            boolean more;
            synchronized (this) {
                if (chunks.isEmpty() && !ended) {
                    throw new IllegalStateException("hasNext() called although ready() said false");
                }
                more = !chunks.isEmpty();
            }
            if (!started) {
                started = true;
                try {
                    startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return more;
        }

        @Override
        public synchronized byte[] next() {
            byte[] chunk = chunks.poll();
            if (chunk == null) {
                throw new NoSuchElementException();
            }
            return chunk;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    private volatile Handoff handoff;
    private final CountDownLatch made = new CountDownLatch(1);

    private final WsgiApplication app = (environ, startResponse) -> {
        if ("/other".equals(environ.get("PATH_INFO"))) {
            startResponse.call("200 OK", List.of());
            return List.of("other".getBytes(StandardCharsets.US_ASCII));
        }
        handoff = new Handoff(startResponse);
        made.countDown();
        return handoff;
    };

    private Handoff awaitPending() throws InterruptedException {
        assertTrue(made.await(10, TimeUnit.SECONDS), "the application was not called");
        Handoff pending = handoff;
        assertTrue(pending.notReady.await(10, TimeUnit.SECONDS), "the server never asked ready()");
        return pending;
    }

    @Test
    void aPendingBodyParksTheResponseWhileOthersAreServed() throws Exception {
        try (TestServer server = TestServer.start(app); RawHttp client = server.connect()) {
            client.send("GET /pending HTTP/1.1\r\nHost: x\r\n\r\n");
            Handoff pending = awaitPending();
            HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.url("/other"))).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("other", other.body());
            pending.offer("a");
            pending.offer("b");
            pending.end();
            RawHttp.Response response = client.read();
            assertEquals(200, response.status());
            assertEquals("ab", response.text());
            assertTrue(response.chunked);
            assertTrue(pending.closed.await(10, TimeUnit.SECONDS), "close() was not called");
        }
    }

    @Test
    void aPendingBodyMayWaitLongerThanTheSendTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(100);
        try (TestServer server = TestServer.start(app, b -> b.sendTimeout(timeout).idleTimeout(timeout));
                RawHttp client = server.connect()) {
            client.send("GET /pending HTTP/1.1\r\nHost: x\r\n\r\n");
            Handoff pending = awaitPending();
            // A connection opened after the body began to wait is closed at the same timeout: once it is,
            // the waiting response has outlived the send timeout.
            try (RawHttp idle = server.connect()) {
                assertTrue(idle.closedByServer(), "the idle connection was not closed");
            }
            pending.offer("late");
            pending.end();
            RawHttp.Response response = client.read();
            assertEquals(200, response.status());
            assertEquals("late", response.text());
        }
    }

    @Test
    void aHeadResponseWithAPendingBodyEndsAtTheHeaders() throws Exception {
        try (TestServer server = TestServer.start(app); RawHttp client = server.connect()) {
            client.send("HEAD /pending HTTP/1.1\r\nHost: x\r\n\r\n");
            Handoff pending = awaitPending();
            pending.offer("never sent");
            RawHttp.Response response = client.read(true);
            assertEquals(200, response.status());
            assertEquals(0, response.body.length);
            assertTrue(pending.closed.await(10, TimeUnit.SECONDS), "close() was not called");
        }
    }

    @Test
    void aPendingBodyIsClosedWhenItsClientHasGone() throws Exception {
        try (TestServer server = TestServer.start(app)) {
            Handoff pending;
            try (RawHttp client = server.connect()) {
                client.send("GET /pending HTTP/1.1\r\nHost: x\r\n\r\n");
                pending = awaitPending();
            }
            // The server learns of the close when it writes: keep offering until the body is closed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pending.closed.await(10, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                pending.offer("x".repeat(8192));
            }
            assertEquals(0, pending.closed.getCount(), "close() was not called after the client left");
        }
    }
}
