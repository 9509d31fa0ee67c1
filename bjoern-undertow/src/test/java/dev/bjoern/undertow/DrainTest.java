package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** BjoernServer.close() and closeNow() with connections in every state: idle, mid-request, mid-response. */
@Timeout(60)
class DrainTest {
    private static final int CHUNKS = 256;
    private static final byte[] CHUNK = new byte[64 * 1024];

    static {
        Arrays.fill(CHUNK, (byte) 'x');
    }

    /** "/big": 16 MiB with a Content-Length; anything else echoes the request body. */
    private static WsgiApplication app(CountDownLatch bigStarted, CountDownLatch bigClosed) {
        return (environ, startResponse) -> {
            if (environ.get("PATH_INFO").equals("/big")) {
                startResponse.call("200 OK", List.of(Map.entry("Content-Length", String.valueOf(CHUNKS * CHUNK.length))));
                return new Body() {
                    @Override
                    public Iterator<byte[]> iterator() {
                        return new Iterator<>() {
                            private int left = CHUNKS;

                            @Override
                            public boolean hasNext() {
                                return left > 0;
                            }

                            @Override
                            public byte[] next() {
                                left--;
                                bigStarted.countDown();
                                return CHUNK;
                            }
                        };
                    }

                    @Override
                    public void close() {
                        bigClosed.countDown();
                    }
                };
            }
            byte[] body = ((InputStream) environ.get("wsgi.input")).readAllBytes();
            startResponse.call("200 OK", List.of());
            return List.of(body);
        };
    }

    @ParameterizedTest(name = "metrics {0}")
    @ValueSource(booleans = {false, true})
    void closeEndsIdleConnectionsAtOnceAndServesWhatIsUnderWayWithConnectionClose(boolean metrics) throws Exception {
        CountDownLatch bigStarted = new CountDownLatch(1);
        CountDownLatch bigClosed = new CountDownLatch(1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TestServer server = TestServer.start(app(bigStarted, bigClosed), b -> metrics ? b.meterRegistry(registry) : b);
        try (RawHttp streaming = server.connect(); RawHttp idle = server.connect();
                RawHttp uploading = server.connect()) {
            // Mid-response: 16 MiB that the client does not read yet.
            streaming.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(bigStarted.await(10, TimeUnit.SECONDS));
            // Between requests, on a keep-alive connection.
            assertEquals(200, idle.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi").read().status());
            // Mid-request: the headers are in (the interim 100 says the server has them) and part of the body.
            assertEquals(100, uploading.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\n").read().status());
            uploading.send("ab");

            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
                try {
                    server.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            GracefulShutdownTest.awaitRefused(server.port());
            assertTrue(idle.closedByServer(), "the idle keep-alive connection stays open while draining");
            assertFalse(closing.isDone(), "close() returned with a response under way");

            // The request under way is answered, and told that the connection ends.
            RawHttp.Response upload = uploading.send("cde").read();
            assertEquals(200, upload.status());
            assertEquals("abcde", upload.text());
            assertEquals("close", upload.header("Connection"));
            assertTrue(uploading.closedByServer());

            // The response under way completes, then its connection is closed.
            RawHttp.Response big = streaming.read();
            assertEquals(200, big.status());
            assertEquals(CHUNKS * CHUNK.length, big.body.length);
            assertTrue(streaming.closedByServer());
            closing.get(10, TimeUnit.SECONDS);
            assertTrue(bigClosed.await(0, TimeUnit.SECONDS));
        }
        if (metrics) {
            // Counted by the time close() returned: three responses whole, none cut.
            assertEquals(3.0, Traffic.count(registry, "resp.done"));
            assertEquals(0.0, Traffic.count(registry, "resp.aborted"));
        }
    }

    @Test
    void closeNowCutsADrainingCloseShortAndClosesTheBody() throws Exception {
        CountDownLatch bigStarted = new CountDownLatch(1);
        CountDownLatch bigClosed = new CountDownLatch(1);
        TestServer server = TestServer.start(app(bigStarted, bigClosed), b -> b.drainTimeout(Duration.ofSeconds(30)));
        try (RawHttp stalled = server.connect()) {
            stalled.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(bigStarted.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
                try {
                    server.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            GracefulShutdownTest.awaitRefused(server.port());
            assertFalse(closing.isDone(), "close() did not wait for the stalled response");
            server.server.closeNow();
            closing.get(5, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5000, "close() and closeNow() took " + millis + " ms with a 30 s drain timeout");
            assertTrue(bigClosed.await(0, TimeUnit.SECONDS), "the body of the cut response was not closed");
        }
    }

    private interface Body extends Iterable<byte[]>, AutoCloseable {
    }
}
