package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servlet apps served by the engine's command line, in a child JVM. */
class CommandLineTest {
    private static final Pattern SERVING = Pattern.compile("bjoern: serving \\S+ on (http://\\S+/)");
    private static final long TIMEOUT_SECONDS = 30;

    @TempDir
    Path dir;

    @Test
    void destroysTheServletAndItsFilterAfterSigterm() throws Exception {
        Path stdout = dir.resolve("stdout");
        Process cli = start(stdout, System.getProperty("java.class.path"), "-p", "0",
                "dev.bjoern.servlet.CliServlet:app");
        try {
            StringBuffer stderr = new StringBuffer();
            CompletableFuture<String> firstLine = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(cli.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        firstLine.complete(line);
                        stderr.append(line).append('\n');
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    firstLine.complete(null);
                }
            });
            reader.start();
            String line = firstLine.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Matcher serving = SERVING.matcher(String.valueOf(line));
            assertTrue(serving.matches(), () -> "no serving line; stderr:\n" + stderr);
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(serving.group(1))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("served", response.body());
            cli.destroy(); // SIGTERM
            assertTrue(cli.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the command line did not stop on SIGTERM");
            reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            assertEquals(0, cli.exitValue(), stderr::toString);
            assertEquals("servlet destroyed\nfilter destroyed\n", Files.readString(stdout));
            assertEquals(line + "\n", stderr.toString());
        } finally {
            cli.destroyForcibly();
        }
    }

    @Test
    void namesTheServletApiWhenItIsMissing() throws Exception {
        assertMissing("bjoern: dev.bjoern.servlet.CliServlet:app needs class jakarta.servlet.http.HttpServlet, which"
                + " is not on the classpath (it usually comes from jakarta.servlet:jakarta.servlet-api)\n",
                jakarta.servlet.http.HttpServlet.class);
    }

    @Test
    void namesTheBridgeWhenItIsMissing() throws Exception {
        assertMissing("bjoern: dev.bjoern.servlet.CliServlet:app needs class dev.bjoern.servlet.ServletApplication,"
                + " which is not on the classpath (it usually comes from dev.bjoern:bjoern-servlet-bridge)\n",
                ServletApplication.class);
    }

    /** Serving CliServlet with the classpath less the entry {@code missing} comes from: one line, exit 2. */
    private void assertMissing(String stderr, Class<?> missing) throws Exception {
        String without = Path.of(missing.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().toString().equals(without))
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(!classpath.equals(System.getProperty("java.class.path")), without);
        Process cli = start(dir.resolve("stdout"), classpath, "-p", "0", "dev.bjoern.servlet.CliServlet:app");
        try {
            assertTrue(cli.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the command line did not exit");
            assertEquals(stderr, new String(cli.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(2, cli.exitValue());
        } finally {
            cli.destroyForcibly();
        }
    }

    /** The engine's command line on this JDK and {@code classpath}, its stdout going to a file. */
    private static Process start(Path stdout, String classpath, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", classpath, "dev.bjoern.undertow.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(stdout.toFile()).start();
    }
}
