package dev.bjoern.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.BjoernServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplesTest {
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<byte[]> get(WsgiApplication app, String path) throws Exception {
        return send(app, HttpRequest.newBuilder().GET(), path);
    }

    private HttpResponse<byte[]> send(WsgiApplication app, HttpRequest.Builder request, String path) throws Exception {
        try (BjoernServer server = BjoernServer.builder(app).port(0).build().start()) {
            return client.send(request.uri(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    @Test
    void helloWorldSaysHelloWithContentLength() throws Exception {
        HttpResponse<byte[]> response = get(HelloWorld.app, "/");
        assertEquals(200, response.statusCode());
        assertEquals("Hello, World!", new String(response.body()));
        assertEquals("13", response.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void environEchoListsTheRequest() throws Exception {
        String text = new String(get(EnvironEcho.app, "/some/path?x=1").body());
        assertTrue(text.contains("PATH_INFO = /some/path\n"), text);
        assertTrue(text.contains("QUERY_STRING = x=1\n"), text);
    }

    @Test
    void lazyStreamSendsLinesChunked() throws Exception {
        HttpResponse<byte[]> response = get(LazyStream.app, "/?x=1&lines=3");
        assertEquals("line 1 of 3\nline 2 of 3\nline 3 of 3\n", new String(response.body()));
        assertTrue(response.headers().firstValue("Content-Length").isEmpty(), "a lazy body has no known length");
        assertEquals("", new String(get(LazyStream.app, "/?lines=0").body()));
        assertEquals(400, get(LazyStream.app, "/?lines=many").statusCode());
    }

    @Test
    void fileDownloadSendsTheFileWhole(@TempDir Path dir) throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        Path file = Files.write(dir.resolve("data.bin"), data);
        HttpResponse<byte[]> response = get(FileDownload.app(file), "/");
        assertEquals(String.valueOf(data.length), response.headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(data, response.body());
        assertEquals(404, get(FileDownload.app(dir.resolve("missing")), "/").statusCode());
    }

    @Test
    void routerMatchesParametersAndAnswers404And405() throws Exception {
        assertEquals("Hello, café!\n", new String(get(Router.app, "/hello/caf%C3%A9").body(), "UTF-8"));
        assertEquals(404, get(Router.app, "/nowhere").statusCode());
        assertEquals(405, send(Router.app, HttpRequest.newBuilder().DELETE(), "/").statusCode());
        HttpResponse<byte[]> echoed = send(Router.app,
                HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString("ping")), "/echo");
        assertEquals("ping", new String(echoed.body()));
    }

    @Test
    void servletHelloGreetsThroughTheBridgeBehindItsFilter() throws Exception {
        try (dev.bjoern.servlet.ServletApplication app = ServletHello.app()) {
            HttpResponse<byte[]> response = get(app, "/hello?name=J%C3%B6rg");
            assertEquals(200, response.statusCode());
            assertEquals("Hello, Jörg!\n", new String(response.body(), "UTF-8"));
            assertTrue(response.headers().firstValue("X-Response-Time").orElseThrow().endsWith("us"));
            assertEquals(404, get(app, "/").statusCode());
        }
    }
}
