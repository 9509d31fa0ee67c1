package dev.bjoern.test;

import static dev.bjoern.test.Bodies.bytes;
import static dev.bjoern.test.Bodies.lazy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.StartResponse;
import dev.bjoern.Write;
import dev.bjoern.WsgiApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Correct applications behind the Validator on a real BjoernServer, over HTTP: the responses are what they would
 * be without it, and the server's error stream stays empty. The engine closes a body in the same turn of its one
 * IO thread as the response's last write, so a request answered after it (GET /log) sees any alarm of that close.
 */
class CorrectAppsOverHttpTest {
    private static final List<Map.Entry<String, String>> PLAIN = List.of(Map.entry("Content-Type", "text/plain"));
    private static final Log LOG = new Log();
    private static final Log POOLED_LOG = new Log();
    private static final WsgiApplication APP = Validator.wrap(CorrectAppsOverHttpTest::route);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @RegisterExtension
    static BjoernExtension server = BjoernExtension.of(APP, builder -> builder.errors(LOG.stream));

    /** The same application called on two application threads, its lazy bodies pulled there too. */
    @RegisterExtension
    static BjoernExtension pooled = BjoernExtension.of(APP, builder -> builder.threads(2).errors(POOLED_LOG.stream));

    @TempDir
    static Path dir;
    private static Path file;
    private static volatile Later later;

    @BeforeAll
    static void writeTheFile() throws IOException {
        file = Files.writeString(dir.resolve("page.txt"), "a page from a file");
    }

    private static Iterable<byte[]> route(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        switch ((String) environ.get(Environ.PATH_INFO)) {
            case "/list":
                startResponse.call("200 OK", PLAIN);
                return List.of(bytes("hel"), bytes("lo"));
            case "/lazy":
                return lazy(() -> new byte[0], () -> {
                    startResponse.call("200 OK", PLAIN);
                    return bytes("lazy");
                }, () -> bytes(" body"));
            case "/write": {
                Write write = startResponse.call("200 OK", List.of(Map.entry("Content-Length", "6")));
                write.write(bytes("wr"));
                return lazy(() -> {
                    write.write(bytes("it"));
                    return bytes("te");
                });
            }
            case "/excinfo":
                startResponse.call("200 OK", List.of(Map.entry("Content-Length", "1000")));
                try {
                    throw new IllegalStateException("the backend is gone");
                } catch (IllegalStateException e) {
                    startResponse.call("503 Service Unavailable", PLAIN, e);
                    return List.of(bytes("try later"));
                }
            case "/nocontent":
                startResponse.call("204 No Content", List.of());
                return List.of();
            case "/file":
                startResponse.call("200 OK", PLAIN);
                return ((FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER)).wrap(file, 4);
            case "/pending":
                startResponse.call("200 OK", PLAIN);
                return later;
            case "/broken":
                startResponse.call("200", PLAIN);
                return List.of();
            case "/log":
                // Answered after every earlier response was written and closed: see the class comment.
                startResponse.call("200 OK", PLAIN);
                return List.of(bytes(LOG.text()));
            case "/pooled-log":
                startResponse.call("200 OK", PLAIN);
                return List.of(bytes(POOLED_LOG.text()));
            default:
                startResponse.call("404 Not Found", PLAIN);
                return List.of();
        }
    }

    private static HttpResponse<String> get(BjoernExtension on, String path) throws Exception {
        return send(on, HttpRequest.newBuilder(on.uri().resolve(path)));
    }

    private static HttpResponse<String> send(BjoernExtension on, HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @AfterEach
    void noAlarm() throws Exception {
        String log = get(server, "/log").body();
        String pooledLog = get(pooled, "/pooled-log").body();
        // Each test reports its own alarms, not those of the test before.
        LOG.clear();
        POOLED_LOG.clear();
        assertEquals("", log);
        assertEquals("", pooledLog);
    }

    @Test
    void listBodyGetsItsComputedContentLength() throws Exception {
        HttpResponse<String> response = get(server, "/list");
        assertEquals(200, response.statusCode());
        assertEquals("hello", response.body());
        assertEquals(Optional.of("5"), response.headers().firstValue("Content-Length"));
    }

    @Test
    void lazyBodyCallingStartResponseInsideItsIterator() throws Exception {
        for (BjoernExtension on : List.of(server, pooled)) {
            HttpResponse<String> response = get(on, "/lazy");
            assertEquals(200, response.statusCode());
            assertEquals("lazy body", response.body());
            assertEquals(Optional.empty(), response.headers().firstValue("Content-Length"));
        }
    }

    @Test
    void writeCallableBeforeAndInsideTheBody() throws Exception {
        for (BjoernExtension on : List.of(server, pooled)) {
            HttpResponse<String> response = get(on, "/write");
            assertEquals("writte", response.body());
            assertEquals(Optional.of("6"), response.headers().firstValue("Content-Length"));
        }
    }

    @Test
    void excInfoBeforeTheCommitReplacesStatusAndHeaders() throws Exception {
        HttpResponse<String> response = get(server, "/excinfo");
        assertEquals(503, response.statusCode());
        assertEquals("try later", response.body());
    }

    @Test
    void headGetsTheLengthOfTheGetAndNoBody() throws Exception {
        HttpResponse<String> response = send(server, HttpRequest.newBuilder(server.uri().resolve("/list"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, response.statusCode());
        assertEquals("", response.body());
        assertEquals(Optional.of("5"), response.headers().firstValue("Content-Length"));
    }

    @Test
    void noContent() throws Exception {
        HttpResponse<String> response = get(server, "/nocontent");
        assertEquals(204, response.statusCode());
        assertEquals("", response.body());
    }

    @Test
    void fileBodyStillGoesOutWithItsLength() throws Exception {
        HttpResponse<String> response = get(server, "/file");
        assertEquals("a page from a file", response.body());
        assertEquals(Optional.of("18"), response.headers().firstValue("Content-Length"));
    }

    @Test
    void pendingBodyHandedOverAfterTheServerWasToldToWait() throws Exception {
        for (BjoernExtension on : List.of(server, pooled)) {
            Later body = new Later();
            later = body;
            CompletableFuture<HttpResponse<String>> response = CLIENT.sendAsync(HttpRequest.newBuilder(
                    on.uri().resolve("/pending")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(body.notReady.await(20, TimeUnit.SECONDS), "ready() answered false");
            body.chunk.complete(bytes("worth the wait"));
            assertEquals("worth the wait", response.get(20, TimeUnit.SECONDS).body());
            assertTrue(body.closed.await(20, TimeUnit.SECONDS));
            assertEquals(1, body.closes.get());
        }
    }

    @Test
    void brokenApplicationIsAServerErrorWithTheRuleInTheLog() throws Exception {
        HttpResponse<String> response = get(server, "/broken");
        assertEquals(500, response.statusCode());
        String log = LOG.text();
        LOG.clear();
        assertTrue(log.contains("bjoern: error in application for GET /broken"), log);
        assertTrue(log.contains("java.lang.AssertionError: SPEC 4: start_response status must be a 3-digit code"
                + " from 200 to 599, a space and a reason, like \"200 OK\", got \"200\""), log);
    }

    @Test
    void uriNamesTheServer() {
        URI uri = server.uri();
        assertEquals("http://127.0.0.1:" + server.server().port() + "/", uri.toString());
    }
}
