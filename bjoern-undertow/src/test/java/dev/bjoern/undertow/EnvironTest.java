package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.FileWrapper;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class EnvironTest {
    /** What one request looked like to the application, and to the client that sent it. */
    private record Seen(Map<String, Object> environ, byte[] input, int serverPort, int clientPort,
            RawHttp.Response response) {
        Object get(String key) {
            return environ.get(key);
        }
    }

    /** Serves one raw request with an application that keeps a copy of environ and reads wsgi.input. */
    private static Seen serve(String request) throws Exception {
        AtomicReference<Map<String, Object>> environ = new AtomicReference<>();
        AtomicReference<byte[]> input = new AtomicReference<>();
        try (TestServer server = TestServer.start((env, startResponse) -> {
            environ.set(new HashMap<>(env));
            input.set(((InputStream) env.get("wsgi.input")).readAllBytes());
            startResponse.call("200 OK", List.of());
            return List.of();
        }); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(request).read();
            assertEquals(200, response.status(), "the application answered");
            return new Seen(environ.get(), input.get(), server.port(), client.socket.getLocalPort(), response);
        }
    }

    private static Seen get(String target, String... headerLines) throws Exception {
        StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: test\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        return serve(request.append("\r\n").toString());
    }

    @Test
    void middlewareMayReplaceAnAddressBeforeAnyIsRead() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        try (TestServer server = TestServer.start((env, startResponse) -> {
            Object old = env.put("REMOTE_ADDR", "203.0.113.9");
            seen.set(old + " " + env.get("REMOTE_ADDR") + " " + env.get("REMOTE_PORT") + " " + env.get("SERVER_NAME"));
            startResponse.call("200 OK", List.of());
            return List.of();
        }); RawHttp client = server.connect()) {
            assertEquals(200, client.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n").read().status());
            assertEquals("127.0.0.1 203.0.113.9 " + client.socket.getLocalPort() + " 127.0.0.1", seen.get());
        }
    }

    @Test
    void providesEveryRequiredKeyWithItsJavaType() throws Exception {
        Seen seen = get("/some/path?a=1&b=two");

        assertEquals("GET", seen.get("REQUEST_METHOD"));
        assertEquals("", seen.get("SCRIPT_NAME"));
        assertEquals("/some/path", seen.get("PATH_INFO"));
        assertEquals("a=1&b=two", seen.get("QUERY_STRING"));
        assertEquals("127.0.0.1", seen.get("SERVER_NAME"));
        assertEquals(Integer.toString(seen.serverPort()), seen.get("SERVER_PORT"));
        assertEquals("HTTP/1.1", seen.get("SERVER_PROTOCOL"));
        assertInstanceOf(String.class, seen.get("SERVER_SOFTWARE"));
        assertTrue(((String) seen.get("SERVER_SOFTWARE")).startsWith("bjoern-java/"),
                () -> "SERVER_SOFTWARE was " + seen.get("SERVER_SOFTWARE"));
        assertEquals("127.0.0.1", seen.get("REMOTE_ADDR"));
        assertEquals(Integer.toString(seen.clientPort()), seen.get("REMOTE_PORT"));
        assertEquals("/some/path?a=1&b=two", seen.get("REQUEST_URI"));

        assertEquals(List.of(1, 0), seen.get("wsgi.version"));
        assertEquals("http", seen.get("wsgi.url_scheme"));
        assertInstanceOf(InputStream.class, seen.get("wsgi.input"));
        assertInstanceOf(PrintStream.class, seen.get("wsgi.errors"));
        assertEquals(Boolean.FALSE, seen.get("wsgi.multithread"));
        assertEquals(Boolean.FALSE, seen.get("wsgi.multiprocess"));
        assertEquals(Boolean.FALSE, seen.get("wsgi.run_once"));
        assertEquals(Boolean.TRUE, seen.get("wsgi.input_terminated"));
        assertInstanceOf(FileWrapper.class, seen.get("wsgi.file_wrapper"));
        assertEquals(0, seen.input().length, "a GET has an empty wsgi.input");
    }

    @Test
    void queryStringIsEmptyWhenTheTargetHasNone() throws Exception {
        Seen seen = get("/no-query");
        assertEquals("", seen.get("QUERY_STRING"));
        assertEquals("/no-query", seen.get("REQUEST_URI"));
    }

    @Test
    void pathInfoIsPercentDecodedWithEachByteAsOneLatin1Char() throws Exception {
        assertEquals("/caf\u00c3\u00a9", get("/caf%C3%A9").get("PATH_INFO"));
    }

    @Test
    void pathInfoKeepsBytesThatAreNotUtf8() throws Exception {
        assertEquals("/\u00ff\u00fe", get("/%FF%fe").get("PATH_INFO"));
    }

    @Test
    void pathInfoDecodesAnEncodedSlashAndKeepsItDistinctFromAnEncodedPercent() throws Exception {
        assertEquals("/a/b", get("/a%2Fb").get("PATH_INFO"));
        assertEquals("/a%2Fb", get("/a%252Fb").get("PATH_INFO"));
    }

    @Test
    void malformedPercentEscapeInThePathIsRefusedWith400() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return List.of();
        }); RawHttp client = server.connect()) {
            assertEquals(400, client.send("GET /a%zz HTTP/1.1\r\nHost: test\r\n\r\n").read().status());
        }
    }

    @Test
    void plusInThePathStaysPlus() throws Exception {
        assertEquals("/a+b c", get("/a+b%20c").get("PATH_INFO"));
    }

    @Test
    void queryStringStaysRaw() throws Exception {
        assertEquals("q=caf%C3%A9+x&y=%20", get("/search?q=caf%C3%A9+x&y=%20").get("QUERY_STRING"));
    }

    @Test
    void requestUriIsTheRawTargetIncludingTheQuery() throws Exception {
        assertEquals("/caf%C3%A9/a+b?q=%20x&y", get("/caf%C3%A9/a+b?q=%20x&y").get("REQUEST_URI"));
    }

    @Test
    void pathInfoKeepsPathParameters() throws Exception {
        Seen seen = get("/a;b=c/d%41+e");
        assertEquals("/a;b=c/dA+e", seen.get("PATH_INFO"));
        assertEquals("/a;b=c/d%41+e", seen.get("REQUEST_URI"));
    }

    @Test
    void requestUriIsTheAbsoluteFormTargetAsSent() throws Exception {
        Seen seen = get("http://test/abs/caf%C3%A9?q=1");
        assertEquals("http://test/abs/caf%C3%A9?q=1", seen.get("REQUEST_URI"));
        assertEquals("/abs/caf\u00c3\u00a9", seen.get("PATH_INFO"));
        assertEquals("q=1", seen.get("QUERY_STRING"));
    }

    @Test
    void serverProtocolIsTheRequestsVersion() throws Exception {
        assertEquals("HTTP/1.0", serve("GET /old HTTP/1.0\r\n\r\n").get("SERVER_PROTOCOL"));
    }

    @Test
    void requestHeaderBecomesAnHttpKey() throws Exception {
        Seen seen = get("/", "X-Foo-Bar: baz", "accept-language: de");
        assertEquals("baz", seen.get("HTTP_X_FOO_BAR"));
        assertEquals("de", seen.get("HTTP_ACCEPT_LANGUAGE"));
        assertEquals("test", seen.get("HTTP_HOST"));
    }

    @Test
    void repeatedHeadersAreJoinedWithCommaSpace() throws Exception {
        Seen seen = get("/", "X-Multi: one", "X-Other: x", "X-Multi: two", "x-multi: three");
        assertEquals("one, two, three", seen.get("HTTP_X_MULTI"));
    }

    @Test
    void headerNameWithUnderscoreIsDropped() throws Exception {
        // CVE-2015-0219: "X_Forwarded_For" must not be able to pose as "X-Forwarded-For".
        Seen seen = get("/", "X-Forwarded-For: 10.0.0.1", "X_Forwarded_For: 6.6.6.6", "X_Only: dropped");
        assertEquals("10.0.0.1", seen.get("HTTP_X_FORWARDED_FOR"));
        assertFalse(seen.environ().containsKey("HTTP_X_ONLY"), () -> "environ: " + seen.environ());
        assertFalse(seen.environ().containsValue("6.6.6.6"), () -> "environ: " + seen.environ());
    }

    @Test
    void contentTypeAndContentLengthHaveNoHttpPrefix() throws Exception {
        Seen seen = serve("POST /form HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 7\r\n\r\na=1&b=2");
        assertEquals("POST", seen.get("REQUEST_METHOD"));
        assertEquals("application/x-www-form-urlencoded", seen.get("CONTENT_TYPE"));
        assertEquals("7", seen.get("CONTENT_LENGTH"));
        assertFalse(seen.environ().containsKey("HTTP_CONTENT_TYPE"));
        assertFalse(seen.environ().containsKey("HTTP_CONTENT_LENGTH"));
        assertEquals("a=1&b=2", new String(seen.input(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void remotePortIsTheClientSocketsLocalPort() throws Exception {
        Seen seen = get("/");
        assertNotNull(seen.get("REMOTE_PORT"));
        assertEquals(Integer.toString(seen.clientPort()), seen.get("REMOTE_PORT"));
    }

    @Test
    void environIsMutable() throws Exception {
        AtomicReference<Object> added = new AtomicReference<>();
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            environ.put("middleware.user", "alice");
            environ.remove("HTTP_X_SECRET");
            environ.put("PATH_INFO", "/rewritten");
            added.set(environ.get("middleware.user") + " " + environ.containsKey("HTTP_X_SECRET") + " "
                    + environ.get("PATH_INFO"));
            startResponse.call("200 OK", List.of());
            return List.of();
        }); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: test\r\nX-Secret: s\r\n\r\n").read();
            assertEquals(200, response.status());
            assertEquals("alice false /rewritten", added.get());
        }
    }
}
