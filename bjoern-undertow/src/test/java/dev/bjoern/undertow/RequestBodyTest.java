package dev.bjoern.undertow;

import static dev.bjoern.undertow.TestBodies.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.WsgiApplication;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The request body reaches wsgi.input whole, or the request is refused before the app is called. */
class RequestBodyTest {
    private final AtomicInteger calls = new AtomicInteger();

    /** Answers with the request body it read from wsgi.input. */
    private final WsgiApplication echo = (environ, startResponse) -> {
        calls.incrementAndGet();
        byte[] body = ((InputStream) environ.get(Environ.WSGI_INPUT)).readAllBytes();
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "application/octet-stream")));
        return List.of(body);
    };

    @Test
    void passesAContentLengthBodyWholeToWsgiInput() throws Exception {
        byte[] body = new byte[300_000];
        new Random(42).nextBytes(body);
        try (TestServer server = TestServer.start(echo); RawHttp client = server.connect()) {
            client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length + "\r\n\r\n");
            client.send(body);
            RawHttp.Response response = client.read();
            assertEquals(200, response.status());
            assertArrayEquals(body, response.body);
            assertEquals(1, calls.get());
        }
    }

    @Test
    void dechunksAChunkedBodyForWsgiInput() throws Exception {
        try (TestServer server = TestServer.start(echo); RawHttp client = server.connect()) {
            client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n");
            client.send("6;ext=1\r\n world\r\n");
            client.send("0\r\n\r\n");
            RawHttp.Response response = client.read();
            assertEquals(200, response.status());
            assertEquals("hello world", response.text());
            // The connection stays usable: the chunked body was consumed exactly.
            assertEquals(200, client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status());
        }
    }

    @Test
    void dechunksAChunkedBodyLargerThanTheFirstBuffer() throws Exception {
        byte[] body = new byte[200_000];
        new Random(7).nextBytes(body);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(bytes("POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"));
        for (int offset = 0; offset < body.length; offset += 10_000) {
            int size = Math.min(10_000, body.length - offset);
            request.writeBytes(bytes(Integer.toHexString(size) + "\r\n"));
            request.write(body, offset, size);
            request.writeBytes(bytes("\r\n"));
        }
        request.writeBytes(bytes("0\r\n\r\n"));
        try (TestServer server = TestServer.start(echo); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(request.toByteArray()).read();
            assertEquals(200, response.status());
            assertArrayEquals(body, response.body);
        }
    }

    @Test
    void sends100ContinueBeforeTheClientSendsTheBody() throws Exception {
        try (TestServer server = TestServer.start(echo); RawHttp client = server.connect()) {
            client.socket.setSoTimeout(5_000);
            client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            // Nothing of the body has been sent: the interim response must come first.
            RawHttp.Response interim = client.read();
            assertEquals("HTTP/1.1 100 Continue", interim.statusLine);
            assertEquals(0, calls.get(), "the app was called before the body arrived");
            RawHttp.Response response = client.send("hello").read();
            assertEquals(200, response.status());
            assertEquals("hello", response.text());
            assertEquals(1, calls.get());
        }
    }

    @Test
    void refusesAnOversizedBodyWith413InsteadOfInvitingIt() throws Exception {
        try (TestServer server = TestServer.start(echo, b -> b.maxBodySize(1000)); RawHttp client = server.connect()) {
            client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n\r\n");
            assertEquals(413, client.read().status());
            assertTrue(client.closedByServer(), "the connection should be closed after a 413");
            assertEquals(0, calls.get(), "the app was called");
        }
    }

    @Test
    void ignoresExpectOnHttp10() throws Exception {
        try (TestServer server = TestServer.start(echo); RawHttp client = server.connect()) {
            client.send("POST /upload HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");
            RawHttp.Response response = client.read();
            assertEquals(200, response.status(), "no interim response for HTTP/1.0");
            assertEquals("hello", response.text());
        }
    }

    @Test
    void answersAnUnknownExpectationWith417AndCloses() throws Exception {
        try (TestServer server = TestServer.start(echo); RawHttp client = server.connect()) {
            client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\nContent-Length: 5\r\n\r\n");
            RawHttp.Response response = client.read();
            assertEquals(417, response.status());
            assertTrue(client.closedByServer(), "the connection should be closed after a 417");
            assertEquals(0, calls.get(), "the app was called");
        }
    }

    /** 400 where chunked is not the final coding (RFC 9112 §6.3); 501 for a coding before it, not implemented. */
    @ParameterizedTest(name = "Transfer-Encoding: {0}")
    @CsvSource({"gzip, 400", "'chunked, identity', 400", "xchunked, 400", "identity, 400", "'gzip, chunked', 501"})
    void refusesATransferEncodingOtherThanChunkedAndCloses(String transferEncoding, int status) throws Exception {
        try (TestServer server = TestServer.start(echo)) {
            try (RawHttp client = server.connect()) {
                client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: " + transferEncoding
                        + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
                RawHttp.Response response = client.read();
                assertEquals(status, response.status());
                assertTrue(client.closedByServer(), "the connection should be closed after a " + status);
            }
            assertEquals(0, calls.get(), "the app was called");
            assertServes(server);
        }
    }

    @Test
    void refusesAHugeDeclaredContentLengthWith413WithoutReadingTheBody() throws Exception {
        // The default limit (10 MiB). Only the head is sent: a server that reserved the claimed 2 GB, or
        // waited for the body before checking, would never answer.
        try (TestServer server = TestServer.start(echo)) {
            try (RawHttp client = server.connect()) {
                client.socket.setSoTimeout(5_000);
                client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000000000\r\n\r\n");
                RawHttp.Response response = client.read();
                assertEquals(413, response.status());
                assertTrue(client.closedByServer(), "the connection should be closed after a 413");
            }
            assertEquals(0, calls.get(), "the app was called");
            assertServes(server);
        }
    }

    @Test
    void acceptsABodyOfExactlyTheLimitAndRefusesOneByteMore() throws Exception {
        try (TestServer server = TestServer.start(echo, b -> b.maxBodySize(1000))) {
            try (RawHttp client = server.connect()) {
                client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n");
                RawHttp.Response response = client.send(new byte[1000]).read();
                assertEquals(200, response.status());
                assertEquals(1000, response.body.length);
            }
            try (RawHttp client = server.connect()) {
                client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1001\r\n\r\n");
                assertEquals(413, client.read().status());
                assertTrue(client.closedByServer(), "the connection should be closed after a 413");
            }
            assertEquals(1, calls.get());
        }
    }

    @Test
    void acceptsAChunkedBodyOfExactlyTheLimit() throws Exception {
        // The limit is on the body, not on its chunk framing.
        try (TestServer server = TestServer.start(echo, b -> b.maxBodySize(1000)); RawHttp client = server.connect()) {
            client.send(chunkedRequest(1000));
            RawHttp.Response response = assertDoesNotThrow(() -> client.read(), "no response");
            assertEquals(200, response.status(), "a chunked body of exactly the limit");
            assertEquals(1000, response.body.length);
            assertEquals(1, calls.get());
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1001, 3000})
    void refusesAChunkedBodyOverTheLimitWith413AndCloses(int size) throws Exception {
        try (TestServer server = TestServer.start(echo, b -> b.maxBodySize(1000))) {
            try (RawHttp client = server.connect()) {
                client.send(chunkedRequest(size));
                assertEquals(413, assertDoesNotThrow(() -> client.read(), "no response").status());
                assertTrue(client.closedByServer(), "the connection should be closed after a 413");
            }
            assertEquals(0, calls.get(), "the app was called");
            assertServes(server);
        }
    }

    @Test
    void takesChunkedBodiesUpToTheDefaultLimitAndRefusesLargerOnes() throws Exception {
        // Undertow's own default entity limit is 2 MiB; ours is 10 MiB and must be the one that applies.
        try (TestServer server = TestServer.start(echo)) {
            try (RawHttp client = server.connect()) {
                RawHttp.Response response = client.send(chunkedRequest(3_000_000)).read();
                assertEquals(200, response.status());
                assertEquals(3_000_000, response.body.length);
            }
            try (RawHttp client = server.connect()) {
                client.send(chunkedRequest((10 << 20) + 1));
                assertEquals(413, assertDoesNotThrow(() -> client.read(), "no response").status());
            }
            assertServes(server);
        }
    }

    /** A chunked POST of {@code size} bytes in chunks of at most 400. */
    private static byte[] chunkedRequest(int size) {
        StringBuilder request = new StringBuilder("POST /upload HTTP/1.1\r\nHost: localhost\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        for (int left = size; left > 0; left -= 400) {
            int chunk = Math.min(400, left);
            request.append(Integer.toHexString(chunk)).append("\r\n").append("x".repeat(chunk)).append("\r\n");
        }
        return request.append("0\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A new connection is served normally. */
    private void assertServes(TestServer server) throws Exception {
        try (RawHttp client = server.connect()) {
            RawHttp.Response response = client.send("POST /after HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
                    + "\r\nok").read();
            assertEquals(200, response.status());
            assertEquals("ok", response.text());
        }
    }
}
