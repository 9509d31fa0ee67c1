package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A servlet writing 1 GiB streams through the bridge in a JVM with a 48 MiB heap, and while its client
 * stops reading (the servlet then waits on its own thread), other requests are answered. A servlet slow
 * to make its next chunk does not hold the server's thread either.
 */
class StreamingTest {
    private static final long GIB = 1L << 30;

    @Test
    void aServletWaitingBetweenChunksLeavesTheServerFreeForOthers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServlet servlet = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                if ("/release".equals(req.getPathInfo())) {
                    release.countDown();
                    resp.getWriter().print("released");
                    return;
                }
                resp.getWriter().print("first,");
                resp.flushBuffer();
                try {
                    // Until another request, which the server must be free to take, says go on.
                    if (!release.await(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never released");
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                resp.getWriter().print("second");
            }
        };
        try (ServletServer server = new ServletServer(ServletApplication.of(servlet))) {
            CompletableFuture<HttpResponse<String>> slow = ServletServer.CLIENT.sendAsync(
                    HttpRequest.newBuilder(server.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
            // The slow response is committed and waits for its second chunk; this one must still pass.
            assertEquals("released", server.get("/release").body());
            assertEquals("first,second", slow.get(20, TimeUnit.SECONDS).body());
        }
    }

    @Test
    void aOneGibResponseStreamsWithBoundedMemoryWhileOthersAreServed() throws Exception {
        Process child = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), StreamingMain.class.getName(), Long.toString(GIB)))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("port "), "child said: " + line);
            int port = Integer.parseInt(line.substring(5));

            try (Socket big = new Socket("127.0.0.1", port)) {
                OutputStream request = big.getOutputStream();
                request.write("GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                request.flush();
                InputStream in = big.getInputStream();
                byte[] buffer = new byte[1 << 16];
                long read = 0;
                // The head, byte by byte, up to the blank line.
                StringBuilder head = new StringBuilder();
                while (head.indexOf("\r\n\r\n") < 0) {
                    int b = in.read();
                    assertTrue(b >= 0, "no response head: " + head);
                    head.append((char) b);
                    read++;
                }
                assertTrue(head.toString().startsWith("HTTP/1.1 200 OK\r\n"), head.toString());
                // Take a first megabyte, then stop reading: the socket fills and the servlet has to wait.
                while (read < (1 << 20)) {
                    int n = in.read(buffer);
                    assertTrue(n > 0, "the big response ended early");
                    read += n;
                }
                HttpResponse<String> small = ServletServer.CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/small")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals("small", small.body());

                int n;
                while ((n = in.read(buffer)) > 0) {
                    read += n;
                }
                // Connection: close and no length: the body is everything after the head, until the close.
                assertEquals(GIB, read - head.length(), "body bytes");
            }
            assertTrue(child.isAlive(), "the server died (out of memory?)");
        } finally {
            child.destroy();
            child.waitFor();
        }
    }
}
