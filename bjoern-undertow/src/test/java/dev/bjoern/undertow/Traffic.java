package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Requests of every kind the counters tell apart, each kind {@code n} times, and the counts they must give.
 * The server must serve {@link #APP} and have {@code watch} as its meter registry (used to wait, never to
 * check: the checks read what the server sent).
 */
final class Traffic {
    /** "/" answers 13 bytes; "/fail" throws; "/big" is a lazy body of 1 GiB in 64 KiB chunks. */
    static final WsgiApplication APP = (environ, startResponse) -> {
        switch ((String) environ.get("PATH_INFO")) {
            case "/fail":
                throw new IllegalStateException("failing on purpose");
            case "/big":
                startResponse.call("200 OK", List.of(Map.entry("Content-Type", "application/octet-stream")));
                byte[] chunk = new byte[64 * 1024];
                return () -> new Iterator<>() {
                    private int left = 16 * 1024;

                    @Override
                    public boolean hasNext() {
                        return left > 0;
                    }

                    @Override
                    public byte[] next() {
                        left--;
                        return chunk;
                    }
                };
            default:
                startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
                return List.of(TestBodies.bytes("Hello, World!"));
        }
    };

    private Traffic() {
    }

    /** Sends every kind {@code n} times; returns the counters bjoern's metrics must show, by name. */
    static Map<String, Long> send(int port, int n, MeterRegistry watch) throws Exception {
        // Keep-alive: n requests on one connection.
        try (RawHttp http = new RawHttp(port)) {
            for (int i = 0; i < n; i++) {
                assertEquals(200, http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            }
        }
        for (int i = 0; i < n; i++) {
            // Connection: close.
            each(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200);
            // Malformed, refused by Undertow's parser (a space in a header name).
            each(port, "GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400);
            // Malformed, refused by ours: a Transfer-Encoding we cannot honour, an unknown expectation.
            each(port, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400);
            each(port, "POST / HTTP/1.1\r\nHost: x\r\nExpect: a-miracle\r\nContent-Length: 1\r\n\r\nx", 417);
            // An application error.
            each(port, "GET /fail HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 500);
            // 100-continue: the interim response must not look like anything else. The server waits for the
            // body, which is sent once it counted that wait.
            double bodyWaits = count(watch, "req.active");
            try (RawHttp http = new RawHttp(port)) {
                http.send("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\n"
                        + "Content-Length: 5\r\n\r\n");
                assertEquals(100, http.read().status());
                await(() -> count(watch, "req.active") > bodyWaits);
                assertEquals(200, http.send("hello").read().status());
            }
            // The client goes away mid-response: it reads the status line, waits until the server has
            // filled the socket and waits for it to drain, then resets the connection.
            double waited = count(watch, "resp.active");
            try (RawHttp http = new RawHttp(port)) {
                http.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
                assertTrue(new String(http.readBytes(12), java.nio.charset.StandardCharsets.ISO_8859_1)
                        .startsWith("HTTP/1.1 200"));
                await(() -> count(watch, "resp.active") > waited);
                http.socket.setSoLinger(true, 0);
            }
        }
        Map<String, Long> expected = new TreeMap<>();
        expected.put("conn.accept.success", 1L + 7L * n);
        expected.put("req.success.read", 5L * n);
        expected.put("req.error.parse", 3L * n);
        expected.put("req.done", 8L * n);
        expected.put("req.error.internal", (long) n);
        expected.put("req.error.client_disconnected", (long) n);
        expected.put("req.active", (long) n);
        expected.put("resp.active", (long) n);
        expected.put("resp.done", 6L * n);
        expected.put("resp.done.keepalive", (long) n);
        expected.put("resp.conn.close", 5L * n);
        expected.put("resp.aborted", (long) n);
        return expected;
    }

    /** The 15 names; those not in {@code expected} must be 0 or absent. */
    static final List<String> NAMES = List.of("conn.accept.error", "conn.accept.success",
            "req.error.client_disconnected", "req.error.read", "req.error.parse", "req.success.read",
            "req.error.internal", "req.active", "req.done", "req.aborted", "resp.active", "resp.done",
            "resp.done.keepalive", "resp.conn.close", "resp.aborted");

    /** {@code expected} with every other counter at 0. */
    static Map<String, Long> all(Map<String, Long> expected) {
        Map<String, Long> all = new TreeMap<>();
        NAMES.forEach(name -> all.put(name, expected.getOrDefault(name, 0L)));
        return all;
    }

    private static void each(int port, String request, int status) throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            assertEquals(status, http.send(request).read().status());
            assertTrue(http.closedByServer(), "the server closes after " + status);
        }
    }

    static double count(MeterRegistry registry, String name) {
        return registry.get(name).functionCounter().count();
    }

    /** Polls {@code condition} until it holds, for up to 10 s. */
    static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 10 s");
            Thread.sleep(1);
        }
    }
}
