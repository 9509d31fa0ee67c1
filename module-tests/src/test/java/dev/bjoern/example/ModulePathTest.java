package dev.bjoern.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A user's module that requires dev.bjoern.undertow, dev.bjoern.servlet and dev.bjoern.test, launched from the
 * module path with {@code java -p ... -m ...} on the JDK running this test (the build runs it on JDK 17 and on
 * JDK 22+): it serves, prints nothing but its serving line, and stops on SIGTERM; and its app, checked in-process
 * by the test client through the validator, answers as it does over a socket.
 */
class ModulePathTest {
    private static final Pattern SERVING = Pattern.compile("bjoern: serving on (http://127\\.0\\.0\\.1:\\d+/)");

    @Test
    void aModuleThatRequiresTheTestClientChecksItsAppFromTheModulePath() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-p", modulePath(), "-m", "dev.bjoern.example/dev.bjoern.example.Check")
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "no exit within 30 s");
        assertEquals("/ 200 hello from a module\n/servlet/x 200 servlet /x\n", out);
        assertEquals(0, process.exitValue());
    }

    private static String modulePath() throws IOException {
        return Files.readString(Path.of("target", "module-path.txt")).strip()
                + java.io.File.pathSeparator + Path.of("target", "classes");
    }

    @Test
    void aModuleThatRequiresTheServerServesFromTheModulePath() throws Exception {
        String modulePath = modulePath();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Undertow's and XNIO's loggers are made by jboss-logging, which must read their modules (README).
                "--add-reads", "org.jboss.logging=xnio.api,undertow.core",
                "-p", modulePath, "-m", "dev.bjoern.example/dev.bjoern.example.Hello")
                .redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        reader.start();
        try {
            String first = lines.poll(30, TimeUnit.SECONDS);
            assertNotNull(first, "no output within 30 s");
            Matcher serving = SERVING.matcher(first);
            assertTrue(serving.matches(), "the first line is not the serving line: " + first + "\n" + lines);
            URI base = URI.create(serving.group(1));
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> hello = client.send(HttpRequest.newBuilder(base).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, hello.statusCode());
            assertEquals("hello from a module", hello.body());
            HttpResponse<String> servlet = client.send(HttpRequest.newBuilder(base.resolve("/servlet/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, servlet.statusCode(), servlet.body());
            assertEquals("servlet /x", servlet.body());
            // A request Undertow's parser refuses (a header line with no colon): its message bundle and its
            // loggers load from the module path too.
            try (Socket raw = new Socket(base.getHost(), base.getPort())) {
                raw.setSoTimeout(30_000);
                raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String status = new BufferedReader(new InputStreamReader(raw.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertEquals("HTTP/1.1 400 Bad Request", status);
            }
        } finally {
            process.destroy();
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "no exit within 30 s of SIGTERM");
        reader.join(10_000);
        List<String> rest = new ArrayList<>();
        lines.drainTo(rest);
        assertEquals(List.of(), rest, "output beyond the serving line");
        assertEquals(0, process.exitValue());
    }
}
