package dev.bjoern.test;

import static dev.bjoern.test.Bodies.bytes;
import static dev.bjoern.test.Bodies.lazy;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.Write;
import dev.bjoern.WsgiApplication;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A catalogue of applications and requests, each answered by TestClient (answering 500, as a server does) and by a
 * real BjoernServer over HTTP: the same status code, headers and body. Not compared: the headers the engine adds
 * where the contract leaves it the choice ({@code Date}, {@code Connection}) and the framing it chooses for a body
 * without a length ({@code Transfer-Encoding}), which TestClient does not simulate; and the reason phrase, which
 * the JDK's client does not report.
 */
class ClientMatchesServerTest {
    private static final Set<String> SERVERS_OWN = Set.of("date", "connection", "transfer-encoding");
    private static final List<Map.Entry<String, String>> TEXT = List.of(Map.entry("Content-Type", "text/plain"));

    /** The application of the case under way: the server's is a stand-in that calls it. */
    private static volatile WsgiApplication current;

    @RegisterExtension
    static BjoernExtension server = BjoernExtension.of((environ, startResponse) -> current.call(environ, startResponse),
            builder -> builder.errors(new PrintStream(OutputStream.nullOutputStream(), true)));

    @TempDir
    static Path dir;
    private static Path file;

    @BeforeAll
    static void writeTheFile() throws IOException {
        file = Files.writeString(dir.resolve("page.txt"), "a page from a file");
    }

    /** One row: a request and the application that answers it. */
    private record Case(String name, String method, String target, List<Map.Entry<String, String>> headers,
            byte[] body, WsgiApplication app) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case get(String name, String target, WsgiApplication app) {
        return new Case(name, "GET", target, List.of(), null, app);
    }

    /** Answers with the environ keys the contract fixes for this request (not the addresses, not Host). */
    private static final WsgiApplication ECHO = (environ, startResponse) -> {
        StringBuilder echo = new StringBuilder();
        for (String key : List.of(Environ.REQUEST_METHOD, Environ.SCRIPT_NAME, Environ.PATH_INFO, Environ.QUERY_STRING,
                Environ.REQUEST_URI, Environ.SERVER_PROTOCOL, Environ.CONTENT_TYPE, "HTTP_X_MULTI", "HTTP_X_UNDER",
                "HTTP_TRANSFER_ENCODING", Environ.WSGI_URL_SCHEME, Environ.WSGI_VERSION)) {
            echo.append(key).append('=').append(environ.get(key)).append('\n');
        }
        if (!environ.get(Environ.REQUEST_METHOD).equals("GET")) {
            echo.append(Environ.CONTENT_LENGTH).append('=').append(environ.get(Environ.CONTENT_LENGTH)).append('\n');
        }
        echo.append("input=");
        byte[] input = ((InputStream) environ.get(Environ.WSGI_INPUT)).readAllBytes();
        startResponse.call("200 OK", TEXT);
        return List.of(bytes(echo.toString()), input);
    };

    static Stream<Case> catalogue() {
        return Stream.of(
                get("a list body and its length", "/", (environ, startResponse) -> {
                    startResponse.call("200 OK", TEXT);
                    return List.of(bytes("hel"), new byte[0], bytes("lo"));
                }),
                get("a lazy body", "/", (environ, startResponse) -> {
                    startResponse.call("200 OK", TEXT);
                    return lazy(() -> bytes("hel"), () -> new byte[0], () -> bytes("lo"));
                }),
                get("start_response from the iterator", "/", (environ, startResponse) -> lazy(() -> new byte[0], () -> {
                    startResponse.call("201 Created", List.of(Map.entry("X-Lazy", "yes")));
                    return bytes("lazy");
                }, () -> bytes(" body"))),
                get("writes before and inside the body", "/", (environ, startResponse) -> {
                    Write write = startResponse.call("200 OK", TEXT);
                    write.write(bytes("wr"));
                    return List.of(bytes("it"), bytes("ten"));
                }),
                get("exc_info before the commit", "/", (environ, startResponse) -> {
                    startResponse.call("200 OK", List.of(Map.entry("X-First", "1"), Map.entry("Content-Length", "99")));
                    startResponse.call("503 Service Unavailable", List.of(Map.entry("Retry-After", "5")),
                            new IllegalStateException("the backend is gone"));
                    return List.of(bytes("try later"));
                }),
                new Case("HEAD of a list body", "HEAD", "/", List.of(), null, (environ, startResponse) -> {
                    startResponse.call("200 OK", TEXT);
                    return List.of(bytes("hello"));
                }),
                new Case("HEAD of a body with its Content-Length", "HEAD", "/", List.of(), null,
                        (environ, startResponse) -> {
                            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "5")));
                            return lazy(() -> bytes("hello"));
                        }),
                get("204 with a body and a length", "/", (environ, startResponse) -> {
                    startResponse.call("204 No Content", List.of(Map.entry("Content-Length", "5"), Map.entry("X-A", "1")));
                    return List.of(bytes("hello"));
                }),
                get("304 with a lazy body", "/", (environ, startResponse) -> {
                    startResponse.call("304 Not Modified", List.of(Map.entry("ETag", "\"v1\"")));
                    return lazy(() -> bytes("hello"));
                }),
                get("a file body", "/", (environ, startResponse) -> {
                    startResponse.call("200 OK", TEXT).write(bytes("> "));
                    return ((FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER)).wrap(file, 4);
                }),
                get("headers of one name in order, and an unusual status", "/", (environ, startResponse) -> {
                    startResponse.call("299 Quite Fine", List.of(Map.entry("Set-Cookie", "a=1"), Map.entry("X-A", "1"),
                            Map.entry("set-cookie", "b=2")));
                    return List.of(bytes("ok"));
                }),
                new Case("environ of a GET", "GET", "/caf%C3%A9/a%2Fb;p=1/./x?q=%41+1&r", List.of(
                        Map.entry("X-Multi", "one"), Map.entry("X-Multi", "two"), Map.entry("X_Under", "posing")), null,
                        ECHO),
                new Case("environ and input of a POST", "POST", "/form", List.of(Map.entry("Content-Type",
                        "application/x-www-form-urlencoded")), bytes("a=1&b=%20"), ECHO),
                new Case("environ and input of a chunked POST", "POST", "/upload", List.of(Map.entry(
                        "Transfer-Encoding", "chunked")), bytes("sent in chunks"), ECHO),
                get("a refused status", "/", (environ, startResponse) -> {
                    startResponse.call("200", TEXT);
                    return List.of(bytes("never sent"));
                }),
                get("an exception before the commit", "/", (environ, startResponse) -> {
                    startResponse.call("200 OK", List.of(Map.entry("X-A", "1")));
                    throw new IOException("a test's failure");
                }),
                get("a null first chunk", "/", (environ, startResponse) -> {
                    startResponse.call("200 OK", TEXT);
                    return lazy(() -> null);
                }),
                get("a collection holding null", "/", (environ, startResponse) -> {
                    startResponse.call("200 OK", TEXT);
                    return Arrays.asList(bytes("a"), null);
                }),
                get("no start_response", "/", (environ, startResponse) -> List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void sameResponseInProcessAndOverHttp(Case row) throws Exception {
        current = row.app;
        TestResponse inProcess = TestClient.of(row.app).answering500().request(row.method, row.target, row.headers,
                row.body);
        TestResponse overHttp = ConformanceKit.overHttp(server.uri(), () -> { })
                .request(row.method, row.target, row.headers, row.body);
        assertEquals(overHttp.status(), inProcess.status(), "status");
        assertEquals(comparable(overHttp), comparable(inProcess), "headers");
        assertArrayEquals(overHttp.body(), inProcess.body(),
                () -> "body: " + overHttp.text() + " | " + inProcess.text());
    }

    /** The JDK's client refuses to send a malformed escape: this request goes over a socket of its own. */
    @Test
    void malformedEscapeIsA400InProcessAndOverHttp() throws Exception {
        current = ECHO;
        TestResponse inProcess = TestClient.of(ECHO).answering500().get("/a%zz");
        String answer;
        try (Socket socket = new Socket(server.uri().getHost(), server.uri().getPort())) {
            socket.getOutputStream().write(bytes("GET /a%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            answer = new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
        }
        String head = answer.substring(0, answer.indexOf("\r\n\r\n") + 2);
        assertEquals(400, inProcess.status());
        assertTrue(head.startsWith("HTTP/1.1 400 "), head);
        assertEquals("0", inProcess.header("Content-Length"));
        assertTrue(head.toLowerCase(Locale.ROOT).contains("\r\ncontent-length: 0\r\n"), head);
        assertEquals(0, inProcess.body().length);
        assertTrue(answer.endsWith("\r\n\r\n"), "no body: " + answer);
    }

    /** The headers by lower-case name, each name's values in order, without the server's own. */
    private static Map<String, List<String>> comparable(TestResponse response) {
        Map<String, List<String>> headers = new TreeMap<>();
        for (Map.Entry<String, String> header : response.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!SERVERS_OWN.contains(name)) {
                headers.computeIfAbsent(name, n -> new ArrayList<>()).add(header.getValue());
            }
        }
        return headers;
    }
}
