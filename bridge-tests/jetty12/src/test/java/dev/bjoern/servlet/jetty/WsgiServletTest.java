package dev.bjoern.servlet.jetty;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import dev.bjoern.servlet.WsgiServlet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A contract application inside embedded Jetty 12 through WsgiServlet, by PEP 3333's rules. */
class WsgiServletTest {
    private static final List<Map.Entry<String, String>> TEXT = List.of(Map.entry("Content-Type", "text/plain"));
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicReference<Map<String, Object>> seen = new AtomicReference<>();

    /** Remembers the environ of the last request and answers "ok". */
    private final WsgiApplication recorder = (environ, startResponse) -> {
        seen.set(new HashMap<>(environ));
        startResponse.call("200 OK", TEXT);
        return List.of("ok".getBytes(UTF_8));
    };

    private HttpResponse<String> get(Jetty jetty, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(jetty.url(path))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void scriptNameIsContextAndServletPathAndPathInfoTheRest() throws Exception {
        try (Jetty jetty = new Jetty(recorder)) {
            assertEquals(200, get(jetty, "/ctx/wsgi/a/b?x=1&y=%20").statusCode());
            Map<String, Object> environ = seen.get();
            assertEquals("GET", environ.get(Environ.REQUEST_METHOD));
            assertEquals("/ctx/wsgi", environ.get(Environ.SCRIPT_NAME));
            assertEquals("/a/b", environ.get(Environ.PATH_INFO));
            assertEquals("x=1&y=%20", environ.get(Environ.QUERY_STRING));
            assertEquals("/ctx/wsgi/a/b?x=1&y=%20", environ.get(Environ.REQUEST_URI));
            assertEquals("HTTP/1.1", environ.get(Environ.SERVER_PROTOCOL));
            assertEquals("127.0.0.1", environ.get(Environ.SERVER_NAME));
            assertEquals(Integer.toString(jetty.port()), environ.get(Environ.SERVER_PORT));
            assertEquals("127.0.0.1", environ.get(Environ.REMOTE_ADDR));
            assertEquals("http", environ.get(Environ.WSGI_URL_SCHEME));
            assertEquals(List.of(1, 0), environ.get(Environ.WSGI_VERSION));
            assertEquals(FileWrapper.DEFAULT, environ.get(Environ.WSGI_FILE_WRAPPER));
            assertEquals(Boolean.TRUE, environ.get(Environ.WSGI_MULTITHREAD));
            assertEquals("127.0.0.1:" + jetty.port(), environ.get("HTTP_HOST"));
            assertTrue(((String) environ.get(Environ.SERVER_SOFTWARE)).startsWith("jetty/"),
                    () -> "SERVER_SOFTWARE " + environ.get(Environ.SERVER_SOFTWARE));
            for (Map.Entry<String, Object> entry : environ.entrySet()) {
                assertTrue(entry.getValue() != null, entry.getKey() + " is null");
            }
        }
    }

    @Test
    void underTheRootMappingScriptNameIsTheContextPath() throws Exception {
        try (Jetty jetty = new Jetty(recorder)) {
            get(jetty, "/ctx/other/path");
            assertEquals("/ctx", seen.get().get(Environ.SCRIPT_NAME));
            assertEquals("/other/path", seen.get().get(Environ.PATH_INFO));
            assertEquals("", seen.get().get(Environ.QUERY_STRING));
            assertEquals("/ctx/other/path", seen.get().get(Environ.REQUEST_URI));
            get(jetty, "/ctx/wsgi");
            assertEquals("/ctx/wsgi", seen.get().get(Environ.SCRIPT_NAME));
            assertEquals("", seen.get().get(Environ.PATH_INFO));
        }
    }

    @Test
    void nonAsciiPathArrivesAsLatin1TextOfItsUtf8BytesAndTheUriRaw() throws Exception {
        try (Jetty jetty = new Jetty(recorder)) {
            assertEquals(200, get(jetty, "/ctx/wsgi/things/caf%C3%A9").statusCode());
            String pathInfo = (String) seen.get().get(Environ.PATH_INFO);
            assertEquals("/things/caf\u00c3\u00a9", pathInfo);
            assertEquals("/things/café", new String(pathInfo.getBytes(ISO_8859_1), UTF_8));
            assertEquals("/ctx/wsgi/things/caf%C3%A9", seen.get().get(Environ.REQUEST_URI));
        }
    }

    @Test
    void repeatedHeadersAreJoinedAndContentHeadersHaveNoPrefix() throws Exception {
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            seen.set(new HashMap<>(environ));
            byte[] body = ((InputStream) environ.get(Environ.WSGI_INPUT)).readAllBytes();
            startResponse.call("200 OK", TEXT);
            return List.of(body);
        })) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(jetty.url("/ctx/wsgi/echo")))
                    .header("X-Multi", "one").header("X-Multi", "two").header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("the body")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("the body", response.body());
            Map<String, Object> environ = seen.get();
            assertEquals("one, two", environ.get("HTTP_X_MULTI"));
            assertEquals("text/plain", environ.get(Environ.CONTENT_TYPE));
            assertEquals("8", environ.get(Environ.CONTENT_LENGTH));
            assertFalse(environ.containsKey("HTTP_CONTENT_TYPE"));
            assertFalse(environ.containsKey("HTTP_CONTENT_LENGTH"));
        }
    }

    @Test
    void lazyBodyMayCallStartResponseFromItsIterator() throws Exception {
        try (Jetty jetty = new Jetty((environ, startResponse) -> () -> new Iterator<>() {
            int left = 3;

            @Override
            public boolean hasNext() {
                return left > 0;
            }

            @Override
            public byte[] next() {
                if (left-- == 3) {
                    call(startResponse, "201 Created", List.of(Map.entry("X-Late", "yes")));
                }
                return ("chunk" + left).getBytes(UTF_8);
            }
        })) {
            HttpResponse<String> response = get(jetty, "/ctx/wsgi/lazy");
            assertEquals(201, response.statusCode());
            assertEquals("yes", response.headers().firstValue("X-Late").orElseThrow());
            assertEquals("chunk2chunk1chunk0", response.body());
        }
    }

    @Test
    void writeCallableBytesGoBeforeTheBodyAndCollectionsGetALength() throws Exception {
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT).write("written ".getBytes(UTF_8));
            return List.of("returned".getBytes(UTF_8));
        })) {
            assertEquals("written returned", get(jetty, "/ctx/wsgi/").body());
        }
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return List.of("abc".getBytes(UTF_8), "de".getBytes(UTF_8));
        })) {
            HttpResponse<String> response = get(jetty, "/ctx/wsgi/");
            assertEquals("abcde", response.body());
            assertEquals("5", response.headers().firstValue("Content-Length").orElseThrow());
        }
    }

    @Test
    void givenContentLengthIsSentAndABodyShortOfItIsCutOff() throws Exception {
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            boolean shortBody = environ.get(Environ.PATH_INFO).equals("/short");
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain"),
                    Map.entry("Content-Length", "10")));
            return () -> List.of("12345".getBytes(UTF_8), (shortBody ? "" : "67890").getBytes(UTF_8)).iterator();
        })) {
            HttpResponse<String> whole = get(jetty, "/ctx/wsgi/whole");
            assertEquals("1234567890", whole.body());
            assertEquals("10", whole.headers().firstValue("Content-Length").orElseThrow());
            try (Socket socket = new Socket("127.0.0.1", jetty.port())) {
                String response = exchange(socket, "GET /ctx/wsgi/short HTTP/1.1\r\nHost: x\r\n\r\n");
                assertTrue(response.startsWith("HTTP/1.1 200 "), response);
                assertTrue(response.contains("Content-Length: 10"), response);
                assertTrue(response.endsWith("\r\n\r\n12345"), "cut off after 5 of 10 bytes: " + response);
            }
            assertTrue(jetty.errors().contains("the body ended 5 bytes short of its Content-Length"), jetty.errors());
        }
    }

    @Test
    void eachChunkReachesTheClientBeforeTheNextIsMade() throws Exception {
        CountDownLatch clientRead = new CountDownLatch(1);
        AtomicReference<Boolean> waited = new AtomicReference<>();
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT).write("first\n".getBytes(UTF_8));
            return () -> new Iterator<>() {
                boolean done;

                @Override
                public boolean hasNext() {
                    return !done;
                }

                @Override
                public byte[] next() {
                    done = true;
                    // Blocks the container's thread, not a loop: the first chunk must already be out.
                    try {
                        waited.set(clientRead.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return "second\n".getBytes(UTF_8);
                }
            };
        })) {
            HttpResponse<InputStream> response = client.send(
                    HttpRequest.newBuilder(URI.create(jetty.url("/ctx/wsgi/stream"))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                assertEquals("first\n", new String(in.readNBytes(6), UTF_8));
                clientRead.countDown();
                assertEquals("second\n", new String(in.readAllBytes(), UTF_8));
            }
            assertEquals(Boolean.TRUE, waited.get());
        }
    }

    @Test
    void closeIsCalledExactlyOnceAfterSuccessAndAfterFailure() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        AtomicReference<CountDownLatch> closed = new AtomicReference<>();
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            boolean fail = environ.get(Environ.PATH_INFO).equals("/fail");
            return new ClosingBody(fail, () -> {
                closes.incrementAndGet();
                closed.get().countDown();
            });
        })) {
            for (String path : List.of("/ok", "/fail")) {
                closes.set(0);
                closed.set(new CountDownLatch(1));
                HttpResponse<String> response = get(jetty, "/ctx/wsgi" + path);
                assertEquals(path.equals("/ok") ? 200 : 500, response.statusCode(), path);
                assertTrue(closed.get().await(10, TimeUnit.SECONDS), path);
                assertEquals(1, closes.get(), path);
            }
            assertTrue(jetty.errors().contains("bjoern: error in application for GET /ctx/wsgi/fail"), jetty.errors());
        }
    }

    /** A body that is AutoCloseable and, when asked, fails on its first chunk. */
    private record ClosingBody(boolean fail, Runnable onClose) implements Iterable<byte[]>, AutoCloseable {
        @Override
        public Iterator<byte[]> iterator() {
            if (fail) {
                throw new IllegalStateException("boom in the body");
            }
            return List.of("body".getBytes(UTF_8)).iterator();
        }

        @Override
        public void close() {
            onClose.run();
        }
    }

    @Test
    void headGetsHeadersWithoutABodyAndALazyBodyIsPulledOnlyToStartResponse() throws Exception {
        AtomicInteger pulls = new AtomicInteger();
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            if (environ.get(Environ.PATH_INFO).equals("/list")) {
                startResponse.call("200 OK", TEXT);
                return List.of("twelve bytes".getBytes(UTF_8));
            }
            return () -> new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true; // endless: a HEAD must not pull it to its end
                }

                @Override
                public byte[] next() {
                    if (pulls.getAndIncrement() == 0) {
                        call(startResponse, "200 OK", TEXT);
                    }
                    return "more".getBytes(UTF_8);
                }
            };
        })) {
            HttpResponse<String> list = client.send(HttpRequest.newBuilder(URI.create(jetty.url("/ctx/wsgi/list")))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, list.statusCode());
            assertEquals("12", list.headers().firstValue("Content-Length").orElseThrow());
            assertEquals("", list.body());
            try (Socket socket = new Socket("127.0.0.1", jetty.port())) {
                String response = exchange(socket, "HEAD /ctx/wsgi/lazy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertTrue(response.startsWith("HTTP/1.1 200 "), response);
                assertTrue(response.endsWith("\r\n\r\n"), "no body after the head: " + response);
            }
            assertEquals(1, pulls.get());
        }
    }

    @Test
    void errorBeforeTheHeadersIsAnEmpty500AndIsLogged() throws Exception {
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            throw new IllegalStateException("boom before commit");
        })) {
            HttpResponse<String> response = get(jetty, "/ctx/wsgi/x");
            assertEquals(500, response.statusCode());
            assertEquals("", response.body());
            assertNull(response.headers().firstValue("Content-Type").orElse(null));
            assertTrue(jetty.errors().contains("bjoern: error in application for GET /ctx/wsgi/x"), jetty.errors());
            assertTrue(jetty.errors().contains("boom before commit"), jetty.errors());
        }
    }

    @Test
    void errorAfterTheHeadersCutsTheResponseOff() throws Exception {
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return () -> new Iterator<>() {
                int n;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public byte[] next() {
                    if (n++ == 1) {
                        throw new IllegalStateException("boom after commit");
                    }
                    return "partial".getBytes(UTF_8);
                }
            };
        })) {
            try (Socket socket = new Socket("127.0.0.1", jetty.port())) {
                String response = exchange(socket, "GET /ctx/wsgi/x HTTP/1.1\r\nHost: x\r\n\r\n");
                assertTrue(response.startsWith("HTTP/1.1 200 "), response);
                assertTrue(response.contains("Transfer-Encoding: chunked"), response);
                assertTrue(response.contains("partial"), response);
                assertFalse(response.endsWith("0\r\n\r\n"), "a cut-off response has no last chunk: " + response);
            }
            assertTrue(jetty.errors().contains("boom after commit"), jetty.errors());
        }
    }

    @Test
    void clientGoneClosesTheBodyOnceAndLogsNothing() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger closes = new AtomicInteger();
        byte[] chunk = new byte[64 * 1024];
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return new EndlessBody(chunk, () -> {
                closes.incrementAndGet();
                closed.countDown();
            });
        })) {
            try (Socket socket = new Socket("127.0.0.1", jetty.port())) {
                socket.getOutputStream().write("GET /ctx/wsgi/endless HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(ISO_8859_1));
                assertTrue(socket.getInputStream().readNBytes(100_000).length == 100_000);
            } // gone mid-response
            assertTrue(closed.await(30, TimeUnit.SECONDS), "close() after the client went away");
            assertEquals(1, closes.get());
            assertEquals("", jetty.errors());
        }
    }

    /** A body without end, AutoCloseable. */
    private record EndlessBody(byte[] chunk, Runnable onClose) implements Iterable<byte[]>, AutoCloseable {
        @Override
        public Iterator<byte[]> iterator() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public byte[] next() {
                    return chunk;
                }
            };
        }

        @Override
        public void close() {
            onClose.run();
        }
    }

    @Test
    void startResponseRefusesMalformedHeadersIntoTheApplication() throws Exception {
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            String refused;
            try {
                startResponse.call("200 OK", List.of(Map.entry("X-Bad", "a\r\nInjected: yes")));
                refused = "accepted";
            } catch (IllegalArgumentException e) {
                refused = e.getMessage();
            }
            try {
                startResponse.call("20 OK", TEXT);
            } catch (IllegalArgumentException e) {
                refused += "\n" + e.getMessage();
            }
            startResponse.call("200 OK", TEXT);
            try {
                startResponse.call("200 OK", TEXT);
            } catch (IllegalStateException e) {
                refused += "\n" + e.getMessage();
            }
            return List.of(refused.getBytes(UTF_8));
        })) {
            HttpResponse<String> response = get(jetty, "/ctx/wsgi/");
            assertEquals(List.of(
                    "start_response header X-Bad value must be Latin-1 text without control characters (CR, LF, NUL...),"
                            + " got \"a\\r\\nInjected: yes\"",
                    "start_response status must be a 3-digit code from 200 to 599, a space and a reason, like \"200 OK\","
                            + " got \"20 OK\"",
                    "start_response was already called; a second call must pass excInfo"),
                    response.body().lines().toList());
            assertTrue(response.headers().firstValue("Injected").isEmpty());
        }
    }

    @Test
    void excInfoBeforeCommitReplacesTheStatusAndHeaders() throws Exception {
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("X-First", "1")));
            startResponse.call("503 Service Unavailable", TEXT, new IllegalStateException("handled"));
            return List.of("sorry".getBytes(UTF_8));
        })) {
            HttpResponse<String> response = get(jetty, "/ctx/wsgi/");
            assertEquals(503, response.statusCode());
            assertTrue(response.headers().firstValue("X-First").isEmpty());
            assertEquals("sorry", response.body());
        }
    }

    @Test
    void fileWrapperBodyIsSentWithItsLength(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.txt"), "file contents");
        try (Jetty jetty = new Jetty((environ, startResponse) -> {
            startResponse.call("200 OK", TEXT);
            return ((FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER)).wrap(file, 4);
        })) {
            HttpResponse<String> response = get(jetty, "/ctx/wsgi/file");
            assertEquals("file contents", response.body());
            assertEquals("13", response.headers().firstValue("Content-Length").orElseThrow());
        }
    }

    /** An application a container can make from its class name. */
    public static final class Hello implements WsgiApplication {
        @Override
        public Iterable<byte[]> call(Map<String, Object> environ, StartResponse startResponse) throws Exception {
            startResponse.call("200 OK", TEXT);
            return List.of(("hello from " + environ.get(Environ.SCRIPT_NAME)).getBytes(UTF_8));
        }
    }

    @Test
    void containerMakesTheServletAndTheApplicationFromItsInitParameter() throws Exception {
        ServletHolder holder = new ServletHolder(WsgiServlet.class);
        holder.setInitParameter(WsgiServlet.APPLICATION_PARAMETER, Hello.class.getName());
        try (Jetty jetty = new Jetty(holder)) {
            assertEquals("hello from /ctx/wsgi", get(jetty, "/ctx/wsgi/x").body());
            assertTrue(holder.isAvailable());
        }
    }

    @Test
    void servletNamingNoApplicationIsPermanentlyUnavailable() throws Exception {
        ServletHolder holder = new ServletHolder(WsgiServlet.class);
        holder.setInitParameter(WsgiServlet.APPLICATION_PARAMETER, "no.such.App");
        holder.setInitOrder(-1); // made at the first request, so that Jetty itself starts
        try (Jetty jetty = new Jetty(holder)) {
            // The Servlet specification's answer for a permanently unavailable servlet: 404.
            assertEquals(404, get(jetty, "/ctx/wsgi/x").statusCode());
            assertFalse(holder.isAvailable());
        }
    }

    private static void call(StartResponse startResponse, String status, List<Map.Entry<String, String>> headers) {
        try {
            startResponse.call(status, headers);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends a raw request and reads until the server closes the connection. */
    private static String exchange(Socket socket, String request) throws IOException {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(ISO_8859_1));
        out.flush();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                received.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // a reset after a cut-off response: what arrived is what counts
        }
        return received.toString(ISO_8859_1);
    }
}
