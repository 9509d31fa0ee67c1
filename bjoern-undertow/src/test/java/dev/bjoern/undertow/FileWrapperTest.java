package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.FileBody;
import dev.bjoern.FileWrapper;
import dev.bjoern.WsgiApplication;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class FileWrapperTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String GET = "GET /file HTTP/1.1\r\nHost: test\r\n\r\n";

    @TempDir
    Path dir;

    private Path file(int size) throws IOException {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return Files.write(dir.resolve("data-" + size + ".bin"), data);
    }

    private static FileWrapper wrapper(Map<String, Object> environ) {
        return (FileWrapper) environ.get("wsgi.file_wrapper");
    }

    /** Answers 200 with {@code headers} and the body {@code wrap} makes from the environ's file_wrapper. */
    private interface Wrap {
        Iterable<byte[]> body(FileWrapper wrapper) throws Exception;
    }

    private static WsgiApplication serving(List<Map.Entry<String, String>> headers, Wrap wrap) {
        return (environ, startResponse) -> {
            startResponse.call("200 OK", headers);
            return wrap.body(wrapper(environ));
        };
    }

    /** The sizes of the chunks of a chunked response, read from its raw bytes. */
    private static List<Integer> chunkSizes(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\r\n\r\n") + 4;
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            int end = text.indexOf("\r\n", at);
            int size = Integer.parseInt(text.substring(at, end).split(";")[0].trim(), 16);
            if (size == 0) {
                return sizes;
            }
            sizes.add(size);
            at = end + 2 + size + 2;
        }
    }

    @Test
    void sendsAWrappedPathByteForByteWithAComputedContentLength() throws Exception {
        Path path = file(100_000);
        try (TestServer server = TestServer.start(serving(List.of(), wrapper -> wrapper.wrap(path, 8192)));
                RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(GET).read();
            assertEquals(200, response.status());
            assertEquals("100000", response.header("Content-Length"));
            assertNull(response.header("Transfer-Encoding"));
            assertArrayEquals(Files.readAllBytes(path), response.body);
            assertEquals(200, client.send(GET).read().status(), "the connection stays usable");
        }
    }

    @Test
    void sendsAFileChannelFromItsPosition() throws Exception {
        Path path = file(50_000);
        int offset = 12_345;
        try (TestServer server = TestServer.start(serving(List.of(), wrapper -> {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            channel.position(offset);
            return wrapper.wrap(channel, 8192);
        })); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(GET).read();
            byte[] data = Files.readAllBytes(path);
            assertEquals(Integer.toString(data.length - offset), response.header("Content-Length"));
            assertArrayEquals(Arrays.copyOfRange(data, offset, data.length), response.body);
        }
    }

    @Test
    void sendsAFileInputStreamFromItsPositionAsAFileWithALength() throws Exception {
        Path path = file(50_000);
        try (TestServer server = TestServer.start(serving(List.of(), wrapper -> {
            FileInputStream in = new FileInputStream(path.toFile());
            in.skipNBytes(100);
            return wrapper.wrap(in, 8192);
        })); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(GET).read();
            byte[] data = Files.readAllBytes(path);
            // A plain InputStream would go out chunked; a FileInputStream is sent as its file.
            assertEquals(Integer.toString(data.length - 100), response.header("Content-Length"));
            assertArrayEquals(Arrays.copyOfRange(data, 100, data.length), response.body);
        }
    }

    @Test
    void nonBlockingChannelIsRefused() throws Exception {
        try (Pipe.SourceChannel source = Pipe.open().source()) {
            source.configureBlocking(false);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> FileBody.of(source, 8192));
            assertTrue(refused.getMessage().startsWith("file_wrapper needs a blocking channel, got a non-blocking "),
                    refused.getMessage());
        }
    }

    /**
     * Sends two requests at once and checks that the first response's body is exactly {@code expected} and
     * that the second response starts right after it: a byte past the Content-Length would show there.
     */
    private static void assertExactBodyThenNextResponse(TestServer server, byte[] expected) throws Exception {
        try (RawHttp client = server.connect()) {
            client.send(GET + GET);
            RawHttp.Response first = client.read();
            assertEquals(Integer.toString(expected.length), first.header("Content-Length"));
            assertArrayEquals(expected, first.body);
            String next = new String(client.readBytes(17), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 200 OK\r\n", next, "what follows the first body");
        }
    }

    @Test
    void sendsExactlyAnAppGivenContentLength() throws Exception {
        Path path = file(100_000);
        try (TestServer server = TestServer.start(serving(List.of(Map.entry("Content-Length", "1000")),
                wrapper -> wrapper.wrap(path, 8192)))) {
            assertExactBodyThenNextResponse(server, Arrays.copyOf(Files.readAllBytes(path), 1000));
        }
    }

    @Test
    void sendsExactlyAnAppGivenContentLengthFromTheChannelsPosition() throws Exception {
        Path path = file(100_000);
        try (TestServer server = TestServer.start(serving(List.of(Map.entry("Content-Length", "100")), wrapper -> {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            channel.position(5000);
            return wrapper.wrap(channel, 8192);
        }))) {
            assertExactBodyThenNextResponse(server, Arrays.copyOfRange(Files.readAllBytes(path), 5000, 5100));
        }
    }

    @Test
    void sendsExactlyAnAppGivenContentLengthAfterWrittenBytes() throws Exception {
        Path path = file(100_000);
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", "1000")))
                    .write("prefix:".getBytes(StandardCharsets.US_ASCII));
            return wrapper(environ).wrap(path, 8192);
        })) {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write("prefix:".getBytes(StandardCharsets.US_ASCII));
            expected.write(Files.readAllBytes(path), 0, 1000 - 7);
            assertExactBodyThenNextResponse(server, expected.toByteArray());
        }
    }

    @Test
    void closesTheConnectionWhenTheFileIsShorterThanItsContentLength() throws Exception {
        Path path = file(100);
        try (TestServer server = TestServer.start(serving(List.of(Map.entry("Content-Length", "200")),
                wrapper -> wrapper.wrap(path, 8192))); RawHttp client = server.connect()) {
            byte[] raw = client.send(GET).readAll();
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int body = text.indexOf("\r\n\r\n") + 4;
            assertTrue(text.startsWith("HTTP/1.1 200 OK\r\n"), text);
            assertEquals(100, raw.length - body, "the file's bytes, then the connection closed");
            assertTrue(server.errors().contains("the file body ended 100 bytes short of its Content-Length"),
                    server.errors());
        }
    }

    @Test
    void sendsAnInputStreamInBlocksChunkedAndClosesIt() throws Exception {
        byte[] data = new byte[20_000];
        new Random(7).nextBytes(data);
        AtomicBoolean closed = new AtomicBoolean();
        try (TestServer server = TestServer.start(serving(List.of(), wrapper -> wrapper.wrap(
                new ByteArrayInputStream(data) {
                    @Override
                    public void close() {
                        closed.set(true);
                    }
                }, 4096))); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(GET).read();
            assertTrue(response.chunked, "a stream has no known length");
            assertArrayEquals(data, response.body);
            assertEquals(List.of(4096, 4096, 4096, 4096, 3616), chunkSizes(response.raw));
            // The second response comes after the first one's close() on the single IO thread.
            client.send(GET).read();
            assertTrue(closed.get(), "the stream was closed");
        }
    }

    @Test
    void sendsASeveralMebibyteFileWhole() throws Exception {
        Path path = file(6 * 1024 * 1024 + 7);
        try (TestServer server = TestServer.start(serving(List.of(), wrapper -> wrapper.wrap(path, 65536)))) {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(server.url("/big"))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            assertEquals(Long.toString(Files.size(path)), response.headers().firstValue("Content-Length").orElse(""));
            assertArrayEquals(Files.readAllBytes(path), response.body());
        }
    }

    @Test
    void sendsAnEmptyFileWithContentLengthZero() throws Exception {
        Path path = file(0);
        try (TestServer server = TestServer.start(serving(List.of(), wrapper -> wrapper.wrap(path, 8192)));
                RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(GET).read();
            assertEquals("0", response.header("Content-Length"));
            assertEquals(0, response.body.length);
        }
    }

    @Test
    void writtenBytesPrecedeAFile() throws Exception {
        Path path = file(30_000);
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of()).write("prefix:".getBytes(StandardCharsets.US_ASCII));
            return wrapper(environ).wrap(path, 8192);
        }); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send(GET).read();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write("prefix:".getBytes(StandardCharsets.US_ASCII));
            expected.write(Files.readAllBytes(path));
            assertEquals(Integer.toString(expected.size()), response.header("Content-Length"));
            assertArrayEquals(expected.toByteArray(), response.body);
        }
    }

    @Test
    void headOfAFileSendsItsLengthAndNoBody() throws Exception {
        Path path = file(40_000);
        try (TestServer server = TestServer.start(serving(List.of(), wrapper -> wrapper.wrap(path, 8192)));
                RawHttp client = server.connect()) {
            RawHttp.Response head = client.send("HEAD /file HTTP/1.1\r\nHost: test\r\n\r\n").read(true);
            assertEquals("40000", head.header("Content-Length"));
            RawHttp.Response next = client.send(GET).read();
            assertEquals("HTTP/1.1 200 OK", next.statusLine, "no body bytes came between the two responses");
            assertArrayEquals(Files.readAllBytes(path), next.body);
        }
    }

    @Test
    void closesTheWrappedFileAfterSending() throws Exception {
        Path path = file(1000);
        AtomicReference<FileChannel> opened = new AtomicReference<>();
        try (TestServer server = TestServer.start(serving(List.of(), wrapper -> {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            opened.compareAndSet(null, channel);
            return wrapper.wrap(channel, 8192);
        })); RawHttp client = server.connect()) {
            client.send(GET).read();
            client.send(GET).read();
            assertFalse(opened.get().isOpen(), "the first response's file is closed once it was sent");
        }
    }

    @Test
    void unsupportedTypeIsRefusedNamingTheType() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> FileBody.of("not a file", 8192));
        assertEquals("file_wrapper takes a FileChannel, Path, File, InputStream or ReadableByteChannel,"
                + " got java.lang.String", refused.getMessage());
        assertEquals("file_wrapper takes a FileChannel, Path, File, InputStream or ReadableByteChannel,"
                + " got null", assertThrows(IllegalArgumentException.class, () -> FileBody.of(null, 8192))
                .getMessage());
    }

    @Test
    void unsupportedTypeIsRefusedByTheEnvironsWrapper() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            try {
                return wrapper(environ).wrap(new StringBuilder("text"), 8192);
            } catch (IllegalArgumentException e) {
                thrown.set(e);
                throw e;
            }
        }); RawHttp client = server.connect()) {
            assertEquals(500, client.send(GET).read().status());
            assertInstanceOf(IllegalArgumentException.class, thrown.get());
            assertTrue(thrown.get().getMessage().endsWith(", got java.lang.StringBuilder"), thrown.get().getMessage());
        }
    }

    @Test
    void blockSizeBelowOneIsRefused() throws Exception {
        Path path = file(10);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> FileBody.of(path, 0));
        assertEquals("file_wrapper block size must be at least 1, got 0", refused.getMessage());
    }
}
