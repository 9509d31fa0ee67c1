package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import io.undertow.Handlers;
import io.undertow.Undertow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WsgiHandler} inside a plain Undertow that the host configured itself, with Undertow's defaults:
 * URLs decoded as UTF-8 before our handler sees them.
 */
@Timeout(20)
class MountedHandlerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final AtomicReference<Map<String, Object>> SEEN = new AtomicReference<>();
    private static final ByteArrayOutputStream ERRORS = new ByteArrayOutputStream();
    private static Undertow undertow;
    private static int port;

    @BeforeAll
    static void start() {
        WsgiApplication app = (environ, startResponse) -> {
            SEEN.set(new HashMap<>(environ));
            if ("/fail".equals(environ.get("PATH_INFO"))) {
                throw new IllegalStateException("mounted app failed");
            }
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
            return List.of(("mounted " + environ.get("PATH_INFO")).getBytes(StandardCharsets.ISO_8859_1));
        };
        WsgiHandler handler = new WsgiHandler(app, WsgiHandler.DEFAULT_MAX_BODY_SIZE,
                new PrintStream(ERRORS, true, StandardCharsets.UTF_8), false, false);
        undertow = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setHandler(Handlers.path().addPrefixPath("/app", handler))
                .build();
        undertow.start();
        port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    @AfterAll
    static void stop() {
        if (undertow != null) {
            undertow.stop();
        }
    }

    /** Sends {@code target} over a raw socket (so that it goes out exactly as written) and returns environ. */
    private static Map<String, Object> environFor(String target) throws Exception {
        SEEN.set(null);
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Response response = client.send("GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n").read();
            assertEquals(200, response.status(), () -> "status for " + target + ": " + response.text());
            Map<String, Object> environ = SEEN.get();
            environ.put("test.client_port", Integer.toString(client.socket.getLocalPort()));
            return environ;
        }
    }

    @Test
    void scriptNameIsTheMountPrefixAndPathInfoTheRest() throws Exception {
        Map<String, Object> environ = environFor("/app/x/y");
        assertEquals("/app", environ.get("SCRIPT_NAME"));
        assertEquals("/x/y", environ.get("PATH_INFO"));
    }

    @Test
    void pathInfoCarriesUtf8BytesAsLatin1CharsThoughTheHostDecodesUtf8() throws Exception {
        assertEquals("/caf\u00c3\u00a9", environFor("/app/caf%C3%A9").get("PATH_INFO"));
    }

    @Test
    void pathInfoKeepsBytesThatAreNotUtf8ThoughTheHostDecodesUtf8() throws Exception {
        assertEquals("/\u00ff\u00fe", environFor("/app/%FF%FE").get("PATH_INFO"));
    }

    @Test
    void pathInfoDecodesAnEncodedSlashAsTheStandaloneServerDoes() throws Exception {
        assertEquals("/a/b", environFor("/app/a%2Fb").get("PATH_INFO"));
    }

    @Test
    void encodedSlashAndEncodedPercentGiveDistinctPathInfo() throws Exception {
        Object slash = environFor("/app/a%2Fb").get("PATH_INFO");
        Object percent = environFor("/app/a%252Fb").get("PATH_INFO");
        assertEquals("/a%2Fb", percent);
        assertNotEquals(slash, percent, "two different request paths must not look the same to the app");
    }

    @Test
    void pathInfoKeepsPlusAndDecodesPercent() throws Exception {
        assertEquals("/a+b%c", environFor("/app/a+b%25c").get("PATH_INFO"));
    }

    @Test
    void requestUriIsTheRawTargetWhenMounted() throws Exception {
        Map<String, Object> environ = environFor("/app/caf%C3%A9?q=%20x");
        assertEquals("/app/caf%C3%A9?q=%20x", environ.get("REQUEST_URI"));
        assertEquals("q=%20x", environ.get("QUERY_STRING"));
    }

    @Test
    void addressesComeFromTheHostsConnection() throws Exception {
        Map<String, Object> environ = environFor("/app/");
        assertEquals("127.0.0.1", environ.get("SERVER_NAME"));
        assertEquals(Integer.toString(port), environ.get("SERVER_PORT"));
        assertEquals("127.0.0.1", environ.get("REMOTE_ADDR"));
        assertEquals(environ.get("test.client_port"), environ.get("REMOTE_PORT"));
        assertEquals(Boolean.FALSE, environ.get("wsgi.multithread"));
    }

    @Test
    void servesOrdinaryClientsThroughTheMount() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("mounted /hello", response.body());
    }

    @Test
    void appErrorGives500AndIsLoggedToTheHandlersErrors() throws Exception {
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Response response = client.send("GET /app/fail HTTP/1.1\r\nHost: test\r\n\r\n").read();
            assertEquals(500, response.status());
            assertEquals("0", response.header("Content-Length"));
            assertTrue(client.closedByServer());
        }
        String log;
        synchronized (ERRORS) {
            log = ERRORS.toString(StandardCharsets.UTF_8);
        }
        assertTrue(log.contains("GET /app/fail"), log);
        assertTrue(log.contains("java.lang.IllegalStateException: mounted app failed"), log);
    }
}
