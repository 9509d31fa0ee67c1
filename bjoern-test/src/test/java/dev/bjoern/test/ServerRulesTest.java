package dev.bjoern.test;

import static dev.bjoern.test.Bodies.bytes;
import static dev.bjoern.test.Bodies.lazy;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.PendingBody;
import dev.bjoern.StartResponse;
import dev.bjoern.Write;
import dev.bjoern.WsgiApplication;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A broken server per rule: the Validator throws an AssertionError naming the rule, or reports it. */
class ServerRulesTest {
    private static final List<Map.Entry<String, String>> PLAIN = List.of(Map.entry("Content-Type", "text/plain"));
    private static final WsgiApplication HELLO = (environ, startResponse) -> {
        startResponse.call("200 OK", PLAIN);
        return List.of(bytes("hello"));
    };

    static Stream<String> requiredKeys() {
        return Stream.of(Environ.REQUEST_METHOD, Environ.SCRIPT_NAME, Environ.PATH_INFO, Environ.QUERY_STRING,
                Environ.SERVER_NAME, Environ.SERVER_PORT, Environ.SERVER_PROTOCOL, Environ.SERVER_SOFTWARE,
                Environ.REMOTE_ADDR, Environ.REMOTE_PORT, Environ.REQUEST_URI, Environ.WSGI_VERSION,
                Environ.WSGI_URL_SCHEME, Environ.WSGI_INPUT, Environ.WSGI_ERRORS, Environ.WSGI_MULTITHREAD,
                Environ.WSGI_MULTIPROCESS, Environ.WSGI_RUN_ONCE, Environ.WSGI_INPUT_TERMINATED,
                Environ.WSGI_FILE_WRAPPER);
    }

    @ParameterizedTest
    @MethodSource("requiredKeys")
    void environWithoutARequiredKeyIsRefused(String key) {
        HandServer server = new HandServer("GET", "/");
        server.environ.remove(key);
        AssertionError e = assertThrows(AssertionError.class, () -> server.run(Validator.wrap(HELLO)));
        assertEquals("SPEC 2: environ lacks the required key " + key, e.getMessage());
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                Arguments.of(Environ.REQUEST_METHOD, 7, "java.lang.String"),
                Arguments.of(Environ.QUERY_STRING, new StringBuilder(), "java.lang.String"),
                Arguments.of(Environ.SERVER_PORT, 8000, "java.lang.String"),
                Arguments.of(Environ.CONTENT_LENGTH, 5L, "java.lang.String"),
                Arguments.of(Environ.CONTENT_TYPE, new Object(), "java.lang.String"),
                Arguments.of("HTTP_X_TRACE", List.of("a", "b"), "java.lang.String"),
                Arguments.of(Environ.WSGI_VERSION, new int[] {1, 0}, "java.util.List"),
                Arguments.of(Environ.WSGI_INPUT, new byte[0], "java.io.InputStream"),
                Arguments.of(Environ.WSGI_ERRORS, new ByteArrayOutputStream(), "java.io.PrintStream"),
                Arguments.of(Environ.WSGI_MULTITHREAD, "false", "java.lang.Boolean"),
                Arguments.of(Environ.WSGI_MULTIPROCESS, 0, "java.lang.Boolean"),
                Arguments.of(Environ.WSGI_RUN_ONCE, "false", "java.lang.Boolean"),
                Arguments.of(Environ.WSGI_INPUT_TERMINATED, 1, "java.lang.Boolean"),
                Arguments.of(Environ.WSGI_FILE_WRAPPER, "FileBody::of", "dev.bjoern.FileWrapper"));
    }

    @ParameterizedTest
    @MethodSource("wrongTypes")
    void environValueOfTheWrongTypeIsRefused(String key, Object value, String type) {
        HandServer server = new HandServer("GET", "/");
        server.environ.put(key, value);
        AssertionError e = assertThrows(AssertionError.class, () -> server.run(Validator.wrap(HELLO)));
        assertEquals("SPEC 2: environ " + key + " must be a " + type + ", got a " + value.getClass().getName(),
                e.getMessage());
    }

    static Stream<Arguments> wrongValues() {
        return Stream.of(
                Arguments.of(Environ.REQUEST_METHOD, "", "environ REQUEST_METHOD must be a method token (never"
                        + " empty), got \"\""),
                Arguments.of(Environ.REQUEST_METHOD, "GE T", "environ REQUEST_METHOD must be a method token (never"
                        + " empty), got \"GE T\""),
                Arguments.of(Environ.SCRIPT_NAME, "app", "environ SCRIPT_NAME must be \"\" or begin with \"/\","
                        + " got \"app\""),
                Arguments.of(Environ.PATH_INFO, "index.html", "environ PATH_INFO must be \"\", \"*\" or begin with"
                        + " \"/\", got \"index.html\""),
                Arguments.of(Environ.PATH_INFO, "/\u20ac", "environ PATH_INFO must be ISO-8859-1 text (one char per"
                        + " byte), got \"/\u20ac\""),
                Arguments.of("HTTP_X_NAME", "J\u00f6rg \u2603", "environ HTTP_X_NAME must be ISO-8859-1 text (one"
                        + " char per byte), got \"J\u00f6rg \u2603\""),
                Arguments.of(Environ.CONTENT_LENGTH, "5, 5", "environ CONTENT_LENGTH must be decimal digits, got"
                        + " \"5, 5\""),
                Arguments.of(Environ.SERVER_NAME, "", "environ SERVER_NAME must be non-empty, got \"\""),
                Arguments.of(Environ.SERVER_PORT, "http", "environ SERVER_PORT must be decimal digits, got"
                        + " \"http\""),
                Arguments.of(Environ.REMOTE_PORT, "-1", "environ REMOTE_PORT must be decimal digits, or \"\" on a"
                        + " unix socket, got \"-1\""),
                Arguments.of(Environ.SERVER_PROTOCOL, "HTTP/2.0", "environ SERVER_PROTOCOL must be \"HTTP/1.0\" or"
                        + " \"HTTP/1.1\", got \"HTTP/2.0\""),
                Arguments.of("HTTP_CONTENT_TYPE", "text/plain", "environ must not have HTTP_CONTENT_TYPE; the header"
                        + " is CONTENT_TYPE"),
                Arguments.of("HTTP_CONTENT_LENGTH", "5", "environ must not have HTTP_CONTENT_LENGTH; the header is"
                        + " CONTENT_LENGTH"),
                Arguments.of(Environ.WSGI_VERSION, List.of(1, 1), "environ wsgi.version must be [1, 0], got [1, 1]"),
                Arguments.of(Environ.WSGI_URL_SCHEME, "ftp", "environ wsgi.url_scheme must be \"http\" or"
                        + " \"https\", got \"ftp\""),
                Arguments.of(Environ.WSGI_RUN_ONCE, true, "environ wsgi.run_once must be false"),
                Arguments.of(Environ.WSGI_INPUT_TERMINATED, false, "environ wsgi.input_terminated must be true"));
    }

    @ParameterizedTest
    @MethodSource("wrongValues")
    void environValueSpecTwoDoesNotAllowIsRefused(String key, Object value, String message) {
        HandServer server = new HandServer("GET", "/");
        server.environ.put(key, value);
        AssertionError e = assertThrows(AssertionError.class, () -> server.run(Validator.wrap(HELLO)));
        assertEquals("SPEC 2: " + message, e.getMessage());
    }

    @Test
    void environMappingAKeyToNullIsRefused() {
        HandServer server = new HandServer("GET", "/");
        server.environ.put(Environ.CONTENT_TYPE, null);
        AssertionError e = assertThrows(AssertionError.class, () -> server.run(Validator.wrap(HELLO)));
        assertEquals("SPEC 2: environ maps CONTENT_TYPE to null; an optional key is absent, not null",
                e.getMessage());
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void environKeyThatIsNotAStringIsRefused() {
        HandServer server = new HandServer("GET", "/");
        ((Map) server.environ).put(42, "x");
        AssertionError e = assertThrows(AssertionError.class, () -> server.run(Validator.wrap(HELLO)));
        assertEquals("SPEC 2: environ keys must be Strings, got a java.lang.Integer", e.getMessage());
    }

    @Test
    void missingEnvironOrStartResponseIsRefused() {
        WsgiApplication checked = Validator.wrap(HELLO);
        AssertionError noEnviron = assertThrows(AssertionError.class, () -> checked.call(null, new HandServer("GET",
                "/")));
        assertEquals("SPEC 2: the server called the application without an environ", noEnviron.getMessage());
        AssertionError noStartResponse = assertThrows(AssertionError.class,
                () -> checked.call(new HandServer("GET", "/").environ, null));
        assertEquals("SPEC 1: the server called the application without a start_response",
                noStartResponse.getMessage());
    }

    @Test
    void startResponseReturningAnotherWriteCallableIsRefused() {
        HandServer server = new HandServer("GET", "/");
        List<byte[]> sent = new ArrayList<>();
        // A new callable each time (a lambda capturing nothing would be one shared object).
        StartResponse fresh = (status, headers, excInfo) -> data -> sent.add(data);
        AssertionError e = assertThrows(AssertionError.class, () -> Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            startResponse.call("500 Internal Server Error", PLAIN, new IllegalStateException("failed"));
            return List.of();
        }).call(server.environ, fresh));
        assertEquals("SPEC 4: the server's start_response must return the same write callable every time; it"
                + " returned another one", e.getMessage());
    }

    @Test
    void startResponseReturningNoWriteCallableIsRefused() {
        HandServer server = new HandServer("GET", "/");
        AssertionError e = assertThrows(AssertionError.class, () -> Validator.wrap(HELLO)
                .call(server.environ, (status, headers, excInfo) -> null));
        assertEquals("SPEC 4: the server's start_response returned null instead of the write callable",
                e.getMessage());
    }

    @Test
    void excInfoSwallowedAfterTheCommitIsRefused() {
        HandServer server = new HandServer("GET", "/");
        Write write = data -> { };
        StartResponse forgiving = (status, headers, excInfo) -> write;
        AssertionError e = assertThrows(AssertionError.class, () -> Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN).write(bytes("committed"));
            startResponse.call("500 Internal Server Error", PLAIN, new IllegalStateException("failed"));
            return List.of();
        }).call(server.environ, forgiving));
        assertEquals("SPEC 4: the server's start_response must throw excInfo once the headers are committed; it"
                + " returned", e.getMessage());
    }

    @Test
    void excInfoReplacedByAnotherExceptionAfterTheCommitIsRefused() {
        HandServer server = new HandServer("GET", "/");
        Write write = data -> { };
        StartResponse replacing = (status, headers, excInfo) -> {
            if (excInfo != null) {
                throw new IllegalStateException("too late");
            }
            return write;
        };
        AssertionError e = assertThrows(AssertionError.class, () -> Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN).write(bytes("committed"));
            startResponse.call("500 Internal Server Error", PLAIN, new RuntimeException("failed"));
            return List.of();
        }).call(server.environ, replacing));
        assertEquals("SPEC 4: the server's start_response must throw excInfo once the headers are committed; it"
                + " threw java.lang.IllegalStateException: too late", e.getMessage());
    }

    @Test
    void secondIteratorOfALazyBodyIsRefused() throws Exception {
        HandServer server = new HandServer("GET", "/");
        Iterable<byte[]> body = Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return lazy(() -> bytes("once"));
        }).call(server.environ, server);
        body.iterator();
        AssertionError e = assertThrows(AssertionError.class, body::iterator);
        assertEquals("SPEC 6: the server called iterator() twice on a body that is not a Collection; it must call"
                + " it once", e.getMessage());
    }

    @Test
    void thirdIteratorOfACollectionIsRefused() throws Exception {
        HandServer server = new HandServer("GET", "/");
        Iterable<byte[]> body = Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return new LinkedHashSet<>(List.of(bytes("set")));
        }).call(server.environ, server);
        body.iterator();
        body.iterator();
        AssertionError e = assertThrows(AssertionError.class, body::iterator);
        assertEquals("SPEC 6: the server called iterator() three times on a Collection body; it may walk it once"
                + " more for its length, no more", e.getMessage());
    }

    @Test
    void pullingAfterCloseIsRefused() throws Exception {
        HandServer server = new HandServer("GET", "/");
        Iterable<byte[]> body = Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return lazy(() -> bytes("a"), () -> bytes("b"));
        }).call(server.environ, server);
        Iterator<byte[]> chunks = body.iterator();
        chunks.next();
        ((AutoCloseable) body).close();
        AssertionError e = assertThrows(AssertionError.class, chunks::hasNext);
        assertEquals("SPEC 6: the server used the body after close()", e.getMessage());
    }

    @Test
    @SuppressWarnings("unchecked")
    void fetchingFromAListAfterCloseIsRefused() throws Exception {
        HandServer server = new HandServer("GET", "/");
        List<byte[]> body = (List<byte[]>) Validator.wrap(HELLO).call(server.environ, server);
        assertEquals("hello", new String(body.get(0), ISO_8859_1));
        ((AutoCloseable) body).close();
        AssertionError e = assertThrows(AssertionError.class, () -> body.get(0));
        assertEquals("SPEC 6: the server used the body after close()", e.getMessage());
    }

    @Test
    void secondCloseIsRefused() throws Exception {
        HandServer server = new HandServer("GET", "/");
        int[] closes = new int[1];
        Iterable<byte[]> body = Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return new ApplicationRulesTest.Closing(() -> closes[0]++);
        }).call(server.environ, server);
        AutoCloseable closeable = (AutoCloseable) body;
        closeable.close();
        AssertionError e = assertThrows(AssertionError.class, closeable::close);
        assertEquals("SPEC 6: the server called close() twice; it must call it exactly once", e.getMessage());
        assertEquals(1, closes[0], "the application's close() ran once");
    }

    @Test
    void bodyNeverClosedIsReportedOnWsgiErrors() throws Exception {
        HandServer server = new HandServer("GET", "/dropped");
        HandServer closing = new HandServer("GET", "/closed");
        closing.environ.put(Environ.WSGI_ERRORS, server.errors.stream);
        pullWithoutClosing(server);
        closing.run(Validator.wrap(HELLO));
        assertTrue(server.errors.await("bjoern Validator: SPEC 6: the server never called close() on the body of"
                + " GET /dropped", System::gc, Duration.ofSeconds(20)), server.errors.text());
        assertFalse(server.errors.text().contains("/closed"), server.errors.text());
    }

    /** Pulls a body whole and drops it: nothing in the caller's frame keeps it. */
    private static void pullWithoutClosing(HandServer server) throws Exception {
        for (byte[] chunk : Validator.wrap(HELLO).call(server.environ, server)) {
            assertEquals(5, chunk.length);
        }
    }

    @Test
    void pullingAPendingBodyBeforeOnReadyIsRefused() throws Exception {
        HandServer server = new HandServer("GET", "/");
        Iterable<byte[]> body = Validator.wrap((environ, startResponse) -> {
            startResponse.call("200 OK", PLAIN);
            return new ApplicationRulesTest.Pending((onReady, calls) -> false);
        }).call(server.environ, server);
        Iterator<byte[]> chunks = body.iterator();
        assertFalse(((PendingBody) chunks).ready(() -> { }));
        AssertionError e = assertThrows(AssertionError.class, chunks::hasNext);
        assertEquals("SPEC 6: the server pulled a pending body after ready() returned false, before onReady ran",
                e.getMessage());
        AssertionError again = assertThrows(AssertionError.class, () -> ((PendingBody) chunks).ready(() -> { }));
        assertEquals("SPEC 6: the server asked ready() again before onReady ran", again.getMessage());
    }
}
