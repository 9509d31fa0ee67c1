package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class AppErrorTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Set<String> SERVER_HEADERS = Set.of("connection", "content-length", "date");
    private static final String OK_PATH = "/ok";

    /**
     * Serves {@code app} for every path but {@link #OK_PATH}, which answers "still here": to show the server
     * keeps serving after a failure.
     */
    private static TestServer start(WsgiApplication app) throws Exception {
        return TestServer.start((environ, startResponse) -> {
            if (OK_PATH.equals(environ.get("PATH_INFO"))) {
                startResponse.call("200 OK", List.of());
                return List.of("still here".getBytes(StandardCharsets.US_ASCII));
            }
            return app.call(environ, startResponse);
        });
    }

    /**
     * Sends {@code GET /fails?q=1} on a keep-alive connection and checks the error contract: exactly an empty
     * 500 with Content-Length 0 and nothing of the application's, the connection closed, one log entry with
     * method, path and stack trace; then that the server still serves.
     */
    private static void assertAnswered500AndLogged(WsgiApplication app, String expectedInTrace) throws Exception {
        try (TestServer server = start(app)) {
            try (RawHttp client = server.connect()) {
                RawHttp.Response response = client.send("GET /fails?q=1 HTTP/1.1\r\nHost: test\r\n\r\n").read();
                String raw = new String(response.raw, StandardCharsets.ISO_8859_1);
                assertEquals(500, response.status(), raw);
                assertTrue(raw.startsWith("HTTP/1.1 500 Internal Server Error\r\n"), raw);
                assertEquals(List.of("0"), response.headers("Content-Length"), raw);
                assertEquals(0, response.body.length, raw);
                for (String[] header : response.headers) {
                    assertTrue(SERVER_HEADERS.contains(header[0].toLowerCase()), () -> "unexpected header: " + raw);
                }
                assertTrue(client.closedByServer(), "the connection is closed after a 500");
            }
            String log = server.errors();
            assertEquals(1, count(log, "bjoern: "), log);
            assertTrue(log.contains("GET /fails"), log);
            assertTrue(log.contains(expectedInTrace), log);
            assertTrue(log.contains("\tat "), "a stack trace: " + log);
            assertServesAgain(server);
        }
    }

    private static void assertServesAgain(TestServer server) throws Exception {
        HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(server.url(OK_PATH))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, again.statusCode());
        assertEquals("still here", again.body());
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }

    @Test
    void appThatThrowsGets500() throws Exception {
        assertAnswered500AndLogged((environ, startResponse) -> {
            throw new IllegalStateException("boom in the app");
        }, "java.lang.IllegalStateException: boom in the app");
    }

    @Test
    void appThatThrowsAfterStartResponseGets500WithoutItsHeaders() throws Exception {
        assertAnswered500AndLogged((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("X-App", "1"), Map.entry("Content-Length", "2")));
            throw new IOException("database gone");
        }, "java.io.IOException: database gone");
    }

    @Test
    void appThatNeverCallsStartResponseGets500() throws Exception {
        assertAnswered500AndLogged((environ, startResponse) -> List.of("orphan".getBytes(StandardCharsets.US_ASCII)),
                "the application did not call start_response");
    }

    @Test
    void appThatReturnsNullGets500() throws Exception {
        assertAnswered500AndLogged((environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return null;
        }, "the application returned null instead of a body");
    }

    @Test
    void lazyBodyThatYieldsNullBeforeTheHeadersGets500() throws Exception {
        assertAnswered500AndLogged((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("X-App", "1")));
            return () -> Arrays.asList((byte[]) null, "never".getBytes(StandardCharsets.US_ASCII)).iterator();
        }, "the application's body yielded null instead of bytes");
    }

    @Test
    void listBodyHoldingNullGets500() throws Exception {
        assertAnswered500AndLogged((environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return Arrays.asList("fine".getBytes(StandardCharsets.US_ASCII), null);
        }, "the application's body holds null instead of bytes");
    }

    @Test
    void lazyBodyThatThrowsBeforeItsFirstChunkGets500() throws Exception {
        assertAnswered500AndLogged((environ, startResponse) -> () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public byte[] next() {
                throw new IllegalArgumentException("template missing");
            }
        }, "java.lang.IllegalArgumentException: template missing");
    }

    /** A lazy body: {@code first}, then an exception on the next pull. */
    private static WsgiApplication failingAfter(byte[] first) {
        return (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
            return TestBodies.failingAfter(first, "second chunk failed");
        };
    }

    private static void assertTruncatedChunkedResponse(byte[] first) throws Exception {
        try (TestServer server = start(failingAfter(first))) {
            String raw;
            try (RawHttp client = server.connect()) {
                raw = new String(client.send("GET /fails HTTP/1.1\r\nHost: test\r\n\r\n").readAll(),
                        StandardCharsets.ISO_8859_1);
            }
            String head = raw.substring(0, Math.min(raw.length(), 300));
            assertTrue(raw.startsWith("HTTP/1.1 200 OK\r\n"), "the headers went out: " + head);
            assertTrue(raw.toLowerCase().contains("\r\ntransfer-encoding: chunked\r\n"), head);
            assertFalse(raw.endsWith("0\r\n\r\n"), "no terminating chunk: the client must see a truncated body");
            String log = server.errors();
            assertEquals(1, count(log, "bjoern: "), log);
            assertTrue(log.contains("GET /fails"), log);
            assertTrue(log.contains("java.lang.IllegalStateException: second chunk failed"), log);
            assertServesAgain(server);
        }
    }

    @Test
    void bodyThatThrowsAfterALargeFirstChunkClosesWithoutTheTerminatingChunk() throws Exception {
        byte[] first = new byte[256 * 1024];
        Arrays.fill(first, (byte) 'x');
        assertTruncatedChunkedResponse(first);
    }

    @Test
    void bodyThatThrowsAfterASmallFirstChunkClosesWithoutTheTerminatingChunk() throws Exception {
        assertTruncatedChunkedResponse("first".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void errorInCloseIsLoggedAndTheResponseStands() throws Exception {
        class FailingClose implements Iterable<byte[]>, AutoCloseable {
            @Override
            public Iterator<byte[]> iterator() {
                return List.of("body".getBytes(StandardCharsets.US_ASCII)).iterator();
            }

            @Override
            public void close() {
                throw new IllegalStateException("close failed");
            }
        }
        try (TestServer server = start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "4")));
            return new FailingClose();
        })) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(server.url("/close-fails"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("body", response.body());
            assertServesAgain(server);
            String log = server.errors();
            assertEquals(1, count(log, "bjoern: "), log);
            assertTrue(log.contains("GET /close-fails"), log);
            assertTrue(log.contains("java.lang.IllegalStateException: close failed"), log);
        }
    }
}
