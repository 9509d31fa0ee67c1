package dev.bjoern.undertow;

import static dev.bjoern.undertow.TestBodies.bytes;
import static dev.bjoern.undertow.TestBodies.lazy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.StartResponse;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bjoern's keep-alive matrix (its tests/keep-alive-behaviour.py), five requests per row: a persistent row
 * sends all five on one connection, each answered; any other row sees the server close the connection
 * after every response and opens a new one.
 */
class KeepAliveTest {
    private static final int REQUESTS = 5;
    private static final String BODY = "hello world";
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(KeepAliveTest::app);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /**
     * {@code /length}: the app gives Content-Length, the body is lazy; {@code /lazy}: no Content-Length and a
     * lazy body, so no length can be computed; {@code /list}: no Content-Length and a Collection body;
     * {@code /error}: the app throws; {@code /error-in-body}: start_response with a Content-Length, then the
     * lazy body throws on its first chunk.
     */
    private static Iterable<byte[]> app(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        switch ((String) environ.get(Environ.PATH_INFO)) {
            case "/length":
                startResponse.call("200 OK", List.of(Map.entry("Content-Length", Integer.toString(BODY.length()))));
                return lazy("hello", " ", "world");
            case "/lazy":
                startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
                return lazy("hello", " ", "world");
            case "/list":
                startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
                return List.of(bytes("hello"), bytes(" "), bytes("world"));
            case "/error":
                throw new IllegalStateException("the application failed on purpose");
            case "/error-in-body":
                startResponse.call("200 OK", List.of(Map.entry("Content-Length", Integer.toString(BODY.length()))));
                return () -> new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return true;
                    }

                    @Override
                    public byte[] next() {
                        throw new IllegalStateException("the body failed on purpose");
                    }
                };
            default:
                startResponse.call("404 Not Found", List.of());
                return List.of();
        }
    }

    /** One row of the matrix: what is sent, and what bjoern's CI expects back. */
    record Row(String protocol, boolean appGivesLength, boolean clientWantsKeepAlive, boolean chunked,
            boolean keptAlive) {
        @Override
        public String toString() {
            return protocol + (appGivesLength ? ", app gives Content-Length" : ", no Content-Length")
                    + (clientWantsKeepAlive ? ", client wants keep-alive" : ", client wants close")
                    + " -> " + (chunked ? "chunked" : "not chunked") + ", " + (keptAlive ? "kept alive" : "closed");
        }
    }

    static Stream<Row> matrix() {
        return Stream.of(
                new Row("HTTP/1.0", false, false, false, false),
                new Row("HTTP/1.0", false, true, false, false),
                new Row("HTTP/1.0", true, false, false, false),
                new Row("HTTP/1.0", true, true, false, true),
                new Row("HTTP/1.1", false, false, false, false),
                new Row("HTTP/1.1", false, true, true, true),
                new Row("HTTP/1.1", true, false, false, false),
                new Row("HTTP/1.1", true, true, false, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void followsBjoernsKeepAliveMatrix(Row row) throws Exception {
        String path = row.appGivesLength ? "/length" : "/lazy";
        RawHttp client = server.connect();
        try {
            for (int i = 1; i <= REQUESTS; i++) {
                if (client == null) {
                    client = server.connect();
                }
                String request = request(row.protocol, path, row.clientWantsKeepAlive);
                RawHttp.Response response = client.send(request).read();
                String what = row + ", request " + i;
                assertEquals(200, response.status(), what);
                assertEquals(BODY, response.text(), what);
                assertEquals(row.chunked, response.chunked, what + ": chunked");
                if (row.appGivesLength) {
                    assertEquals(List.of(Integer.toString(BODY.length())), response.headers("Content-Length"), what);
                } else if (!row.chunked) {
                    assertTrue(response.closeDelimited, what + ": body delimited by close");
                    assertNull(response.header("Content-Length"), what);
                }
                String connection = lower(response.header("Connection"));
                if (row.keptAlive) {
                    if (row.protocol.equals("HTTP/1.0")) {
                        assertEquals("keep-alive", connection, what + ": a persistent HTTP/1.0 response says so");
                    } else {
                        assertFalse("close".equals(connection), what + ": Connection: close on a persistent response");
                    }
                } else {
                    assertFalse("keep-alive".equals(connection), what + ": Connection: keep-alive on a closing response");
                    if (row.protocol.equals("HTTP/1.1")) {
                        assertEquals("close", connection, what + ": a closing HTTP/1.1 response says so");
                    }
                    assertTrue(client.closedByServer(), what + ": the server should close the connection");
                    client.close();
                    client = null;
                }
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    static Stream<Arguments> errorRows() {
        return Stream.of("HTTP/1.0", "HTTP/1.1").flatMap(protocol -> Stream.of("/error", "/error-in-body")
                .flatMap(path -> Stream.of(true, false).map(keepAlive -> Arguments.of(protocol, path, keepAlive))));
    }

    @ParameterizedTest(name = "{0} {1}, client wants keep-alive: {2}")
    @MethodSource("errorRows")
    void answersAnAppErrorWithAnEmpty500AndClosesTheConnection(String protocol, String path, boolean keepAlive)
            throws Exception {
        for (int i = 1; i <= REQUESTS; i++) {
            try (RawHttp client = server.connect()) {
                RawHttp.Response response = client.send(request(protocol, path, keepAlive)).read();
                String what = protocol + " " + path + ", request " + i;
                assertEquals(500, response.status(), what);
                assertEquals(0, response.body.length, what + ": empty body");
                assertFalse(response.chunked, what + ": chunked");
                assertFalse("keep-alive".equals(lower(response.header("Connection"))), what);
                assertTrue(client.closedByServer(), what + ": the server should close the connection");
            }
        }
        assertTrue(server.errors().contains("error in application for GET " + path), server.errors());
    }

    @Test
    void givesACollectionBodyAComputedContentLengthAndKeepsHttp11Alive() throws Exception {
        try (RawHttp client = server.connect()) {
            for (int i = 1; i <= REQUESTS; i++) {
                RawHttp.Response response = client.send(request("HTTP/1.1", "/list", true)).read();
                assertEquals(200, response.status());
                assertEquals(List.of(Integer.toString(BODY.length())), response.headers("Content-Length"));
                assertFalse(response.chunked, "a body of known length is not chunked");
                assertEquals(BODY, response.text());
            }
        }
    }

    @Test
    void keepsHttp10AliveWithACollectionBodyAndSaysSo() throws Exception {
        try (RawHttp client = server.connect()) {
            for (int i = 1; i <= REQUESTS; i++) {
                RawHttp.Response response = client.send(request("HTTP/1.0", "/list", true)).read();
                assertEquals(200, response.status());
                assertEquals(List.of(Integer.toString(BODY.length())), response.headers("Content-Length"));
                assertEquals("keep-alive", lower(response.header("Connection")));
                assertEquals(BODY, response.text());
            }
        }
    }

    @Test
    void sendsHttp11KeepAliveByDefaultWithoutAConnectionHeader() throws Exception {
        try (RawHttp client = server.connect()) {
            for (int i = 1; i <= REQUESTS; i++) {
                RawHttp.Response response = client.send("GET /lazy HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
                assertEquals(200, response.status());
                assertTrue(response.chunked, "a persistent HTTP/1.1 response of unknown length is chunked");
                assertEquals(BODY, response.text());
            }
        }
    }

    /**
     * A request of {@code protocol} that asks for keep-alive or close in the usual way: HTTP/1.0 is closed
     * unless it says keep-alive, HTTP/1.1 persistent unless it says close.
     */
    static String request(String protocol, String path, boolean keepAlive) {
        StringBuilder request = new StringBuilder("GET ").append(path).append(' ').append(protocol)
                .append("\r\nHost: localhost\r\n");
        if (keepAlive) {
            request.append("Connection: keep-alive\r\n");
        } else if (protocol.equals("HTTP/1.1")) {
            request.append("Connection: close\r\n");
        }
        return request.append("\r\n").toString();
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }
}
