package dev.bjoern.undertow;

import static dev.bjoern.undertow.TestBodies.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Requests the parser or the gate refuses: 400, the connection closed, the app never called. */
class MalformedRequestTest {
    private static final AtomicInteger calls = new AtomicInteger();
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start((environ, startResponse) -> {
            calls.incrementAndGet();
            startResponse.call("200 OK", List.of());
            return List.of(bytes("ok"));
        });
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("Content-Length and Transfer-Encoding together",
                        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Content-Length: 5, 5",
                        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5, 5\r\n\r\nhello"),
                Arguments.of("Content-Length twice",
                        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("Content-Length: +5",
                        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: +5\r\n\r\nhello"),
                Arguments.of("space before the colon",
                        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Test : yes\r\n\r\n"),
                Arguments.of("HTTP/1.1 without Host",
                        "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"),
                Arguments.of("two Host headers",
                        "GET / HTTP/1.1\r\nHost: localhost\r\nHost: example.com\r\n\r\n"),
                Arguments.of("a header line ended by a bare LF",
                        "GET / HTTP/1.1\r\nHost: localhost\nX-Test: yes\r\n\r\n"),
                Arguments.of("a bare CR in a header value",
                        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Test: a\rb\r\n\r\n"),
                Arguments.of("a malformed percent-escape in the path",
                        "GET /a%zz HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("a truncated percent-escape at the end of the path",
                        "GET /a%4 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void answers400AndClosesThenServesTheNextConnection(String what, String request) throws Exception {
        int before = calls.get();
        try (RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(request).read();
            assertEquals(400, response.status(), what);
            assertTrue(client.closedByServer(), what + ": the connection should be closed after a 400");
        }
        assertEquals(before, calls.get(), what + ": the app was called");
        try (RawHttp client = server.connect()) {
            RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertEquals(200, response.status(), "after " + what);
            assertEquals("ok", response.text());
        }
    }
}
