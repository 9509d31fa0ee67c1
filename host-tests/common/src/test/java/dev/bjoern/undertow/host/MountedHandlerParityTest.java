package dev.bjoern.undertow.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.WsgiHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.undertow.server.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WsgiHandler} mounted in a plain Undertow of the version this module depends on, at parity with our
 * server: a body over the handler's limit or the host's answered 413 and closed, {@code wsgi.multithread} as
 * the host's threads make it, bjoern's counters in a registry, the access log.
 */
@Timeout(30)
class MountedHandlerParityTest {
    /** Echoes the body's length and wsgi.multithread: {@code "<length> <multithread>"}. */
    private static final WsgiApplication APP = (environ, startResponse) -> {
        int length = ((InputStream) environ.get("wsgi.input")).readAllBytes().length;
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
        return List.of((length + " " + environ.get("wsgi.multithread")).getBytes(StandardCharsets.US_ASCII));
    };

    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream originalErr;

    /** What is printed straight to System.err (Undertow 2.4 prints its entity-limit exception there). */
    @BeforeEach
    void captureStderr() {
        originalErr = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
    }

    @Test
    void answers413AndClosesForAContentLengthOverTheHandlersLimit() throws Exception {
        try (Host host = new Host(WsgiHandler.builder(APP).maxBodySize(1000).build())) {
            assertRefused(host, "Content-Length: 1001\r\n\r\n");
            assertServed(host, contentLength(1000), "1000 false");
        }
    }

    @Test
    void answers413AndClosesForAContentLengthOverTheHostsLimit() throws Exception {
        try (Host host = new Host(new WsgiHandler(APP), 1, 1000)) {
            assertRefused(host, "Content-Length: 1001\r\n\r\n");
            assertServed(host, contentLength(1000), "1000 false");
        }
    }

    @Test
    void answers413AndClosesForAChunkedBodyOverTheHandlersLimit() throws Exception {
        try (Host host = new Host(WsgiHandler.builder(APP).maxBodySize(1000).build())) {
            assertRefused(host, overLimit(1000));
            assertServed(host, chunked(1000), "1000 false");
        }
    }

    @Test
    void answers413AndClosesForAChunkedBodyOverTheHostsLimit() throws Exception {
        // The limit counts the data, not the framing: 1000 bytes in chunks of 400 pass a limit of 1000.
        try (Host host = new Host(new WsgiHandler(APP), 1, 1000)) {
            assertRefused(host, overLimit(1000));
            assertServed(host, chunked(1000), "1000 false");
        }
    }

    @Test
    void answers413ForAChunkedUploadOverTheHostsDefaultLimitOf2MiB() throws Exception {
        try (Host host = new Host(new WsgiHandler(APP))) {
            assertRefused(host, overLimit(2 << 20));
            assertServed(host, chunked(2 << 20), (2 << 20) + " false");
        }
    }

    @Test
    void multithreadIsTrueWhenTheHostHasTwoIoThreads() throws Exception {
        try (Host host = new Host(new WsgiHandler(APP), 2, -1)) {
            assertServed(host, "GET /app/ HTTP/1.1\r\nHost: test\r\n\r\n", "0 true");
        }
    }

    @Test
    void multithreadIsFalseWhenTheHostHasOneIoThread() throws Exception {
        try (Host host = new Host(new WsgiHandler(APP), 1, -1)) {
            assertServed(host, "GET /app/ HTTP/1.1\r\nHost: test\r\n\r\n", "0 false");
        }
    }

    @Test
    void multithreadIsTrueWhenTheHostDispatchesToItsWorkerPool() throws Exception {
        WsgiHandler handler = new WsgiHandler(APP);
        HttpHandler dispatching = exchange -> exchange.dispatch(handler);
        try (Host host = new Host(dispatching, 1, -1)) {
            assertServed(host, "GET /app/ HTTP/1.1\r\nHost: test\r\n\r\n", "0 true");
        }
    }

    @Test
    void multithreadIsTrueWhenAskedForOnOneIoThread() throws Exception {
        try (Host host = new Host(WsgiHandler.builder(APP).multithread(true).build(), 1, -1)) {
            assertServed(host, "GET /app/ HTTP/1.1\r\nHost: test\r\n\r\n", "0 true");
        }
    }

    @Test
    void countsBjoernsCountersInAMeterRegistry() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WsgiHandler handler = WsgiHandler.builder(APP).maxBodySize(1000).meterRegistry(registry).build();
        try (Host host = new Host(handler, 2, -1)) {
            assertServed(host, "GET /app/ HTTP/1.1\r\nHost: test\r\n\r\n", "0 true");
            assertServed(host, contentLength(5), "5 true");
            assertRefused(host, "Content-Length: 1001\r\n\r\n");
            // Four requests served (each assertServed sends two), one refused.
            awaitCount(5, () -> registry.get("resp.done").functionCounter().count());
            assertEquals(4.0, registry.get("req.success.read").functionCounter().count());
            assertEquals(1.0, registry.get("req.error.parse").functionCounter().count());
            assertEquals(5.0, registry.get("req.done").functionCounter().count());
            assertEquals(4.0, registry.get("resp.done.keepalive").functionCounter().count());
            assertEquals(1.0, registry.get("resp.conn.close").functionCounter().count());
            // The host accepts connections unseen by the handler: those counters are absent, not 0.
            assertNull(registry.find("conn.accept.success").meter());
            assertNull(registry.find("conn.accept.error").meter());
        }
    }

    @Test
    void writesTheAccessLogInTheServersFormat() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        WsgiHandler handler = WsgiHandler.builder(APP).accessLog(log).build();
        try (Host host = new Host(handler)) {
            assertServed(host, "GET /app/hello?x=1 HTTP/1.1\r\nHost: test\r\n\r\n", "0 false");
        }
        handler.close();
        String lines = log.toString(StandardCharsets.ISO_8859_1);
        String date = "\\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\]";
        assertTrue(lines.matches("127\\.0\\.0\\.1 - - " + date + " \"GET /app/hello\\?x=1 HTTP/1\\.1\" 200 7 \\d+\n"
                + "127\\.0\\.0\\.1 - - " + date + " \"GET /app/ HTTP/1\\.1\" 200 7 \\d+\n"), lines);
    }

    /**
     * A POST with {@code framing} (its framing headers and what of the body is sent) is answered 413 with
     * Connection: close, the connection closed, and nothing printed. What is sent ends where the refusal is
     * due, so that the server has read it all and closes without a reset.
     */
    private void assertRefused(Host host, String framing) throws Exception {
        try (RawClient client = new RawClient(host.port())) {
            RawClient.Response response = client.send("POST /app/upload HTTP/1.1\r\nHost: test\r\n" + framing)
                    .read();
            assertEquals(413, response.status());
            assertEquals("close", response.headers().get("connection"));
            assertTrue(client.closedByServer(), "the connection should be closed after a 413");
        }
        String printed = stderr.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("Exception"), printed);
    }

    /** {@code request} is answered 200 with {@code body}, and the connection stays open. */
    private static void assertServed(Host host, String request, String body) throws Exception {
        try (RawClient client = new RawClient(host.port())) {
            RawClient.Response response = client.send(request).read();
            assertEquals(200, response.status(), response.body());
            assertEquals(body, response.body());
            assertEquals(200, client.send("GET /app/ HTTP/1.1\r\nHost: test\r\n\r\n").read().status());
        }
    }

    private static String contentLength(int size) {
        return "POST /app/upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + size + "\r\n\r\n" + "x".repeat(size);
    }

    private static String chunked(int size) {
        return "POST /app/upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks(size)
                + "0\r\n\r\n";
    }

    /** A chunked body of {@code limit} bytes up to the line of the chunk that takes it one byte over. */
    private static String overLimit(int limit) {
        return "Transfer-Encoding: chunked\r\n\r\n" + chunks(limit) + "1\r\n";
    }

    /** {@code size} bytes in chunks of at most 400. */
    private static String chunks(int size) {
        StringBuilder body = new StringBuilder();
        for (int left = size; left > 0; left -= 400) {
            int chunk = Math.min(400, left);
            body.append(Integer.toHexString(chunk)).append("\r\n").append("x".repeat(chunk)).append("\r\n");
        }
        return body.toString();
    }

    /** Waits until {@code count} reads {@code expected}: a response is counted after its last byte went out. */
    private static void awaitCount(double expected, DoubleSupplier count) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (count.getAsDouble() != expected) {
            assertTrue(System.nanoTime() < deadline, "count " + count.getAsDouble() + ", expected " + expected);
            Thread.onSpinWait();
        }
    }
}
