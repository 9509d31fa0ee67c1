package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import dev.bjoern.Write;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(20)
class StartResponseTest {
    private static final String GET = "GET /start HTTP/1.1\r\nHost: test\r\n\r\n";

    /** The only headers an error response may carry: nothing of the application's. */
    private static final Set<String> SERVER_HEADERS = Set.of("connection", "content-length", "date");

    /** What the application saw from a start_response call, and what the client got. */
    private record Outcome(Throwable thrown, RawHttp.Response response, boolean closed) {
    }

    /** Calls start_response once with the given arguments; rethrows what it throws, as an app would. */
    private static Outcome attempt(String status, List<Map.Entry<String, String>> headers) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        return serve(thrown, (environ, startResponse) -> {
            try {
                startResponse.call(status, headers);
            } catch (Exception e) {
                thrown.compareAndSet(null, e);
                throw e;
            }
            return List.of("accepted".getBytes(StandardCharsets.US_ASCII));
        });
    }

    private static Outcome serve(AtomicReference<Throwable> thrown, WsgiApplication app) throws Exception {
        try (TestServer server = TestServer.start(app); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(GET).read();
            return new Outcome(thrown.get(), response, closed(client, response));
        }
    }

    /**
     * Whether the server closed the connection after {@code response}: a response that says it closes must
     * be followed by end of stream; any other is probed with a second request (the app runs again).
     */
    private static boolean closed(RawHttp client, RawHttp.Response response) throws IOException {
        if ("close".equalsIgnoreCase(response.header("Connection")) || response.closeDelimited) {
            return client.closedByServer();
        }
        try {
            return client.send("GET /again HTTP/1.1\r\nHost: test\r\n\r\n").read().status() <= 0;
        } catch (IOException gone) {
            return true;
        }
    }

    /** The client got an empty 500 with only server-made headers, and the connection closed. */
    private static void assertRefusedWith500(Outcome outcome) {
        RawHttp.Response response = outcome.response();
        String raw = new String(response.raw, StandardCharsets.ISO_8859_1);
        assertEquals(500, response.status(), raw);
        assertEquals("0", response.header("Content-Length"), raw);
        assertEquals(0, response.body.length, raw);
        for (String[] header : response.headers) {
            assertTrue(SERVER_HEADERS.contains(header[0].toLowerCase()), () -> "unexpected header in " + raw);
        }
        assertTrue(outcome.closed(), "connection closed after the 500");
    }

    @ParameterizedTest(name = "status \"{0}\"")
    @ValueSource(strings = {"200", "20 OK", "abc OK", "200OK", "600 X", "099 X", "200 OK\r\nX: y", "200 O\nK",
        "200 \u0000", "200 \u20ac", "200 A\u0001B", "200 A\u007fB", "100 Continue", "101 Switching Protocols", ""})
    void malformedStatusIsRefusedAndAnswered500(String status) throws Exception {
        Outcome outcome = attempt(status, List.of(Map.entry("X-App", "1")));
        assertInstanceOf(IllegalArgumentException.class, outcome.thrown());
        assertTrue(outcome.thrown().getMessage().startsWith("start_response status must be a 3-digit code"),
                outcome.thrown().getMessage());
        assertRefusedWith500(outcome);
    }

    @Test
    void nullStatusIsRefused() throws Exception {
        Outcome outcome = attempt(null, List.of());
        assertInstanceOf(IllegalArgumentException.class, outcome.thrown());
        assertEquals("start_response status must be a 3-digit code from 200 to 599, a space and a reason, like \"200 OK\","
                + " got null", outcome.thrown().getMessage());
        assertRefusedWith500(outcome);
    }

    @Test
    void statusWithoutReasonIsRefusedWithAMessageNamingIt() throws Exception {
        Outcome outcome = attempt("200", List.of());
        assertEquals("start_response status must be a 3-digit code from 200 to 599, a space and a reason, like \"200 OK\","
                + " got \"200\"", outcome.thrown().getMessage());
        assertRefusedWith500(outcome);
    }

    @Test
    void statusWithCrLfIsRefusedWithTheControlCharactersShown() throws Exception {
        Outcome outcome = attempt("200 OK\r\nX: y", List.of());
        assertEquals("start_response status must be a 3-digit code from 200 to 599, a space and a reason, like \"200 OK\","
                + " got \"200 OK\\r\\nX: y\"", outcome.thrown().getMessage());
        assertRefusedWith500(outcome);
        assertFalse(new String(outcome.response().raw, StandardCharsets.ISO_8859_1).contains("X: y"));
    }

    static Stream<Arguments> malformedHeaders() {
        return Stream.of(
                Arguments.of("name with CR", "X-Bad\rInjected", "v"),
                Arguments.of("name with LF", "X-Bad\nInjected", "v"),
                Arguments.of("name with space", "X Bad", "v"),
                Arguments.of("name with colon", "X-Bad:Injected", "v"),
                Arguments.of("name with NUL", "X-Bad\u0000", "v"),
                Arguments.of("non-ASCII name", "X-Caf\u00e9", "v"),
                Arguments.of("value with CR", "X-Bad", "a\rInjected: 1"),
                Arguments.of("value with LF", "X-Bad", "a\nInjected: 1"),
                Arguments.of("value with CRLF", "X-Bad", "a\r\nInjected: 1"),
                Arguments.of("value with NUL", "X-Bad", "a\u0000b"),
                Arguments.of("non-Latin-1 value", "X-Bad", "5 \u20ac"),
                Arguments.of("Transfer-Encoding", "Transfer-Encoding", "chunked"),
                Arguments.of("lower-case transfer-encoding", "transfer-encoding", "identity"),
                Arguments.of("Content-Length not a number", "Content-Length", "abc"),
                Arguments.of("negative Content-Length", "Content-Length", "-1"),
                Arguments.of("Content-Length with a space", "Content-Length", "1 2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void malformedHeaderIsRefusedAndNothingOfItReachesTheWire(String what, String name, String value)
            throws Exception {
        Outcome outcome = attempt("200 OK", List.of(Map.entry("X-Before", "1"), Map.entry(name, value)));
        assertInstanceOf(IllegalArgumentException.class, outcome.thrown());
        assertTrue(outcome.thrown().getMessage().startsWith("start_response header "),
                outcome.thrown().getMessage());
        assertRefusedWith500(outcome);
        String raw = new String(outcome.response().raw, StandardCharsets.ISO_8859_1);
        assertFalse(raw.contains("Injected"), raw);
        assertFalse(raw.contains("X-Before"), raw);
    }

    @Test
    void headerNameWithSpaceIsRefusedWithAMessageNamingIt() throws Exception {
        Outcome outcome = attempt("200 OK", List.of(Map.entry("X Bad", "v")));
        assertEquals("start_response header name must be an HTTP token (letters, digits and"
                + " !#$%&'*+-.^_`|~), got \"X Bad\"", outcome.thrown().getMessage());
    }

    @Test
    void headerValueWithCrLfIsRefusedWithAMessageNamingIt() throws Exception {
        Outcome outcome = attempt("200 OK", List.of(Map.entry("Location", "/x\r\nSet-Cookie: a=b")));
        assertEquals("start_response header Location value must be Latin-1 text without control characters (CR, LF, NUL...),"
                + " got \"/x\\r\\nSet-Cookie: a=b\"", outcome.thrown().getMessage());
        assertFalse(new String(outcome.response().raw, StandardCharsets.ISO_8859_1).contains("Set-Cookie"));
    }

    @Test
    void contentLengthThatIsNotANumberIsRefusedWithAMessageNamingIt() throws Exception {
        Outcome outcome = attempt("200 OK", List.of(Map.entry("Content-Length", "abc")));
        assertEquals("start_response header Content-Length must be a non-negative integer, got \"abc\"",
                outcome.thrown().getMessage());
    }

    @Test
    void contentLengthInAnyCaseIsRefusedTwice() throws Exception {
        Outcome outcome = attempt("200 OK",
                List.of(Map.entry("content-length", "8"), Map.entry("CONTENT-LENGTH", "8")));
        assertEquals("start_response header Content-Length must be given once, got it twice",
                outcome.thrown().getMessage());
    }

    @Test
    void lowerCaseContentLengthFramesTheResponse() throws Exception {
        Outcome outcome = attempt("200 OK", List.of(Map.entry("content-length", "8")));
        assertEquals(null, outcome.thrown());
        assertEquals("8", outcome.response().header("Content-Length"));
        assertEquals("accepted", outcome.response().text());
    }

    @Test
    void transferEncodingFromTheAppIsRefusedWithAMessageNamingIt() throws Exception {
        Outcome outcome = attempt("200 OK", List.of(Map.entry("Transfer-Encoding", "chunked")));
        assertEquals("start_response header Transfer-Encoding is hop-by-hop and the server's to set (PEP 3333);"
                + " give Content-Length or nothing", outcome.thrown().getMessage());
    }

    @Test
    void latin1HeaderValueIsSentAsItsByte() throws Exception {
        Outcome outcome = attempt("200 OK", List.of(Map.entry("X-Name", "Caf\u00e9")));
        assertNull(outcome.thrown());
        assertEquals(200, outcome.response().status());
        assertEquals("Caf\u00e9", outcome.response().header("X-Name"));
    }

    @Test
    void refusedCallLeavesNoHeadersBehindForTheNextCall() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Outcome outcome = serve(thrown, (environ, startResponse) -> {
            try {
                startResponse.call("200 OK", List.of(Map.entry("X-Leaked", "1"), Map.entry("Bad Name", "v")));
            } catch (IllegalArgumentException e) {
                thrown.compareAndSet(null, e);
            }
            startResponse.call("200 OK", List.of(Map.entry("X-Kept", "1")));
            return List.of("ok".getBytes(StandardCharsets.US_ASCII));
        });
        assertInstanceOf(IllegalArgumentException.class, outcome.thrown());
        assertEquals(200, outcome.response().status());
        assertEquals("1", outcome.response().header("X-Kept"));
        assertNull(outcome.response().header("X-Leaked"));
        assertEquals("ok", outcome.response().text());
    }

    @Test
    void secondCallWithoutExcInfoIsRefused() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Outcome outcome = serve(thrown, (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("X-First", "1")));
            try {
                startResponse.call("404 Not Found", List.of(Map.entry("X-Second", "1")));
            } catch (IllegalStateException e) {
                thrown.compareAndSet(null, e);
            }
            return List.of("first".getBytes(StandardCharsets.US_ASCII));
        });
        assertInstanceOf(IllegalStateException.class, outcome.thrown());
        assertEquals("start_response was already called; a second call must pass excInfo",
                outcome.thrown().getMessage());
        assertEquals(200, outcome.response().status(), "the first call stands");
        assertEquals("1", outcome.response().header("X-First"));
        assertNull(outcome.response().header("X-Second"));
        assertEquals("first", outcome.response().text());
    }

    @Test
    void excInfoBeforeTheHeadersWentOutReplacesStatusAndHeaders() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Outcome outcome = serve(thrown, (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("X-First", "1"), Map.entry("Content-Length", "100")));
            try {
                throw new IllegalStateException("rendering failed");
            } catch (IllegalStateException e) {
                startResponse.call("503 Service Unavailable", List.of(Map.entry("X-Second", "2")), e);
            }
            return List.of("sorry".getBytes(StandardCharsets.US_ASCII));
        });
        assertNull(outcome.thrown());
        RawHttp.Response response = outcome.response();
        assertEquals("HTTP/1.1 503 Service Unavailable", response.statusLine);
        assertEquals("2", response.header("X-Second"));
        assertNull(response.header("X-First"));
        assertEquals("5", response.header("Content-Length"), "the replaced Content-Length is gone");
        assertEquals("sorry", response.text());
        assertFalse(outcome.closed(), "a replaced response is an ordinary one");
    }

    @Test
    void refusedReplacementLeavesTheFirstResponseIntact() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Outcome outcome = serve(thrown, (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("X-First", "1"), Map.entry("Content-Length", "5")));
            try {
                startResponse.call("503 Service Unavailable",
                        List.of(Map.entry("X-Partial", "1"), Map.entry("Bad Name", "v")),
                        new IllegalStateException("rendering failed"));
            } catch (IllegalArgumentException e) {
                thrown.compareAndSet(null, e);
            }
            return List.of("first".getBytes(StandardCharsets.US_ASCII));
        });
        assertInstanceOf(IllegalArgumentException.class, outcome.thrown());
        RawHttp.Response response = outcome.response();
        String raw = new String(response.raw, StandardCharsets.ISO_8859_1);
        assertEquals(200, response.status(), raw);
        assertEquals("1", response.header("X-First"), raw);
        assertEquals("5", response.header("Content-Length"), raw);
        assertNull(response.header("X-Partial"), raw);
        assertEquals("first", response.text());
    }

    @Test
    void excInfoAfterWriteRethrowsTheSameException() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        IOException original = new IOException("disk gone");
        Outcome outcome = serve(thrown, (environ, startResponse) -> {
            Write write = startResponse.call("200 OK", List.of());
            write.write("partial".getBytes(StandardCharsets.US_ASCII));
            try {
                startResponse.call("500 Internal Server Error", List.of(), original);
            } catch (Exception e) {
                thrown.compareAndSet(null, e);
                throw e;
            }
            return List.of();
        });
        assertSame(original, outcome.thrown());
        String raw = new String(outcome.response().raw, StandardCharsets.ISO_8859_1);
        assertFalse(raw.contains("partial"), raw);
        assertTrue(outcome.closed());
    }

    @Test
    void excInfoAfterTheHeadersWentOutRethrowsFromTheBodyAndClosesTheConnection() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        RuntimeException original = new IllegalStateException("second chunk failed");
        WsgiApplication app = (environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return () -> new Iterator<>() {
                private int pulled;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public byte[] next() {
                    if (pulled++ == 0) {
                        return "first".getBytes(StandardCharsets.US_ASCII);
                    }
                    try {
                        startResponse.call("500 Internal Server Error", List.of(), original);
                    } catch (Exception e) {
                        thrown.compareAndSet(null, e);
                    }
                    throw original;
                }
            };
        };
        try (TestServer server = TestServer.start(app); RawHttp client = server.connect()) {
            byte[] all = client.send(GET).readAll();
            String raw = new String(all, StandardCharsets.ISO_8859_1);
            assertSame(original, thrown.get());
            assertFalse(raw.endsWith("0\r\n\r\n"), raw);
        }
    }

    @Test
    void writtenBytesPrecedeTheReturnedBody() throws Exception {
        Outcome outcome = serve(new AtomicReference<>(), (environ, startResponse) -> {
            Write write = startResponse.call("200 OK", List.of());
            write.write("one,".getBytes(StandardCharsets.US_ASCII));
            write.write(new byte[0]);
            write.write("two,".getBytes(StandardCharsets.US_ASCII));
            return List.of("three,".getBytes(StandardCharsets.US_ASCII), "four".getBytes(StandardCharsets.US_ASCII));
        });
        assertEquals("one,two,three,four", outcome.response().text());
        assertEquals("18", outcome.response().header("Content-Length"), "known: written plus the list");
    }

    @Test
    void writtenBytesPrecedeALazyBody() throws Exception {
        Outcome outcome = serve(new AtomicReference<>(), (environ, startResponse) -> {
            Write write = startResponse.call("200 OK", List.of());
            write.write("one,".getBytes(StandardCharsets.US_ASCII));
            Iterable<byte[]> lazy = () -> List.of("two,".getBytes(StandardCharsets.US_ASCII),
                    "three".getBytes(StandardCharsets.US_ASCII)).iterator();
            return lazy;
        });
        assertTrue(outcome.response().chunked, "a lazy body has no known length");
        assertEquals("one,two,three", outcome.response().text());
    }

    @Test
    void writeAloneMakesTheBody() throws Exception {
        Outcome outcome = serve(new AtomicReference<>(), (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5"))).write(
                    "hello".getBytes(StandardCharsets.US_ASCII));
            return List.of();
        });
        assertEquals("hello", outcome.response().text());
        assertFalse(outcome.closed());
    }

    @Test
    void writeBeforeStartResponseIsRefused() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Outcome outcome = serve(thrown, (environ, startResponse) -> {
            // The only way to hold the write callable before start_response: this server's start_response
            // object is also its write callable.
            assertInstanceOf(Write.class, startResponse);
            try {
                ((Write) startResponse).write("early".getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalStateException e) {
                thrown.compareAndSet(null, e);
            }
            startResponse.call("200 OK", List.of());
            return List.of("late".getBytes(StandardCharsets.US_ASCII));
        });
        assertInstanceOf(IllegalStateException.class, outcome.thrown());
        assertEquals("write was called before start_response", outcome.thrown().getMessage());
        assertEquals("late", outcome.response().text(), "nothing written early was kept");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"200 Fine", "200 OK", "404 Nowhere to be found", "418 I'm a teapot", "299 Whatever",
        "200 Caf\u00e9"})
    void reasonPhraseIsSentAsGiven(String status) throws Exception {
        Outcome outcome = attempt(status, List.of());
        assertNull(outcome.thrown());
        assertEquals("HTTP/1.1 " + status, outcome.response().statusLine);
        assertEquals(Integer.parseInt(status.substring(0, 3)), outcome.response().status());
    }

    @Test
    void startResponseMayBeCalledFromInsideTheBody() throws Exception {
        Outcome outcome = serve(new AtomicReference<>(), (environ, startResponse) -> () -> new Iterator<>() {
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public byte[] next() {
                done = true;
                try {
                    startResponse.call("201 Created", List.of(Map.entry("X-Late", "yes")));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return "made".getBytes(StandardCharsets.US_ASCII);
            }
        });
        assertEquals(201, outcome.response().status());
        assertEquals("yes", outcome.response().header("X-Late"));
        assertEquals("made", outcome.response().text());
    }
}
