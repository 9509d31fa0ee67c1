package dev.bjoern.undertow;

import static dev.bjoern.undertow.TestBodies.bytes;
import static dev.bjoern.undertow.TestBodies.lazy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.Write;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** How response bodies are framed on the wire, byte for byte. */
class FramingTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @Test
    void chunksALazyBodyChunkForChunkSkippingEmptyChunks() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
            return lazy("Hello", "", ", ", "World", "");
        }); RawHttp client = server.connect()) {
            // The terminating chunk must come without the client sending anything more.
            client.socket.setSoTimeout(5_000);
            RawHttp.Response response = client.send(GET).read();
            assertEquals(200, response.status());
            assertEquals("chunked", response.header("Transfer-Encoding"));
            assertNull(response.header("Content-Length"));
            // Exactly the app's non-empty chunks, then the last chunk; a chunk size may carry leading
            // zeros (RFC 9112 7.1: 1*HEXDIG), and Undertow writes "05".
            String wire = bodyOnTheWire(response);
            assertTrue(Pattern.matches("0*5\r\nHello\r\n0*2\r\n, \r\n0*5\r\nWorld\r\n0\r\n\r\n", wire),
                    "chunked body on the wire: " + wire.replace("\r\n", "\\r\\n"));
        }
    }

    @Test
    void endsALargeChunkedBodyWithoutWaitingForTheClient() throws Exception {
        byte[] block = new byte[16 * 1024];
        Arrays.fill(block, (byte) 'x');
        int blocks = 512;
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return () -> new Iterator<>() {
                private int sent;

                @Override
                public boolean hasNext() {
                    return sent < blocks;
                }

                @Override
                public byte[] next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    sent++;
                    return block;
                }
            };
        }); RawHttp client = server.connect()) {
            client.socket.setSoTimeout(5_000);
            for (int i = 0; i < 2; i++) {
                RawHttp.Response response = client.send(GET).read();
                assertTrue(response.chunked);
                assertEquals(blocks * block.length, response.body.length);
            }
        }
    }

    @Test
    void sendsTheAppsContentLengthAsIs() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5")));
            return lazy("hel", "", "lo");
        }); RawHttp client = server.connect()) {
            for (int i = 0; i < 2; i++) {
                RawHttp.Response response = client.send(GET).read();
                assertEquals(List.of("5"), response.headers("Content-Length"));
                assertNull(response.header("Transfer-Encoding"));
                assertEquals("hello", bodyOnTheWire(response));
            }
        }
    }

    @Test
    void answersHeadWithHeadersButNoBodyAndDoesNotIterateALazyBody() throws Exception {
        AtomicInteger nextCalls = new AtomicInteger();
        CountDownLatch closed = new CountDownLatch(1);
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
            if (!environ.get(Environ.REQUEST_METHOD).equals("HEAD")) {
                return lazy("hello");
            }
            return new CountingBody(nextCalls, closed);
        }); RawHttp client = server.connect()) {
            client.send("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawHttp.Response head = client.read(true);
            assertEquals(200, head.status());
            assertEquals("text/plain", head.header("Content-Type"));
            assertTrue(closed.await(5, TimeUnit.SECONDS), "the body of a HEAD response is closed");
            assertEquals(0, nextCalls.get(), "chunks pulled from the body of a HEAD response");
            // Had any body bytes (or a final chunk) followed the HEAD response, this would not parse.
            RawHttp.Response get = client.send(GET).read();
            assertEquals(200, get.status());
            assertEquals("hello", get.text());
        }
    }

    @Test
    void answersHeadOfACollectionBodyWithItsLengthButNoBody() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return List.of(bytes("hello"), bytes(" world"));
        }); RawHttp client = server.connect()) {
            client.send("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawHttp.Response head = client.read(true);
            assertEquals(List.of("11"), head.headers("Content-Length"));
            RawHttp.Response get = client.send(GET).read();
            assertEquals(200, get.status());
            assertEquals("hello world", get.text());
        }
    }

    @Test
    void sends204And304WithoutABodyEvenWhenTheAppGivesOne() throws Exception {
        AtomicInteger nextCalls = new AtomicInteger();
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            switch ((String) environ.get(Environ.PATH_INFO)) {
                case "/204-lazy":
                    startResponse.call("204 No Content", List.of());
                    return new CountingBody(nextCalls, new CountDownLatch(1));
                case "/204-list":
                    startResponse.call("204 No Content", List.of());
                    return List.of(bytes("not sent"));
                case "/304-lazy":
                    startResponse.call("304 Not Modified", List.of(Map.entry("ETag", "\"v1\"")));
                    return new CountingBody(nextCalls, new CountDownLatch(1));
                case "/304-list":
                    startResponse.call("304 Not Modified", List.of(Map.entry("ETag", "\"v1\"")));
                    return List.of(bytes("not sent"));
                default:
                    startResponse.call("200 OK", List.of());
                    return lazy("after");
            }
        }); RawHttp client = server.connect()) {
            for (String path : List.of("/204-lazy", "/204-list", "/304-lazy", "/304-list")) {
                RawHttp.Response response = client.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
                assertEquals(Integer.parseInt(path.substring(1, 4)), response.status(), path);
                assertNull(response.header("Transfer-Encoding"), path);
                if (path.startsWith("/204")) {
                    // RFC 9110 8.6: a server MUST NOT send Content-Length in a 204 response.
                    assertNull(response.header("Content-Length"), path + ": Content-Length on a 204");
                }
                // The next response parses only if nothing followed the head of this one.
                RawHttp.Response after = client.send(GET).read();
                assertEquals(200, after.status(), path + " was followed by body bytes");
                assertEquals("after", after.text(), path);
            }
            assertEquals(0, nextCalls.get(), "chunks pulled from the body of a 204 or 304");
        }
    }

    @Test
    void answersHeadOf204And304WithoutALengthOrATransferCoding() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            String path = (String) environ.get(Environ.PATH_INFO);
            if (path.equals("/")) {
                startResponse.call("200 OK", List.of());
                return lazy("after");
            }
            startResponse.call(path.equals("/304") ? "304 Not Modified" : "204 No Content",
                    path.equals("/204-length") ? List.of(Map.entry("Content-Length", "5")) : List.of());
            return List.of(bytes("never"));
        }); RawHttp client = server.connect()) {
            for (String path : List.of("/204", "/204-length", "/304")) {
                RawHttp.Response response = client.send("HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .read(true);
                assertNull(response.header("Content-Length"), path + ": a length on a bodyless status");
                assertNull(response.header("Transfer-Encoding"), path + ": a transfer coding on a bodyless status");
                assertEquals("after", client.send(GET).read().text(), path + " was followed by body bytes");
            }
        }
    }

    @Test
    void answersThreePipelinedRequestsInOrder() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            byte[] input = ((InputStream) environ.get(Environ.WSGI_INPUT)).readAllBytes();
            String path = (String) environ.get(Environ.PATH_INFO);
            startResponse.call("200 OK", List.of());
            // Mix a lazy (chunked) body and a collection (Content-Length) one.
            return path.equals("/two") ? List.of(bytes(path + ":"), input) : lazy(path, ":", new String(input,
                    StandardCharsets.ISO_8859_1));
        }); RawHttp client = server.connect()) {
            client.send("GET /one HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "POST /two HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /three HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals("/one:", client.read().text());
            assertEquals("/two:abc", client.read().text());
            assertEquals("/three:", client.read().text());
        }
    }

    @Test
    void sendsTheWriteCallablesBytesBeforeALazyBody() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            Write write = startResponse.call("200 OK", List.of());
            write.write(bytes("a"));
            write.write(bytes("b"));
            return lazy("c", "d");
        }); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(GET).read();
            assertTrue(response.chunked);
            assertEquals("abcd", response.text());
        }
    }

    @Test
    void countsTheWriteCallablesBytesInTheComputedContentLength() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            Write write = startResponse.call("200 OK", List.of());
            write.write(bytes("ab"));
            return List.of(bytes("c"), bytes("de"));
        }); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(GET).read();
            assertFalse(response.chunked);
            assertEquals(List.of("5"), response.headers("Content-Length"));
            assertArrayEquals(bytes("abcde"), response.body);
        }
    }

    @Test
    void closesTheConnectionWhenTheBodyFallsShortOfItsContentLength() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "10")));
            return lazy("hello");
        }); RawHttp client = server.connect()) {
            // readAll() ends only when the server closes the connection.
            String wire = new String(client.send(GET).readAll(), StandardCharsets.ISO_8859_1);
            assertTrue(wire.startsWith("HTTP/1.1 200 "), wire);
            assertEquals("hello", wire.substring(wire.indexOf("\r\n\r\n") + 4));
            // The log is written before the connection is closed.
            assertTrue(server.errors().contains("the body ended 5 bytes short of its Content-Length"),
                    server.errors());
        }
    }

    @Test
    void sendsNoMoreThanTheContentLengthAndClosesWhenTheBodyIsLonger() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5")));
            return lazy("hello", " HTTP/1.1 200 OK\r\n\r\n");
        }); RawHttp client = server.connect()) {
            String wire = new String(client.send(GET).readAll(), StandardCharsets.ISO_8859_1);
            assertEquals("hello", wire.substring(wire.indexOf("\r\n\r\n") + 4), "bytes past the Content-Length");
            assertTrue(server.errors().contains("the body is longer than its Content-Length"), server.errors());
        }
    }

    @Test
    void truncatesAChunkedBodyWhoseIteratorFailsMidwayAndCloses() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return TestBodies.failingAfter(bytes("hello"), "the body failed on purpose");
        }); RawHttp client = server.connect()) {
            String wire = new String(client.send(GET).readAll(), StandardCharsets.ISO_8859_1);
            // Whatever got out must not look complete: no last chunk.
            assertFalse(wire.endsWith("0\r\n\r\n"), "a failed body ended like a complete one: " + wire);
            assertTrue(server.errors().contains("the body failed on purpose"), server.errors());
        }
    }

    /** The bytes after the response head, framing included. */
    private static String bodyOnTheWire(RawHttp.Response response) {
        String raw = new String(response.raw, StandardCharsets.ISO_8859_1);
        return raw.substring(raw.indexOf("\r\n\r\n") + 4);
    }

    /** A lazy body of one chunk that counts how often it is pulled and signals its close(). */
    private static final class CountingBody implements Iterable<byte[]>, AutoCloseable {
        private final AtomicInteger nextCalls;
        private final CountDownLatch closed;

        CountingBody(AtomicInteger nextCalls, CountDownLatch closed) {
            this.nextCalls = nextCalls;
            this.closed = closed;
        }

        @Override
        public Iterator<byte[]> iterator() {
            return new Iterator<>() {
                private boolean pulled;

                @Override
                public boolean hasNext() {
                    return !pulled;
                }

                @Override
                public byte[] next() {
                    nextCalls.incrementAndGet();
                    if (pulled) {
                        throw new NoSuchElementException();
                    }
                    pulled = true;
                    return bytes("a body that must not be sent");
                }
            };
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
