package dev.bjoern.test;

import static dev.bjoern.test.Bodies.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bjoern.Environ;
import dev.bjoern.WsgiApplication;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** BjoernExtension: a real server for the class (static field), its URI, its builder settings, its lifecycle. */
class BjoernExtensionTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final WsgiApplication ECHO_PATH = (environ, startResponse) -> {
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
        return List.of(bytes("path " + environ.get(Environ.PATH_INFO)));
    };

    @RegisterExtension
    static BjoernExtension server = BjoernExtension.of(Validator.wrap(ECHO_PATH));

    /** A body limit of 4 bytes, set through the builder. */
    @RegisterExtension
    static BjoernExtension small = BjoernExtension.of(ECHO_PATH, builder -> builder.maxBodySize(4));

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheApplicationAtItsUri() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(server.uri().resolve("/items?id=7")));
        assertEquals(200, response.statusCode());
        assertEquals("path /items", response.body());
    }

    @Test
    void uriIsLoopbackWithTheBoundPort() {
        URI uri = server.uri();
        assertEquals("http", uri.getScheme());
        assertEquals("127.0.0.1", uri.getHost());
        assertEquals(server.server().port(), uri.getPort());
        assertEquals("/", uri.getPath());
    }

    @Test
    void builderSettingsApply() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(small.uri().resolve("/upload"))
                .POST(HttpRequest.BodyPublishers.ofString("more than four bytes")));
        assertEquals(413, response.statusCode());
    }

    @Nested
    class InANestedClass {
        @Test
        void theOuterServerStillRuns() throws Exception {
            assertEquals("path /nested", send(HttpRequest.newBuilder(server.uri().resolve("/nested"))).body());
        }
    }

    @Test
    void startsBeforeAllAndStopsAfterAll() throws Exception {
        BjoernExtension extension = BjoernExtension.of(ECHO_PATH);
        assertThrows(IllegalStateException.class, extension::uri);
        extension.beforeAll(null);
        URI uri = extension.uri();
        assertEquals("path /", send(HttpRequest.newBuilder(uri)).body());
        // A nested class's beforeAll and afterAll leave the server running for the outer class.
        extension.beforeAll(null);
        extension.beforeEach(null);
        extension.afterEach(null);
        extension.afterAll(null);
        assertEquals(uri, extension.uri());
        extension.afterAll(null);
        assertThrows(IllegalStateException.class, extension::uri);
        assertRefused(uri);
    }

    @Test
    void inAnInstanceFieldStartsBeforeEachAndStopsAfterEach() throws Exception {
        BjoernExtension extension = BjoernExtension.of(ECHO_PATH);
        extension.beforeEach(null);
        URI uri = extension.uri();
        assertSame(extension.server(), extension.server());
        assertEquals("path /", send(HttpRequest.newBuilder(uri)).body());
        extension.afterEach(null);
        assertThrows(IllegalStateException.class, extension::server);
        assertRefused(uri);
    }

    /** Nothing listens there any more. */
    static void assertRefused(URI uri) {
        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            }
        });
    }

    @Test
    void uriBeforeTheStartNamesTheProblem() {
        IllegalStateException e = assertThrows(IllegalStateException.class, BjoernExtension.of(ECHO_PATH)::uri);
        assertEquals("no server is running: register BjoernExtension with @RegisterExtension and use it from a"
                + " test, or from a @BeforeEach or @BeforeAll that runs after it started", e.getMessage());
    }
}
