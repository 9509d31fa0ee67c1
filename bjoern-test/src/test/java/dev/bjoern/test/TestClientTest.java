package dev.bjoern.test;

import static dev.bjoern.test.Bodies.bytes;
import static dev.bjoern.test.Bodies.lazy;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.WsgiApplication;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** TestClient on its own: the environ it builds, its requests, how failures reach the test, TestResponse. */
class TestClientTest {
    private static final List<Map.Entry<String, String>> TEXT = List.of(Map.entry("Content-Type", "text/plain"));

    private final AtomicReference<Map<String, Object>> seen = new AtomicReference<>();
    private final AtomicInteger calls = new AtomicInteger();

    /** Keeps a copy of environ and the request body it read; answers "ok". */
    private final WsgiApplication recorder = (environ, startResponse) -> {
        calls.incrementAndGet();
        Map<String, Object> copy = new HashMap<>(environ);
        copy.put("test.input", ((InputStream) environ.get(Environ.WSGI_INPUT)).readAllBytes());
        seen.set(copy);
        startResponse.call("200 OK", TEXT);
        return List.of(bytes("ok"));
    };

    private Map<String, Object> environOf(String method, String target, List<Map.Entry<String, String>> headers,
            byte[] body) {
        assertEquals(200, TestClient.of(recorder).request(method, target, headers, body).status());
        return seen.get();
    }

    @Test
    void environHasEverySpecKeyOfItsType() {
        Map<String, Object> environ = environOf("GET", "/items?id=7", List.of(), null);
        Map<String, Class<?>> types = new HashMap<>();
        for (String key : List.of(Environ.REQUEST_METHOD, Environ.SCRIPT_NAME, Environ.PATH_INFO, Environ.QUERY_STRING,
                Environ.SERVER_NAME, Environ.SERVER_PORT, Environ.SERVER_PROTOCOL, Environ.SERVER_SOFTWARE,
                Environ.REMOTE_ADDR, Environ.REMOTE_PORT, Environ.REQUEST_URI, Environ.WSGI_URL_SCHEME)) {
            types.put(key, String.class);
        }
        types.put(Environ.WSGI_VERSION, List.class);
        types.put(Environ.WSGI_INPUT, InputStream.class);
        types.put(Environ.WSGI_ERRORS, PrintStream.class);
        for (String key : List.of(Environ.WSGI_MULTITHREAD, Environ.WSGI_MULTIPROCESS, Environ.WSGI_RUN_ONCE,
                Environ.WSGI_INPUT_TERMINATED)) {
            types.put(key, Boolean.class);
        }
        types.put(Environ.WSGI_FILE_WRAPPER, FileWrapper.class);
        assertEquals(20, types.size(), "SPEC 2's required keys");
        types.forEach((key, type) -> assertInstanceOf(type, environ.get(key), key));
        assertEquals("GET", environ.get(Environ.REQUEST_METHOD));
        assertEquals("", environ.get(Environ.SCRIPT_NAME));
        assertEquals("/items", environ.get(Environ.PATH_INFO));
        assertEquals("id=7", environ.get(Environ.QUERY_STRING));
        assertEquals("/items?id=7", environ.get(Environ.REQUEST_URI));
        assertEquals("HTTP/1.1", environ.get(Environ.SERVER_PROTOCOL));
        assertSame(Environ.VERSION, environ.get(Environ.WSGI_VERSION));
        assertSame(FileWrapper.DEFAULT, environ.get(Environ.WSGI_FILE_WRAPPER));
        assertEquals(false, environ.get(Environ.WSGI_RUN_ONCE));
        assertEquals(true, environ.get(Environ.WSGI_INPUT_TERMINATED));
        assertEquals("localhost", environ.get("HTTP_HOST"));
        assertFalse(environ.containsKey(Environ.CONTENT_TYPE));
        assertFalse(environ.containsKey(Environ.CONTENT_LENGTH));
        // The Validator's check of the server's side finds nothing wrong either.
        environ.remove("test.input");
        EnvironCheck.check(environ);
    }

    @Test
    void wsgiErrorsIsCapturedPerResponse() {
        TestClient client = TestClient.of((environ, startResponse) -> {
            ((PrintStream) environ.get(Environ.WSGI_ERRORS)).println("note on " + environ.get(Environ.PATH_INFO));
            startResponse.call("200 OK", TEXT);
            return List.of();
        });
        assertEquals("note on /a" + System.lineSeparator(), client.get("/a").errors());
        assertEquals("note on /b" + System.lineSeparator(), client.get("/b").errors());
    }

    @Test
    void applicationExceptionReachesTheTestAsThrown() {
        IllegalStateException unchecked = new IllegalStateException("unchecked");
        IOException checked = new IOException("checked");
        StackOverflowError error = new StackOverflowError("an error");
        TestClient client = TestClient.of((environ, startResponse) -> {
            switch ((String) environ.get(Environ.PATH_INFO)) {
                case "/unchecked":
                    throw unchecked;
                case "/checked":
                    throw checked;
                default:
                    throw error;
            }
        });
        assertSame(unchecked, assertThrows(IllegalStateException.class, () -> client.get("/unchecked")));
        assertSame(error, assertThrows(StackOverflowError.class, () -> client.get("/error")));
        IllegalStateException wrapped = assertThrows(IllegalStateException.class, () -> client.get("/checked"));
        assertSame(checked, wrapped.getCause());
        assertEquals("the application threw java.io.IOException: checked", wrapped.getMessage());
    }

    @Test
    void answering500GivesAnEmpty500AndLogsTheErrorWithThePath() {
        TestClient client = TestClient.of((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("X-A", "1")));
            throw new IllegalStateException("the backend is gone");
        }).answering500();
        TestResponse response = client.get("/boom?x=1");
        assertEquals(500, response.status());
        assertEquals("500 Internal Server Error", response.statusLine());
        assertEquals("0", response.header("Content-Length"));
        assertNull(response.header("X-A"));
        assertEquals(0, response.body().length);
        assertTrue(response.errors().startsWith("bjoern: error in application for GET /boom"
                + System.lineSeparator() + "java.lang.IllegalStateException: the backend is gone"), response.errors());
    }

    @Test
    void answering500StillThrowsAnErrorAfterTheHeadWentOut() {
        IllegalStateException failure = new IllegalStateException("late");
        TestClient client = TestClient.of((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return lazy(() -> bytes("hello"), () -> {
                throw failure;
            });
        }).answering500();
        assertSame(failure, assertThrows(IllegalStateException.class, () -> client.get("/")));
    }

    @Test
    void answering500AnswersACollectionHoldingNullAsTheEngineDoes() {
        TestClient client = TestClient.of((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return Arrays.asList(bytes("a"), null);
        });
        assertEquals(500, client.answering500().get("/").status());
        assertEquals("the application's body holds null instead of bytes",
                assertThrows(IllegalStateException.class, () -> client.get("/")).getMessage());
    }

    @Test
    void closeFailureIsLoggedInTheResponsesErrors() {
        TestClient client = TestClient.of((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return new Closing(() -> {
                throw new IllegalStateException("close() fails");
            });
        });
        TestResponse response = client.get("/c?q");
        assertEquals("body", response.text());
        assertTrue(response.errors().startsWith("bjoern: error closing the application's body for GET /c"
                + System.lineSeparator() + "java.lang.IllegalStateException: close() fails"), response.errors());
    }

    @Test
    void requestIsValidated() {
        TestClient client = TestClient.of(recorder);
        assertEquals("the method must be an HTTP token, got \"GE T\"", assertThrows(IllegalArgumentException.class,
                () -> client.request("GE T", "/", List.of(), null)).getMessage());
        assertEquals("the method must be an HTTP token, got \"\"", assertThrows(IllegalArgumentException.class,
                () -> client.request("", "/", List.of(), null)).getMessage());
        assertEquals("the method must be an HTTP token, got null", assertThrows(IllegalArgumentException.class,
                () -> client.request(null, "/", List.of(), null)).getMessage());
        assertEquals("the target must be a path starting with '/', got \"items\"",
                assertThrows(IllegalArgumentException.class, () -> client.get("items")).getMessage());
        assertEquals("the target must be a path starting with '/', got null",
                assertThrows(IllegalArgumentException.class, () -> client.get(null)).getMessage());
        assertThrows(NullPointerException.class, () -> client.request("GET", "/", null, null));
        assertEquals(0, calls.get());
    }

    @Test
    void pathIsPercentDecodedToOneCharPerByte() {
        Map<String, Object> environ = environOf("GET", "/caf%C3%A9/a%2Fb+c%ff?q=%41+", List.of(), null);
        assertEquals("/caf\u00c3\u00a9/a/b+c\u00ff", environ.get(Environ.PATH_INFO));
        assertEquals("q=%41+", environ.get(Environ.QUERY_STRING));
        assertEquals("/caf%C3%A9/a%2Fb+c%ff?q=%41+", environ.get(Environ.REQUEST_URI));
        // Beyond ASCII, the target goes as its UTF-8 bytes.
        assertEquals("/caf\u00c3\u00a9", environOf("GET", "/café", List.of(), null).get(Environ.PATH_INFO));
    }

    @Test
    void malformedEscapeIsA400LikeTheEngines() {
        TestClient client = TestClient.of(recorder);
        for (String target : List.of("/%zz", "/a%4", "/a%", "/%g0?x=%zz")) {
            TestResponse response = client.get(target);
            assertEquals(400, response.status(), target);
            assertEquals("0", response.header("Content-Length"), target);
            assertEquals(0, response.body().length, target);
        }
        assertEquals(0, calls.get(), "the application never sees a refused request");
        assertEquals(200, client.get("/?x=%zz").status(), "the query is not decoded");
    }

    @Test
    void repeatedHeadersAreJoinedAndUnderscoreOnesDropped() {
        Map<String, Object> environ = environOf("GET", "/", List.of(Map.entry("X-Multi", " one "),
                Map.entry("x-multi", "two"), Map.entry("X_Multi", "posing"), Map.entry("X_Other", "posing")), null);
        assertEquals("one, two", environ.get("HTTP_X_MULTI"));
        assertFalse(environ.containsValue("posing"), environ.toString());
    }

    @Test
    void hostAndContentLengthAreAddedWhenMissing() {
        Map<String, Object> environ = environOf("POST", "/", List.of(Map.entry("Content-Type", "text/plain")),
                bytes("the body"));
        assertEquals("localhost", environ.get("HTTP_HOST"));
        assertEquals("8", environ.get(Environ.CONTENT_LENGTH));
        assertEquals("text/plain", environ.get(Environ.CONTENT_TYPE));
        assertFalse(environ.containsKey("HTTP_CONTENT_LENGTH"));
        assertFalse(environ.containsKey("HTTP_CONTENT_TYPE"));
        assertArrayEquals(bytes("the body"), (byte[]) environ.get("test.input"));

        environ = environOf("POST", "/", List.of(Map.entry("Host", "example.test:8080"),
                Map.entry("Content-Length", "4")), bytes("body"));
        assertEquals("example.test:8080", environ.get("HTTP_HOST"));
        assertEquals("4", environ.get(Environ.CONTENT_LENGTH));

        environ = environOf("POST", "/", List.of(Map.entry("Transfer-Encoding", "chunked")), bytes("chunked"));
        assertFalse(environ.containsKey(Environ.CONTENT_LENGTH), "a chunked request has no CONTENT_LENGTH");
        assertEquals("chunked", environ.get("HTTP_TRANSFER_ENCODING"));
        assertArrayEquals(bytes("chunked"), (byte[]) environ.get("test.input"));
    }

    @Test
    void postSendsUtf8TextOfItsType() {
        Map<String, Object> environ = seenAfter(TestClient.of(recorder).post("/form", "text/plain", "é"));
        assertEquals("POST", environ.get(Environ.REQUEST_METHOD));
        assertEquals("text/plain", environ.get(Environ.CONTENT_TYPE));
        assertArrayEquals("é".getBytes(UTF_8), (byte[]) environ.get("test.input"));
    }

    private Map<String, Object> seenAfter(TestResponse response) {
        assertEquals(200, response.status());
        return seen.get();
    }

    @Test
    void textIsDecodedByTheCharsetOfItsContentType() {
        byte[] latin1 = "caf\u00e9".getBytes(ISO_8859_1);
        for (Map.Entry<String, String> row : List.of(Map.entry("text/plain; charset=ISO-8859-1", "café"),
                Map.entry("text/plain;CHARSET=\"iso-8859-1\"", "café"), Map.entry("text/plain", "caf\ufffd"))) {
            TestResponse response = TestClient.of((environ, startResponse) -> {
                startResponse.call("200 OK", List.of(Map.entry("Content-Type", row.getKey())));
                return List.of(latin1);
            }).get("/");
            assertEquals(row.getValue(), response.text(), row.getKey());
        }
        TestResponse utf8 = TestClient.of((environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return List.of("café".getBytes(UTF_8));
        }).get("/");
        assertEquals("café", utf8.text(), "UTF-8 without a Content-Type");
    }

    @Test
    void responseHasTheApplicationsHeadersAndTheComputedLength() {
        TestResponse response = TestClient.of((environ, startResponse) -> {
            startResponse.call("201 Created", List.of(Map.entry("Set-Cookie", "a=1"), Map.entry("set-cookie", "b=2")));
            return List.of(bytes("hel"), bytes("lo"));
        }).get("/");
        assertEquals(201, response.status());
        assertEquals("201 Created", response.statusLine());
        assertEquals(List.of("a=1", "b=2"), response.headers("Set-Cookie"));
        assertEquals("a=1", response.header("SET-COOKIE"));
        assertEquals(List.of(Map.entry("Set-Cookie", "a=1"), Map.entry("set-cookie", "b=2"),
                Map.entry("Content-Length", "5")), response.headers());
        assertEquals("hello", response.text());
    }

    /** A body with one chunk whose close() runs the given action. */
    private static final class Closing implements Iterable<byte[]>, AutoCloseable {
        private final Runnable onClose;

        Closing(Runnable onClose) {
            this.onClose = onClose;
        }

        @Override
        public Iterator<byte[]> iterator() {
            return List.of(bytes("body")).iterator();
        }

        @Override
        public void close() {
            onClose.run();
        }
    }
}
