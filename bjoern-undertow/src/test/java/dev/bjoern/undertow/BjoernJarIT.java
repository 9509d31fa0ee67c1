package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The executable jars package builds, run as README says: {@code java -jar target/bjoern.jar --classpath ...}.
 * bjoern.jar stays small by leaving the statsd registry to bjoern-statsd.jar.
 */
class BjoernJarIT {
    /** 5.5 MiB: bjoern.jar without the statsd registry was 4.75 MiB when the cap was set. */
    private static final long BJOERN_JAR_CAP = 5_767_168;
    private static final Path BJOERN_JAR = Path.of("target", "bjoern.jar");
    private static final Path STATSD_JAR = Path.of("target", "bjoern-statsd.jar");
    private static final String STATSD_REGISTRY = "io/micrometer/statsd/StatsdMeterRegistry.class";
    private static final String APPS = "dev.bjoern.undertow.cliapps.";

    /** {@code java -jar JAR args} on this JDK. */
    private static Cli javaJar(Path jar, String... args) throws Exception {
        assertTrue(Files.isRegularFile(jar), jar + " is built by package");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        command.addAll(List.of(args));
        return Cli.start(new ProcessBuilder(command));
    }

    @Test
    void bjoernJarStaysUnderItsCapAndOnlyTheStatsdJarCarriesTheRegistry() throws Exception {
        long size = Files.size(BJOERN_JAR);
        assertTrue(size <= BJOERN_JAR_CAP, BJOERN_JAR + " has " + size + " bytes, over its cap of " + BJOERN_JAR_CAP
                + ": what grew it?");
        try (JarFile small = new JarFile(BJOERN_JAR.toFile()); JarFile statsd = new JarFile(STATSD_JAR.toFile())) {
            assertNull(small.getEntry(STATSD_REGISTRY), "bjoern.jar must leave the statsd registry out");
            assertNotNull(statsd.getEntry(STATSD_REGISTRY), "bjoern-statsd.jar must carry the statsd registry");
            assertNotNull(statsd.getEntry("dev/bjoern/undertow/Main.class"));
        }
    }

    @Test
    void servesAnAppFromClasspathUnderJavaJar() throws Exception {
        try (Cli cli = javaJar(BJOERN_JAR, "-p", "0", "--classpath", CliClasspathTest.testClasses().toString(),
                APPS + "Loaders:app")) {
            String url = cli.awaitServing().group(2);
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("context loader: the app's", response.body());
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
        }
    }

    @Test
    void printsItsVersion() throws Exception {
        try (Cli cli = javaJar(BJOERN_JAR, "--version")) {
            assertEquals(0, cli.awaitExit());
            assertEquals("bjoern " + RequestEnviron.VERSION + "\n", cli.stdout());
        }
    }

    @Test
    void bjoernJarNamesTheStatsdJarOnOneLine() throws Exception {
        try (Cli cli = javaJar(BJOERN_JAR, "--classpath", CliClasspathTest.testClasses().toString(),
                "--statsd", "{\"enable\": true}", APPS + "Apps:field")) {
            assertEquals(1, cli.awaitExit());
            assertEquals("bjoern: " + Main.STATSD_MISSING + "\n", cli.stderr());
        }
    }

    @Test
    void theStatsdJarSendsTheCounts() throws Exception {
        try (UdpLines udp = new UdpLines();
                Cli cli = javaJar(STATSD_JAR, "-p", "0", "--classpath", CliClasspathTest.testClasses().toString(),
                        "--statsd", "{\"enable\": true, \"port\": " + udp.port() + ", \"ns\": \"bjoern\"}",
                        APPS + "Apps:field")) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            try (RawHttp http = new RawHttp(port)) {
                assertEquals(200, http.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read().status());
            }
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
            assertTrue(udp.lines().contains("bjoern.resp.conn.close:1|c"), udp.lines()::toString);
        }
    }
}
