package dev.bjoern.samples.jersey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The command README names: {@code java -jar samples-jersey/target/samples-jersey.jar}, here on a free port. */
class JerseyHelloJarIT {
    private static final Pattern SERVING = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");

    @Test
    void theShadedJarServesTheSampleAndStopsOnSigterm() throws Exception {
        Path jar = Path.of("target", "samples-jersey.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is built by package");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-jar", jar.toString(), "127.0.0.1", "0")
                .redirectErrorStream(true).start();
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            int port = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line; (line = output.readLine()) != null; ) {
                        seen.append(line).append('\n');
                        Matcher serving = SERVING.matcher(line);
                        if (serving.find()) {
                            return Integer.parseInt(serving.group(1));
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                throw new IllegalStateException("the sample exited without serving:\n" + seen);
            }).get(60, TimeUnit.SECONDS);
            // Keep draining its output so that it never blocks on a full pipe.
            CompletableFuture.runAsync(() -> {
                try {
                    output.transferTo(Writer.nullWriter());
                } catch (Exception e) {
                    // the process is gone
                }
            });
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/hello/world")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("Hello, world!\n", response.body());
            process.destroy(); // SIGTERM: the server stops gracefully
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the sample did not stop on SIGTERM");
        } finally {
            process.destroyForcibly();
        }
    }
}
