package dev.bjoern.test;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.PendingBody;
import dev.bjoern.Write;
import dev.bjoern.WsgiApplication;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SPEC.md's clauses as JUnit 5 tests, for any server of the contract: each test serves an application of its
 * own, sends it requests and checks what the client and the application saw. A subclass supplies the server:
 *
 * <pre>{@code
 * class MyServerConformanceTest extends ConformanceKit {
 *     @Override
 *     protected Served serve(WsgiApplication app) throws Exception {
 *         MyServer server = MyServer.start(app, "127.0.0.1", 0);      // a free port on loopback
 *         return overHttp(URI.create("http://127.0.0.1:" + server.port() + "/"), server::stop);
 *     }
 *
 *     @Override @Test @Disabled("MyServer refuses %2F in a path")  // a clause it does not keep
 *     public void pathInfoDecodesAnEscapedSlash() { }
 * }
 * }</pre>
 *
 * Only what the contract says of every server is checked; what it leaves to a server (the reason phrase, Date
 * and Connection headers, when the body is read, keep-alive, how a body without a length is framed, what the
 * error log looks like) is not. The application runs in this JVM, so a test also checks what it saw: environ,
 * what start_response threw, how often close() ran. Requests go out as HTTP/1.1, each body with a
 * Content-Length unless a {@code Transfer-Encoding: chunked} header asks for it to be sent chunked; a server
 * that serves the application under a prefix says so with {@link Served#scriptName()}.
 */
public abstract class ConformanceKit {
    private static final List<Map.Entry<String, String>> TEXT = List.of(Map.entry("Content-Type", "text/plain"));
    private static final long WAIT_SECONDS = 10;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(%.+)?");

    /** The server under test, serving one application until closed. */
    public interface Served extends AutoCloseable {
        /**
         * One request, answered whole.
         *
         * @param method the method, like {@code "GET"}
         * @param target the path and query below the mount, raw (percent-escapes as they go on the wire)
         * @param headers the request's headers, in order; the client adds Host, and Content-Length for a body
         * @param body the body, or null for none
         * @return the response
         * @throws IOException when the response was cut off (the application failed after the head went out)
         */
        TestResponse request(String method, String target, List<Map.Entry<String, String>> headers, byte[] body)
                throws IOException;

        /** @return the mount prefix the application is served under, its SCRIPT_NAME: {@code ""} at the root */
        default String scriptName() {
            return "";
        }

        /** Stops the server. */
        @Override
        default void close() throws Exception {
        }
    }

    /**
     * Serves {@code app} on a new server of the kind under test, for one test.
     *
     * @param app the application
     * @return the server, which the test closes
     * @throws Exception when the server cannot start
     */
    protected abstract Served serve(WsgiApplication app) throws Exception;

    /**
     * A server reached over HTTP/1.1 with the JDK's client. A response that ends short of its framing throws
     * {@code IOException}; {@link TestResponse#statusLine()} is the code alone and {@link TestResponse#errors()}
     * empty.
     *
     * @param base the URI the application is served at, like {@code http://127.0.0.1:8000/}; its path (without
     *     percent-escapes) is the mount, {@code SCRIPT_NAME}
     * @param stop what stops the server
     * @return the server, for {@link #serve}
     */
    public static Served overHttp(URI base, AutoCloseable stop) {
        return new HttpServed(base, stop);
    }

    // ---- SPEC 1 and 2: environ --------------------------------------------------------------------------------

    /**
     * SPEC 2: every required key, of its type, no null value, the values SPEC fixes ({@code wsgi.version},
     * {@code wsgi.run_once}, {@code wsgi.input_terminated}, {@code wsgi.file_wrapper}, numeric addresses); a new
     * mutable map per request; SPEC 1: one call per request.
     */
    @Test
    public void environHoldsEveryRequiredKeyOfItsType() throws Exception {
        List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();
        try (Served served = serve((environ, startResponse) -> {
            seen.add(new HashMap<>(environ));
            boolean fresh = environ.put("kit.mark", "set by the previous request") == null;
            startResponse.call("200 OK", TEXT);
            return List.of(bytes(fresh ? "fresh" : "reused"));
        })) {
            assertEquals("fresh", get(served, "/env").text());
            assertEquals("fresh", get(served, "/env").text());
        }
        assertEquals(2, seen.size(), "the application is called once per request");
        Map<String, Object> environ = seen.get(0);
        EnvironCheck.check(environ);
        assertSame(Environ.VERSION, environ.get(Environ.WSGI_VERSION));
        assertSame(FileWrapper.DEFAULT, environ.get(Environ.WSGI_FILE_WRAPPER));
        assertEquals("HTTP/1.1", environ.get(Environ.SERVER_PROTOCOL));
        assertFalse(((String) environ.get(Environ.SERVER_SOFTWARE)).isEmpty(), "SERVER_SOFTWARE");
        String serverName = (String) environ.get(Environ.SERVER_NAME);
        String remoteAddr = (String) environ.get(Environ.REMOTE_ADDR);
        String remotePort = (String) environ.get(Environ.REMOTE_PORT);
        assertTrue(ip(serverName), "SERVER_NAME " + serverName);
        assertTrue(ip(remoteAddr) && remotePort.matches("\\d+"), "REMOTE_ADDR " + remoteAddr + ", REMOTE_PORT "
                + remotePort);
        String host = (String) environ.get("HTTP_HOST");
        if (host != null && host.matches(IPV4.pattern() + ":\\d+")) {
            assertEquals(host, serverName + ":" + environ.get(Environ.SERVER_PORT),
                    "SERVER_NAME and SERVER_PORT are the connection's local address");
        }
    }

    /** SPEC 2: REQUEST_METHOD is the method token exactly as sent. */
    @Test
    public void requestMethodIsTheTokenAsSent() throws Exception {
        assertEquals("PURGE", see("PURGE", "/m", List.of(), null).environ.get(Environ.REQUEST_METHOD));
        assertEquals("DELETE", see("DELETE", "/m", List.of(), null).environ.get(Environ.REQUEST_METHOD));
    }

    /** SPEC 2: SCRIPT_NAME is the mount prefix, PATH_INFO the rest of the path. */
    @Test
    public void scriptNameIsTheMountAndPathInfoTheRest() throws Exception {
        Seen seen = see("GET", "/a/b", List.of(), null);
        assertEquals(seen.mount, seen.environ.get(Environ.SCRIPT_NAME));
        assertEquals("/a/b", seen.environ.get(Environ.PATH_INFO));
    }

    /** SPEC 2: PATH_INFO is percent-decoded, each %XY the char U+00XY (UTF-8 as its bytes); '+' stays '+'. */
    @Test
    public void pathInfoIsPercentDecodedToOneCharPerByte() throws Exception {
        assertEquals("/caf\u00c3\u00a9/x y+z", pathInfo("/caf%C3%A9/x%20y+z"));
    }

    /** SPEC 2: PATH_INFO keeps escaped bytes that are not UTF-8, each as its char U+00XY. */
    @Test
    public void pathInfoKeepsBytesThatAreNotUtf8() throws Exception {
        assertEquals("/\u00ff\u00feA", pathInfo("/%ff%FE%41"));
    }

    /** SPEC 2: in PATH_INFO {@code %2F} becomes '/'. */
    @Test
    public void pathInfoDecodesAnEscapedSlash() throws Exception {
        assertEquals("/a/b", pathInfo("/a%2Fb"));
    }

    /** SPEC 2: PATH_INFO keeps path parameters ({@code ;name=value}). */
    @Test
    public void pathInfoKeepsPathParameters() throws Exception {
        assertEquals("/a;v=1/b", pathInfo("/a;v=1/b"));
    }

    /** SPEC 2: PATH_INFO keeps {@code .} and {@code ..} segments as sent. */
    @Test
    public void pathInfoKeepsDotSegments() throws Exception {
        assertEquals("/a/./b/../c/..", pathInfo("/a/./b/../c/.."));
    }

    /** SPEC 2: PATH_INFO keeps {@code //} as sent. */
    @Test
    public void pathInfoKeepsDoubleSlashes() throws Exception {
        assertEquals("/a//b", pathInfo("/a//b"));
    }

    /** SPEC 2: QUERY_STRING is always present: the raw text after the first '?', "" when there is none. */
    @Test
    public void queryStringIsRawAndAlwaysPresent() throws Exception {
        assertEquals("a=1+2&b=%41%20&c=?d", see("GET", "/q?a=1+2&b=%41%20&c=?d", List.of(), null).environ
                .get(Environ.QUERY_STRING));
        assertEquals("", see("GET", "/q", List.of(), null).environ.get(Environ.QUERY_STRING));
    }

    /** SPEC 2: REQUEST_URI is the request target as received, not decoded, with the query when there is one. */
    @Test
    public void requestUriIsTheRawTarget() throws Exception {
        Seen seen = see("GET", "/r%20s;p=1?x=%41", List.of(), null);
        assertEquals(seen.mount + "/r%20s;p=1?x=%41", seen.environ.get(Environ.REQUEST_URI));
        seen = see("GET", "/plain", List.of(), null);
        assertEquals(seen.mount + "/plain", seen.environ.get(Environ.REQUEST_URI));
    }

    /** SPEC 2: a header is {@code HTTP_} and its name upper-cased, '-' as '_'; repeated fields joined with ", ". */
    @Test
    public void headersBecomeHttpKeysRepeatedOnesJoinedInOrder() throws Exception {
        Map<String, Object> environ = see("GET", "/h", List.of(Map.entry("X-Foo-Bar", "v a l"),
                Map.entry("X-Multi", "one"), Map.entry("x-multi", "two"), Map.entry("X-Multi", "three")), null).environ;
        assertEquals("v a l", environ.get("HTTP_X_FOO_BAR"));
        assertEquals("one, two, three", environ.get("HTTP_X_MULTI"));
    }

    /** SPEC 2: a header whose name contains '_' is left out (CVE-2015-0219). */
    @Test
    public void headersWithAnUnderscoreAreLeftOut() throws Exception {
        Map<String, Object> environ = see("GET", "/h", List.of(Map.entry("X_Foo", "posing"),
                Map.entry("X-Foo", "genuine")), null).environ;
        assertEquals("genuine", environ.get("HTTP_X_FOO"));
        assertFalse(environ.containsValue("posing"), () -> "environ has the header X_Foo: " + environ);
    }

    /** SPEC 2: CONTENT_TYPE and CONTENT_LENGTH as sent, never also as HTTP_CONTENT_TYPE, HTTP_CONTENT_LENGTH. */
    @Test
    public void contentTypeAndLengthAreNotDuplicated() throws Exception {
        Map<String, Object> environ = see("POST", "/c", List.of(Map.entry("Content-Type", "text/plain; charset=x")),
                bytes("the body")).environ;
        assertEquals("text/plain; charset=x", environ.get(Environ.CONTENT_TYPE));
        assertEquals("8", environ.get(Environ.CONTENT_LENGTH));
        assertFalse(environ.containsKey("HTTP_CONTENT_TYPE"), "HTTP_CONTENT_TYPE");
        assertFalse(environ.containsKey("HTTP_CONTENT_LENGTH"), "HTTP_CONTENT_LENGTH");
    }

    /**
     * SPEC 2: CONTENT_TYPE is absent when the request has none; wsgi.input is empty without a body. (The JDK's
     * client sends {@code Content-Length: 0} with a GET, so CONTENT_LENGTH may be "0".)
     */
    @Test
    public void requestWithoutABodyHasNoContentTypeAndAnEmptyInput() throws Exception {
        Seen seen = see("GET", "/c", List.of(), null);
        assertFalse(seen.environ.containsKey(Environ.CONTENT_TYPE), "CONTENT_TYPE");
        Object length = seen.environ.get(Environ.CONTENT_LENGTH);
        assertTrue(length == null || length.equals("0"), () -> "CONTENT_LENGTH " + length);
        assertEquals(0, seen.input.length);
    }

    /** SPEC 2: wsgi.input holds the request body, every byte, and then ends. */
    @Test
    public void inputHoldsTheBody() throws Exception {
        byte[] body = new byte[70_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 + i / 256);
        }
        assertArrayEquals(body, see("POST", "/in", List.of(), body).input);
    }

    /**
     * SPEC 2: a chunked request has no CONTENT_LENGTH and wsgi.input is the de-chunked body; hop-by-hop fields
     * like Transfer-Encoding are HTTP_* keys too.
     */
    @Test
    public void chunkedRequestIsDechunkedWithoutContentLength() throws Exception {
        Seen seen = see("POST", "/in", List.of(Map.entry("Transfer-Encoding", "chunked")), bytes("sent in chunks"));
        assertArrayEquals(bytes("sent in chunks"), seen.input);
        assertFalse(seen.environ.containsKey(Environ.CONTENT_LENGTH), "CONTENT_LENGTH");
        assertEquals("chunked", seen.environ.get("HTTP_TRANSFER_ENCODING"));
    }

    /** SPEC 2: the server reads nothing back from environ: an application that changes it changes no response. */
    @Test
    public void environChangedByTheApplicationIsNotReadBack() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            environ.put(Environ.REQUEST_METHOD, "HEAD");
            environ.put(Environ.PATH_INFO, "/elsewhere");
            environ.remove(Environ.WSGI_INPUT);
            startResponse.call("200 OK", TEXT);
            return List.of(bytes("a body all the same"));
        })) {
            assertEquals("a body all the same", get(served, "/").text());
        }
    }

    // ---- SPEC 4: start_response -------------------------------------------------------------------------------

    /** SPEC 4: each refusal of the table, with its message, thrown into the application; let through, a 500. */
    @Test
    public void startResponseRefusalsAreA500BeforeTheCommit() throws Exception {
        List<Refusal> refusals = List.of(
                new Refusal("200", TEXT, "start_response status must be a 3-digit code from 200 to 599, a space and"
                        + " a reason, like \"200 OK\", got \"200\""),
                new Refusal("100 Continue", TEXT, "start_response status must be a 3-digit code from 200 to 599, a"
                        + " space and a reason, like \"200 OK\", got \"100 Continue\""),
                new Refusal("200 OK\r\nX: y", TEXT, "start_response status must be a 3-digit code from 200 to 599,"
                        + " a space and a reason, like \"200 OK\", got \"200 OK\\r\\nX: y\""),
                new Refusal("200 OK", null, "start_response headers must be a list of name/value pairs, got null"),
                new Refusal("200 OK", Arrays.asList(Map.entry("X-A", "1"), null),
                        "start_response header 1 must be a name/value pair with a name, got null"),
                new Refusal("200 OK", List.of(new AbstractMap.SimpleEntry<>(null, "v")),
                        "start_response header 0 must be a name/value pair with a name, got null=v"),
                new Refusal("200 OK", List.of(Map.entry("", "v")), "start_response header 0 has an empty name"),
                new Refusal("200 OK", List.of(Map.entry("X Y", "v")), "start_response header name must be an HTTP"
                        + " token (letters, digits and !#$%&'*+-.^_`|~), got \"X Y\""),
                new Refusal("200 OK", List.of(new AbstractMap.SimpleEntry<>("X-A", null)),
                        "start_response header X-A has a null value"),
                new Refusal("200 OK", List.of(Map.entry("X-A", "a\r\nSet-Cookie: b")), "start_response header X-A"
                        + " value must be Latin-1 text without control characters (CR, LF, NUL...), got"
                        + " \"a\\r\\nSet-Cookie: b\""),
                new Refusal("200 OK", List.of(Map.entry("X-A", "\u20ac")), "start_response header X-A value must be"
                        + " Latin-1 text without control characters (CR, LF, NUL...), got \"\u20ac\""),
                new Refusal("200 OK", List.of(Map.entry("Content-Length", "-1")),
                        "start_response header Content-Length must be a non-negative integer, got \"-1\""),
                new Refusal("200 OK", List.of(Map.entry("Content-Length", "1234567890123456789")),
                        "start_response header Content-Length must be a non-negative integer, got"
                        + " \"1234567890123456789\""),
                new Refusal("200 OK", List.of(Map.entry("Content-Length", "1"), Map.entry("content-length", "1")),
                        "start_response header Content-Length must be given once, got it twice"),
                new Refusal("200 OK", List.of(Map.entry("Transfer-Encoding", "chunked")), "start_response header"
                        + " Transfer-Encoding is hop-by-hop and the server's to set (PEP 3333); give Content-Length or"
                        + " nothing"));
        AtomicReference<Exception> thrown = new AtomicReference<>();
        try (Served served = serve((environ, startResponse) -> {
            Refusal refusal = refusals.get(Integer.parseInt(((String) environ.get(Environ.PATH_INFO)).substring(1)));
            try {
                startResponse.call(refusal.status, refusal.headers);
            } catch (Exception e) {
                thrown.set(e);
                throw e;
            }
            return List.of(bytes("not refused"));
        })) {
            for (int i = 0; i < refusals.size(); i++) {
                thrown.set(null);
                TestResponse response = get(served, "/" + i);
                String message = refusals.get(i).message;
                assertEmpty500(response, message);
                assertInstanceOf(IllegalArgumentException.class, thrown.get(), message);
                assertEquals(message, thrown.get().getMessage());
            }
        }
    }

    /** SPEC 4: a second call without excInfo is refused, and the first call's status and headers stand. */
    @Test
    public void secondCallWithoutExcInfoIsRefusedAndChangesNothing() throws Exception {
        AtomicReference<Exception> thrown = new AtomicReference<>();
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("201 Created", List.of(Map.entry("X-First", "1")));
            try {
                startResponse.call("202 Accepted", List.of(Map.entry("X-Second", "2")));
            } catch (Exception e) {
                thrown.set(e);
            }
            return List.of(bytes("first"));
        })) {
            TestResponse response = get(served, "/");
            assertEquals(201, response.status());
            assertEquals("1", response.header("X-First"));
            assertNull(response.header("X-Second"));
            assertEquals("first", response.text());
        }
        assertInstanceOf(IllegalStateException.class, thrown.get());
        assertEquals("start_response was already called; a second call must pass excInfo", thrown.get().getMessage());
    }

    /** SPEC 4: a refused call with excInfo leaves the previous status and headers in force. */
    @Test
    public void refusedCallWithExcInfoChangesNothing() throws Exception {
        AtomicReference<Exception> thrown = new AtomicReference<>();
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("201 Created", List.of(Map.entry("X-First", "1")));
            try {
                startResponse.call("500 Internal Server Error", List.of(Map.entry("X-Bad", "\n")),
                        new IllegalStateException("being handled"));
            } catch (Exception e) {
                thrown.set(e);
            }
            return List.of(bytes("first"));
        })) {
            TestResponse response = get(served, "/");
            assertEquals(201, response.status());
            assertEquals("1", response.header("X-First"));
            assertNull(response.header("X-Bad"));
            assertEquals("first", response.text());
        }
        assertInstanceOf(IllegalArgumentException.class, thrown.get());
    }

    /**
     * SPEC 4: excInfo before the commit replaces the status and all the headers (Content-Length too);
     * start_response returns the same write callable for every call.
     */
    @Test
    public void excInfoBeforeTheCommitReplacesStatusAndHeaders() throws Exception {
        AtomicBoolean sameWrite = new AtomicBoolean();
        try (Served served = serve((environ, startResponse) -> {
            Write first = startResponse.call("200 OK", List.of(Map.entry("X-First", "1"),
                    Map.entry("Content-Length", "1000")));
            try {
                throw new IllegalStateException("the backend is gone");
            } catch (IllegalStateException e) {
                Write second = startResponse.call("503 Service Unavailable", List.of(Map.entry("X-Second", "2")), e);
                sameWrite.set(first == second);
                return List.of(bytes("try later"));
            }
        })) {
            TestResponse response = get(served, "/");
            assertEquals(503, response.status());
            assertEquals("2", response.header("X-Second"));
            assertNull(response.header("X-First"));
            assertEquals("9", response.header("Content-Length"));
            assertEquals("try later", response.text());
        }
        assertTrue(sameWrite.get(), "start_response returned another write callable");
    }

    /**
     * SPEC 4: excInfo after the commit changes nothing and is thrown itself (a checked exception unwrapped, an
     * Error as is), or wrapped in an IllegalStateException when it is neither; SPEC 5: an empty write commits.
     */
    @Test
    public void excInfoAfterTheCommitIsThrownAndChangesNothing() throws Exception {
        IOException checked = new IOException("checked");
        StackOverflowError error = new StackOverflowError("an error");
        Throwable neither = new Throwable("neither");
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        try (Served served = serve((environ, startResponse) -> {
            Write write = startResponse.call("200 OK", List.of(Map.entry("X-First", "1"),
                    Map.entry("Content-Length", "4")));
            write.write(new byte[0]);
            for (Throwable excInfo : List.of(checked, error, neither)) {
                try {
                    startResponse.call("500 Internal Server Error", List.of(Map.entry("X-Second", "2")), excInfo);
                    thrown.add(null);
                } catch (Throwable t) {
                    thrown.add(t);
                }
            }
            write.write(bytes("ab"));
            return List.of(bytes("cd"));
        })) {
            TestResponse response = get(served, "/");
            assertEquals(200, response.status());
            assertEquals("1", response.header("X-First"));
            assertNull(response.header("X-Second"));
            assertEquals("abcd", response.text());
        }
        assertEquals(3, thrown.size());
        assertSame(checked, thrown.get(0));
        assertSame(error, thrown.get(1));
        assertInstanceOf(IllegalStateException.class, thrown.get(2));
        assertSame(neither, thrown.get(2).getCause());
    }

    /** SPEC 4: the status code and the headers go out as given, fields of one name in their order. */
    @Test
    public void statusCodeAndHeadersGoOutAsGiven() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("299 Quite Fine", List.of(Map.entry("Set-Cookie", "a=1"), Map.entry("X-A", "1"),
                    Map.entry("Set-Cookie", "b=2"), Map.entry("set-cookie", "c=3")));
            return List.of(bytes("ok"));
        })) {
            TestResponse response = get(served, "/");
            assertEquals(299, response.status());
            assertEquals(List.of("a=1", "b=2", "c=3"), response.headers("Set-Cookie"));
            assertEquals("1", response.header("X-A"));
            assertEquals("ok", response.text());
        }
    }

    // ---- SPEC 5: the write callable ---------------------------------------------------------------------------

    /** SPEC 5: written bytes go out before the body, and count toward a computed Content-Length. */
    @Test
    public void writtenBytesGoOutBeforeTheBody() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT).write(bytes("ab"));
            return List.of(bytes("cd"));
        })) {
            TestResponse response = get(served, "/");
            assertEquals("abcd", response.text());
            assertLengthIfAny("4", response);
        }
    }

    /** SPEC 5: a write from inside the body's iterator goes out before the chunk next() returns. */
    @Test
    public void writeFromTheIteratorGoesOutBeforeItsChunk() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            Write write = startResponse.call("200 OK", TEXT);
            write.write(bytes("a"));
            return new Lazy(() -> {
                write.write(bytes("b"));
                return bytes("c");
            }, () -> bytes("d"), () -> {
                write.write(bytes("e"));
                return new byte[0];
            });
        })) {
            assertEquals("abcde", get(served, "/").text());
        }
    }

    /**
     * SPEC 5: {@code write(null)} throws IllegalArgumentException; after the response has ended (in close()),
     * write throws IOException.
     */
    @Test
    public void writeRefusesNullAndWritesAfterTheEnd() throws Exception {
        AtomicReference<Exception> nullWrite = new AtomicReference<>();
        AtomicReference<Exception> lateWrite = new AtomicReference<>();
        Lazy body = new Lazy(() -> bytes("done"));
        try (Served served = serve((environ, startResponse) -> {
            Write write = startResponse.call("200 OK", TEXT);
            try {
                write.write(null);
            } catch (Exception e) {
                nullWrite.set(e);
            }
            body.onClose = () -> {
                try {
                    write.write(bytes("too late"));
                } catch (Exception e) {
                    lateWrite.set(e);
                }
            };
            return body;
        })) {
            assertEquals("done", get(served, "/").text());
            body.assertClosedOnce();
        }
        assertInstanceOf(IllegalArgumentException.class, nullWrite.get());
        assertEquals("write takes bytes, got null", nullWrite.get().getMessage());
        assertInstanceOf(IOException.class, lateWrite.get());
        assertEquals("the response has already ended", lateWrite.get().getMessage());
    }

    // ---- SPEC 6: the body -------------------------------------------------------------------------------------

    /** SPEC 6, Framing: a List body gets a computed Content-Length. */
    @Test
    public void listBodyGetsAComputedContentLength() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return List.of(bytes("hel"), new byte[0], bytes("lo"));
        })) {
            TestResponse response = get(served, "/");
            assertEquals("5", response.header("Content-Length"));
            assertEquals("hello", response.text());
        }
    }

    /** SPEC 6, Framing: any Collection body, not only a List, gets a computed Content-Length. */
    @Test
    public void anyCollectionBodyGetsAComputedContentLength() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return new ArrayDeque<>(List.of(bytes("hel"), bytes("lo")));
        })) {
            TestResponse response = get(served, "/");
            assertEquals("5", response.header("Content-Length"));
            assertEquals("hello", response.text());
        }
    }

    /** SPEC 6, Framing: a body that is neither a Collection nor a file, without Content-Length, has no length. */
    @Test
    public void lazyBodyHasNoComputedLength() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return new Lazy(() -> bytes("hel"), () -> bytes("lo"));
        })) {
            TestResponse response = get(served, "/");
            assertNull(response.header("Content-Length"));
            assertEquals("hello", response.text());
        }
    }

    /** SPEC 6, Framing: the application's Content-Length is used as is. */
    @Test
    public void givenContentLengthIsUsed() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5")));
            return new Lazy(() -> bytes("hel"), () -> bytes("lo"));
        })) {
            TestResponse response = get(served, "/");
            assertEquals("5", response.header("Content-Length"));
            assertEquals("hello", response.text());
        }
    }

    /** SPEC 6, Iteration: a lazy body may call start_response from inside its iterator, before its first chunk. */
    @Test
    public void lazyBodyMayCallStartResponseFromItsIterator() throws Exception {
        try (Served served = serve((environ, startResponse) -> new Lazy(() -> new byte[0], () -> {
            startResponse.call("201 Created", List.of(Map.entry("X-Lazy", "yes")));
            return bytes("lazy");
        }, () -> bytes(" body")))) {
            TestResponse response = get(served, "/");
            assertEquals(201, response.status());
            assertEquals("yes", response.header("X-Lazy"));
            assertEquals("lazy body", response.text());
        }
    }

    /** SPEC 6, Iteration: empty chunks are skipped (none of them ends the body early). */
    @Test
    public void emptyChunksAreSkipped() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return new Lazy(() -> new byte[0], () -> bytes("a"), () -> new byte[0], () -> new byte[0],
                    () -> bytes("b"), () -> new byte[0]);
        })) {
            assertEquals("ab", get(served, "/").text());
            assertEquals("ab", get(served, "/").text());
        }
    }

    /** SPEC 6, Iteration and SPEC 8: a body exhausted without start_response is an error: a 500. */
    @Test
    public void bodyWithoutStartResponseIsA500() throws Exception {
        Lazy lazy = new Lazy(() -> new byte[0]);
        try (Served served = serve((environ, startResponse) ->
                environ.get(Environ.PATH_INFO).equals("/lazy") ? lazy : List.of())) {
            assertEmpty500(get(served, "/list"), "an empty list");
            assertEmpty500(get(served, "/lazy"), "a lazy body");
            lazy.assertClosedOnce();
        }
    }

    /** SPEC 8: a null body, and a null first chunk, are errors before the commit: a 500. */
    @Test
    public void nullBodyOrChunkIsA500() throws Exception {
        Lazy lazy = new Lazy(() -> null);
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return environ.get(Environ.PATH_INFO).equals("/body") ? null : lazy;
        })) {
            assertEmpty500(get(served, "/body"), "a null body");
            assertEmpty500(get(served, "/chunk"), "a null chunk");
            lazy.assertClosedOnce();
        }
    }

    /**
     * SPEC 6, Framing: a Collection holding null is an application error, found as the headers are committed:
     * an empty 500, or a response cut off (the contract does not say on which side of the commit it falls).
     */
    @Test
    public void collectionHoldingNullIsAnError() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return environ.get(Environ.PATH_INFO).equals("/null") ? Arrays.asList(bytes("a"), null)
                    : List.of(bytes("fine!"));
        })) {
            try {
                assertEmpty500(get(served, "/null"), "a collection holding null");
            } catch (IOException e) {
                // cut off
            }
            assertEquals("fine!", get(served, "/").text());
        }
    }

    /**
     * SPEC 5 and 6, Framing: written bytes beyond the Content-Length never go out, even when the application
     * catches what its write threw and writes on: the response is cut off.
     */
    @Test
    public void writesBeyondTheContentLengthAreCutOff() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            if (environ.get(Environ.PATH_INFO).equals("/over")) {
                Write write = startResponse.call("200 OK", List.of(Map.entry("Content-Length", "3")));
                write.write(bytes("ab"));
                try {
                    write.write(bytes("cd"));
                } catch (IllegalStateException refused) {
                    // A server that sends at once refuses it here; one that holds it refuses it when sending.
                }
                write.write(bytes("EFGH"));
                return List.of();
            }
            startResponse.call("200 OK", TEXT);
            return List.of(bytes("fine!"));
        })) {
            assertThrows(IOException.class, () -> get(served, "/over"));
            assertEquals("fine!", get(served, "/").text());
        }
    }

    /** SPEC 6, HEAD, 204, 304: a collection is still walked for its length, so a null in it is a 500 there too. */
    @Test
    public void noContentStillWalksItsCollection() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("204 No Content", List.of());
            return environ.get(Environ.PATH_INFO).equals("/null") ? Arrays.asList(bytes("a"), null) : List.of();
        })) {
            assertEmpty500(get(served, "/null"), "a 204 whose collection holds null");
            assertEquals(204, get(served, "/").status());
        }
    }

    /**
     * SPEC 6, Iteration and close(): a list of the application's own is iterated (its iterator may do more than
     * index), and that iterator is closed once.
     */
    @Test
    public void listOfTheApplicationsIsIteratedAndItsIteratorClosed() throws Exception {
        AtomicInteger iterators = new AtomicInteger();
        Lazy closing = new Lazy(() -> bytes("unused"));
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return new ArrayList<>(List.of(bytes("from "), bytes("a list"))) {
                @Override
                public Iterator<byte[]> iterator() {
                    Iterator<byte[]> elements = super.iterator();
                    boolean first = iterators.getAndIncrement() == 0;
                    return new ClosingIterator(elements, first ? closing::close : () -> { });
                }
            };
        })) {
            assertEquals("from a list", get(served, "/").text());
            assertTrue(iterators.get() >= 1, "iterator() was called");
            closing.assertClosedOnce();
        }
    }

    /** An application's iterator over a list that is closeable. */
    private static final class ClosingIterator implements Iterator<byte[]>, AutoCloseable {
        private final Iterator<byte[]> elements;
        private final Runnable onClose;

        ClosingIterator(Iterator<byte[]> elements, Runnable onClose) {
            this.elements = elements;
            this.onClose = onClose;
        }

        @Override
        public boolean hasNext() {
            return elements.hasNext();
        }

        @Override
        public byte[] next() {
            return elements.next();
        }

        @Override
        public void close() {
            onClose.run();
        }
    }

    /**
     * SPEC 6, Framing: a body longer than its Content-Length is cut off, whether its first chunk or a later one
     * goes beyond it.
     */
    @Test
    public void bodyLongerThanItsContentLengthIsCutOff() throws Exception {
        List<Lazy> bodies = new CopyOnWriteArrayList<>();
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "3")));
            return made(bodies, environ.get(Environ.PATH_INFO).equals("/first") ? new Lazy(() -> bytes("hello"))
                    : new Lazy(() -> bytes("ab"), () -> bytes("cdef")));
        })) {
            assertThrows(IOException.class, () -> get(served, "/first"));
            assertThrows(IOException.class, () -> get(served, "/later"));
            assertEachClosedOnce(bodies);
        }
    }

    /** SPEC 6, Framing: a body shorter than its Content-Length is cut off. */
    @Test
    public void bodyShorterThanItsContentLengthIsCutOff() throws Exception {
        List<Lazy> bodies = new CopyOnWriteArrayList<>();
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "10")));
            return made(bodies, new Lazy(() -> bytes("hello")));
        })) {
            assertThrows(IOException.class, () -> get(served, "/"));
            assertEachClosedOnce(bodies);
        }
    }

    /**
     * SPEC 6, HEAD: HEAD gets the Content-Length a GET would get (given, computed for a list and for a file,
     * none for a lazy body) and no body byte, nor do written bytes go out.
     */
    @Test
    public void headGetsTheLengthOfAGetAndNoBody() throws Exception {
        Path file = Files.createTempFile("conformance", ".txt");
        try {
            Files.writeString(file, "a page from a file", ISO_8859_1);
            try (Served served = serve((environ, startResponse) -> {
                switch ((String) environ.get(Environ.PATH_INFO)) {
                    case "/list":
                        startResponse.call("200 OK", TEXT);
                        return List.of(bytes("hel"), bytes("lo"));
                    case "/given":
                        startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5")));
                        return new Lazy(() -> bytes("hello"));
                    case "/file":
                        startResponse.call("200 OK", TEXT);
                        return ((FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER)).wrap(file, 4);
                    case "/lazy":
                        startResponse.call("200 OK", TEXT);
                        return new Lazy(() -> bytes("hello"));
                    default:
                        startResponse.call("200 OK", TEXT).write(bytes("written"));
                        return List.of(bytes(" and returned"));
                }
            })) {
                for (String path : List.of("/list", "/given", "/file", "/lazy", "/written")) {
                    TestResponse get = get(served, path);
                    TestResponse head = served.request("HEAD", path, List.of(), null);
                    assertEquals(200, head.status(), path);
                    assertEquals(get.header("Content-Length"), head.header("Content-Length"), path);
                    assertEquals(0, head.body().length, path);
                }
                // Nothing the HEAD responses should not have sent is read as this response.
                assertEquals("hello", get(served, "/given").text());
            }
        } finally {
            Files.delete(file);
        }
    }

    /**
     * SPEC 6, HEAD: when start_response came before the application returned, hasNext() is never called; the
     * body is closed once.
     */
    @Test
    public void headDoesNotPullTheBody() throws Exception {
        Lazy body = new Lazy(() -> bytes("never pulled"));
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return body;
        })) {
            TestResponse head = served.request("HEAD", "/", List.of(), null);
            assertEquals(200, head.status());
            assertEquals(0, head.body().length);
            body.assertClosedOnce();
        }
        assertEquals(0, body.hasNexts.get(), "hasNext() calls");
    }

    /** SPEC 6, HEAD: a lazy body is pulled only until it has called start_response. */
    @Test
    public void headPullsALazyBodyOnlyUntilStartResponse() throws Exception {
        AtomicBoolean pulledTooFar = new AtomicBoolean();
        AtomicReference<Lazy> body = new AtomicReference<>();
        try (Served served = serve((environ, startResponse) -> {
            body.set(new Lazy(() -> new byte[0], () -> {
                startResponse.call("201 Created", TEXT);
                return bytes("discarded");
            }, () -> {
                pulledTooFar.set(true);
                return bytes("never pulled");
            }));
            return body.get();
        })) {
            TestResponse head = served.request("HEAD", "/", List.of(), null);
            assertEquals(201, head.status());
            assertEquals(0, head.body().length);
            body.get().assertClosedOnce();
            assertEquals(201, served.request("HEAD", "/", List.of(), null).status());
        }
        assertFalse(pulledTooFar.get(), "the body was pulled after start_response");
    }

    /**
     * SPEC 6, HEAD, 204, 304: a 204 or 304 response has no body, no Content-Length (not even the application's)
     * and no Transfer-Encoding; written bytes are discarded.
     */
    @Test
    public void noContentAndNotModifiedHaveNoBodyNorLength() throws Exception {
        noContentAndNotModified("GET");
    }

    /** SPEC 6, HEAD, 204, 304: to HEAD too, a 204 or 304 response has no Content-Length nor Transfer-Encoding. */
    @Test
    public void headOfNoContentOrNotModifiedHasNoLength() throws Exception {
        noContentAndNotModified("HEAD");
    }

    private void noContentAndNotModified(String method) throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            String status = environ.get(Environ.PATH_INFO).equals("/204") ? "204 No Content" : "304 Not Modified";
            startResponse.call(status, List.of(Map.entry("Content-Length", "5"), Map.entry("X-A", "1")))
                    .write(bytes("hel"));
            return environ.get(Environ.QUERY_STRING).equals("lazy") ? new Lazy(() -> bytes("lo"))
                    : List.of(bytes("lo"));
        })) {
            for (String target : List.of("/204", "/304", "/204?lazy", "/304?lazy")) {
                TestResponse response = served.request(method, target, List.of(), null);
                String what = method + " " + target;
                assertEquals(Integer.parseInt(target.substring(1, 4)), response.status(), what);
                assertEquals("1", response.header("X-A"), what);
                assertNull(response.header("Content-Length"), what);
                assertNull(response.header("Transfer-Encoding"), what);
                assertEquals(0, response.body().length, what);
            }
        }
    }

    /** SPEC 6, Pending bodies: a body whose chunk comes from another thread goes out when it comes; closed once. */
    @Test
    public void pendingBodyGoesOutWhenItsChunkIsReady() throws Exception {
        Pending body = new Pending();
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            try {
                if (body.asked.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    body.chunk.complete(bytes("worth the wait"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return body;
        })) {
            assertEquals("worth the wait", get(served, "/").text());
            assertTrue(body.closed.await(WAIT_SECONDS, TimeUnit.SECONDS), "close() was called");
            assertEquals(1, body.closes.get(), "close() calls");
        } finally {
            producer.cancel(true);
        }
    }

    /** SPEC 6, close(): the body's close() runs exactly once after a complete response. */
    @Test
    public void closeIsCalledOnceAfterTheResponse() throws Exception {
        Lazy body = new Lazy(() -> bytes("a"), () -> bytes("b"));
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return body;
        })) {
            assertEquals("ab", get(served, "/").text());
            body.assertClosedOnce();
        }
        assertEquals(1, body.closes.get(), "close() calls once the server stopped");
    }

    /** SPEC 6, close(): when the body is not AutoCloseable but its iterator is, the iterator's close() runs once. */
    @Test
    public void iteratorIsClosedWhenTheBodyIsNotCloseable() throws Exception {
        Lazy lazy = new Lazy(() -> bytes("from the iterator"));
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            Iterable<byte[]> body = lazy::iterator;
            return body;
        })) {
            assertEquals("from the iterator", get(served, "/").text());
            lazy.assertClosedOnce();
        }
    }

    /** SPEC 6, close(): an exception from close() changes nothing: the response is whole, the server serves on. */
    @Test
    public void closeThatThrowsChangesNothing() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            Lazy body = new Lazy(() -> bytes("whole"));
            body.onClose = () -> {
                throw new IllegalStateException("close() fails");
            };
            return body;
        })) {
            assertEquals("whole", get(served, "/").text());
            assertEquals("whole", get(served, "/").text());
        }
    }

    // ---- SPEC 7: file bodies ----------------------------------------------------------------------------------

    /** SPEC 7: a file body gets a computed Content-Length, and its source is closed once. */
    @Test
    public void fileBodyGetsAComputedContentLength() throws Exception {
        Path file = Files.createTempFile("conformance", ".txt");
        try {
            Files.writeString(file, "a page from a file", ISO_8859_1);
            CountingFileInputStream source = new CountingFileInputStream(file);
            try (Served served = serve((environ, startResponse) -> {
                startResponse.call("200 OK", TEXT);
                return ((FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER)).wrap(source, 4);
            })) {
                TestResponse response = get(served, "/");
                assertEquals("18", response.header("Content-Length"));
                assertEquals("a page from a file", response.text());
                assertTrue(source.closed.await(WAIT_SECONDS, TimeUnit.SECONDS), "the file was closed");
            }
        } finally {
            Files.delete(file);
        }
    }

    /**
     * SPEC 7: a file body goes out from its channel's position; a given Content-Length is honoured; written bytes
     * go out first and count toward a computed Content-Length.
     */
    @Test
    public void fileBodyStartsAtItsPosition() throws Exception {
        Path file = Files.createTempFile("conformance", ".txt");
        try {
            Files.writeString(file, "skip this: the rest", ISO_8859_1);
            try (Served served = serve((environ, startResponse) -> {
                FileWrapper wrapper = (FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER);
                FileChannel channel = FileChannel.open(file);
                channel.position(11);
                switch ((String) environ.get(Environ.PATH_INFO)) {
                    case "/given":
                        startResponse.call("200 OK", List.of(Map.entry("Content-Length", "8")));
                        break;
                    case "/written":
                        startResponse.call("200 OK", TEXT).write(bytes("> "));
                        break;
                    default:
                        startResponse.call("200 OK", TEXT);
                }
                return wrapper.wrap(channel, 3);
            })) {
                TestResponse response = get(served, "/");
                assertEquals("8", response.header("Content-Length"));
                assertEquals("the rest", response.text());
                response = get(served, "/given");
                assertEquals("8", response.header("Content-Length"));
                assertEquals("the rest", response.text());
                response = get(served, "/written");
                assertEquals("> the rest", response.text());
                assertLengthIfAny("10", response);
            }
        } finally {
            Files.delete(file);
        }
    }

    /**
     * SPEC 7: a given Content-Length shorter than a file body is honoured: the response carries that many bytes,
     * the written ones first; a file that holds fewer is cut off.
     */
    @Test
    public void fileBodyIsCutAtAGivenContentLength() throws Exception {
        Path file = Files.createTempFile("conformance", ".txt");
        try {
            Files.writeString(file, "0123456789", ISO_8859_1);
            try (Served served = serve((environ, startResponse) -> {
                FileWrapper wrapper = (FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER);
                switch ((String) environ.get(Environ.PATH_INFO)) {
                    case "/written":
                        startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5"))).write(bytes("> "));
                        break;
                    case "/longer":
                        startResponse.call("200 OK", List.of(Map.entry("Content-Length", "20")));
                        break;
                    default:
                        startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5")));
                }
                return wrapper.wrap(FileChannel.open(file), 4);
            })) {
                TestResponse response = get(served, "/");
                assertEquals("5", response.header("Content-Length"));
                assertEquals("01234", response.text());
                assertEquals("> 012", get(served, "/written").text());
                assertThrows(IOException.class, () -> get(served, "/longer"));
                assertEquals("01234", get(served, "/").text());
            }
        } finally {
            Files.delete(file);
        }
    }

    /** SPEC 7: a file channel positioned past its end has nothing left: only the written bytes go out. */
    @Test
    public void fileBodyPositionedPastItsEndIsEmpty() throws Exception {
        Path file = Files.createTempFile("conformance", ".txt");
        try {
            Files.writeString(file, "0123456789", ISO_8859_1);
            try (Served served = serve((environ, startResponse) -> {
                startResponse.call("200 OK", TEXT).write(bytes("x".repeat(100)));
                FileChannel channel = FileChannel.open(file);
                channel.position(100);
                return ((FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER)).wrap(channel, 4);
            })) {
                TestResponse response = get(served, "/");
                assertEquals("x".repeat(100), response.text());
                assertLengthIfAny("100", response);
            }
        } finally {
            Files.delete(file);
        }
    }

    /** SPEC 7: a stream that is not a file is iterated, framed as a lazy body, and closed once. */
    @Test
    public void streamBodyIsSentWholeAndClosed() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger closes = new AtomicInteger();
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            InputStream source = new ByteArrayInputStream(bytes("ten bytes!")) {
                @Override
                public void close() {
                    closes.incrementAndGet();
                    closed.countDown();
                }
            };
            return ((FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER)).wrap(source, 3);
        })) {
            TestResponse response = get(served, "/");
            assertEquals("ten bytes!", response.text());
            assertNull(response.header("Content-Length"));
            assertTrue(closed.await(WAIT_SECONDS, TimeUnit.SECONDS), "the stream was closed");
            assertEquals(1, closes.get(), "close() calls");
        }
    }

    // ---- SPEC 8: errors ---------------------------------------------------------------------------------------

    /**
     * SPEC 8: an exception (checked or not, from call or from the iterator) or an Error before the commit gives
     * an empty 500 with Content-Length 0, whatever the application set; the body is closed once; the server
     * serves on.
     */
    @Test
    public void errorBeforeTheCommitIsAnEmpty500() throws Exception {
        AtomicReference<Lazy> body = new AtomicReference<>();
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("X-A", "1"), Map.entry("Content-Length", "5")));
            switch ((String) environ.get(Environ.PATH_INFO)) {
                case "/unchecked":
                    throw new IllegalStateException("a test's failure");
                case "/checked":
                    throw new IOException("a test's failure");
                case "/error":
                    throw new StackOverflowError("a test's failure");
                case "/iterator":
                    body.set(new Lazy(() -> {
                        throw new IllegalStateException("a test's failure");
                    }));
                    return body.get();
                default:
                    return List.of(bytes("fine!"));
            }
        })) {
            for (String path : List.of("/unchecked", "/checked", "/error", "/iterator")) {
                assertEmpty500(get(served, path), path);
            }
            body.get().assertClosedOnce();
            assertEquals("fine!", get(served, "/").text());
        }
    }

    /**
     * SPEC 8 and SPEC 4: an exception after the first write (which commits the headers) never leaves the client
     * with what looks like a whole response: it is cut off, or, from a server that held the written bytes and had
     * sent nothing yet, an empty 500; the server serves on.
     */
    @Test
    public void errorAfterAWriteIsNeverTakenForAWholeResponse() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            if (environ.get(Environ.PATH_INFO).equals("/fail")) {
                startResponse.call("200 OK", List.of(Map.entry("Content-Length", "10"))).write(bytes("hello"));
                throw new IllegalStateException("a test's failure");
            }
            startResponse.call("200 OK", TEXT);
            return List.of(bytes("fine!"));
        })) {
            TestResponse failed;
            try {
                failed = get(served, "/fail");
            } catch (IOException cutOff) {
                failed = null;
            }
            if (failed != null) {
                assertEmpty500(failed, "/fail");
            }
            assertEquals("fine!", get(served, "/").text());
        }
    }

    /**
     * SPEC 8: an exception from the iterator after the first chunk cuts the response off (a Content-Length
     * response ends short); the body is closed once; the server serves on.
     */
    @Test
    public void errorAfterTheFirstChunkCutsTheResponseOff() throws Exception {
        List<Lazy> bodies = new CopyOnWriteArrayList<>();
        try (Served served = serve((environ, startResponse) -> {
            if (environ.get(Environ.PATH_INFO).equals("/fail")) {
                startResponse.call("200 OK", List.of(Map.entry("Content-Length", "10")));
                return made(bodies, new Lazy(() -> bytes("hello"), () -> {
                    throw new IllegalStateException("a test's failure");
                }));
            }
            startResponse.call("200 OK", TEXT);
            return List.of(bytes("fine!"));
        })) {
            assertThrows(IOException.class, () -> get(served, "/fail"));
            assertEachClosedOnce(bodies);
            assertEquals("fine!", get(served, "/").text());
        }
    }

    /**
     * SPEC 8: a body without a length that fails after the commit sends nothing more: the client sees a cut-off
     * response, or (framed by closing the connection) only what went before.
     */
    @Test
    public void errorAfterTheCommitSendsNothingMore() throws Exception {
        try (Served served = serve((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return new Lazy(() -> bytes("hello"), () -> {
                throw new IllegalStateException("a test's failure");
            });
        })) {
            try {
                TestResponse response = get(served, "/");
                assertEquals("hello", response.text(), "what the client got of a response cut off");
            } catch (IOException e) {
                // cut off, as a chunked response without its last chunk
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static byte[] bytes(String text) {
        return text.getBytes(ISO_8859_1);
    }

    private static TestResponse get(Served served, String target) throws IOException {
        return served.request("GET", target, List.of(), null);
    }

    private static boolean ip(String address) {
        return IPV4.matcher(address).matches() || IPV6.matcher(address).matches();
    }

    private static void assertEmpty500(TestResponse response, String what) {
        assertEquals(500, response.status(), what);
        assertEquals("0", response.header("Content-Length"), what);
        assertEquals(0, response.body().length, what);
        assertNull(response.header("X-A"), what);
    }

    /** A computed Content-Length, where the server can compute one (SPEC 6, Framing: decided at the commit). */
    private static void assertLengthIfAny(String length, TestResponse response) {
        String given = response.header("Content-Length");
        assertTrue(given == null || given.equals(length), () -> "Content-Length " + given + ", not " + length);
    }

    /** Keeps a body the application made, for a test to check once the request is over. */
    private static Lazy made(List<Lazy> bodies, Lazy body) {
        bodies.add(body);
        return body;
    }

    /**
     * Every body made was closed once. A cut-off GET may be sent again by the client (the JDK's retries one
     * that got no response at all), and each call's body is closed.
     */
    private static void assertEachClosedOnce(List<Lazy> bodies) throws InterruptedException {
        assertFalse(bodies.isEmpty(), "the application was called");
        for (Lazy body : bodies) {
            body.assertClosedOnce();
        }
    }

    private String pathInfo(String target) throws Exception {
        return (String) see("GET", target, List.of(), null).environ.get(Environ.PATH_INFO);
    }

    /** What the application saw of one request: a copy of environ, the bytes of wsgi.input, and the mount. */
    private record Seen(Map<String, Object> environ, byte[] input, String mount) {
    }

    /** Sends one request to an application that keeps what it saw and answers 200. */
    private Seen see(String method, String target, List<Map.Entry<String, String>> headers, byte[] body)
            throws Exception {
        AtomicReference<Seen> seen = new AtomicReference<>();
        try (Served served = serve((environ, startResponse) -> {
            Map<String, Object> copy = new HashMap<>(environ);
            byte[] input = ((InputStream) environ.get(Environ.WSGI_INPUT)).readAllBytes();
            seen.set(new Seen(copy, input, null));
            startResponse.call("200 OK", TEXT);
            return List.of(bytes("seen"));
        })) {
            TestResponse response = served.request(method, target, headers, body);
            assertEquals(200, response.status(), () -> method + " " + target + " was answered " + response);
            assertNotNull(seen.get(), "the application was called");
            return new Seen(seen.get().environ, seen.get().input, served.scriptName());
        }
    }

    private record Refusal(String status, List<Map.Entry<String, String>> headers, String message) {
    }

    /** One pull of a lazy body: may call start_response or write, and returns the chunk. */
    @FunctionalInterface
    private interface Step {
        byte[] pull() throws Exception;
    }

    /**
     * A lazy body (not a Collection) whose iterator runs one step per next(). The body and its iterator are both
     * closeable and count their close() together: a server closes one of them, once (the body, or the iterator
     * of {@code lazy::iterator}).
     */
    private static final class Lazy implements Iterable<byte[]>, AutoCloseable {
        private final Step[] steps;
        final AtomicInteger hasNexts = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);
        /** Runs in close(), once counted. */
        volatile Runnable onClose = () -> { };

        Lazy(Step... steps) {
            this.steps = steps;
        }

        @Override
        public Iterator<byte[]> iterator() {
            return new Chunks();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            closed.countDown();
            onClose.run();
        }

        void assertClosedOnce() throws InterruptedException {
            assertTrue(closed.await(WAIT_SECONDS, TimeUnit.SECONDS), "close() was called");
            assertEquals(1, closes.get(), "close() calls");
        }

        private final class Chunks implements Iterator<byte[]>, AutoCloseable {
            private int next;

            @Override
            public boolean hasNext() {
                hasNexts.incrementAndGet();
                return next < steps.length;
            }

            @Override
            public byte[] next() {
                if (next >= steps.length) {
                    throw new NoSuchElementException();
                }
                try {
                    return steps[next++].pull();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void close() {
                Lazy.this.close();
            }
        }
    }

    /**
     * A pending body of one chunk that another thread hands over: ready() answers false until it is there, and
     * hasNext() blocks until then for a server that does not ask. {@link #asked} counts down on either.
     */
    private static final class Pending implements Iterable<byte[]>, Iterator<byte[]>, PendingBody, AutoCloseable {
        final CompletableFuture<byte[]> chunk = new CompletableFuture<>();
        final CountDownLatch asked = new CountDownLatch(1);
        final AtomicInteger closes = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);
        private volatile boolean taken;

        @Override
        public boolean ready(Runnable onReady) {
            if (taken || chunk.isDone()) {
                return true;
            }
            chunk.thenRun(onReady);
            asked.countDown();
            return false;
        }

        @Override
        public Iterator<byte[]> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            if (!taken && !chunk.isDone()) {
                asked.countDown();
                chunk.join();
            }
            return !taken;
        }

        @Override
        public byte[] next() {
            if (taken) {
                throw new NoSuchElementException();
            }
            taken = true;
            return chunk.join();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            closed.countDown();
        }
    }

    /** A file whose close() a test can wait for. */
    private static final class CountingFileInputStream extends FileInputStream {
        final CountDownLatch closed = new CountDownLatch(1);

        CountingFileInputStream(Path file) throws IOException {
            super(file.toFile());
        }

        @Override
        public void close() throws IOException {
            closed.countDown();
            super.close();
        }
    }
}
