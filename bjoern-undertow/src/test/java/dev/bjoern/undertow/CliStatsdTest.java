package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The command line's --statsd, in a child JVM. */
class CliStatsdTest {
    private static final String APP = "dev.bjoern.undertow.cliapps.Apps:field";

    @Test
    void sendsTheCountsOfEveryRequestWhenStoppedBySigterm() throws Exception {
        try (UdpLines udp = new UdpLines();
                Cli cli = Cli.start("-p", "0", "--statsd", "{\"enable\": true, \"port\": " + udp.port()
                        + ", \"ns\": \"bjoern\", \"tags\": \"app:x,zone:y\"}", APP)) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            for (int i = 0; i < 7; i++) {
                try (RawHttp http = new RawHttp(port)) {
                    assertEquals(200, http.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read()
                            .status());
                }
            }
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
            long done = udp.lines().stream().filter(line -> line.startsWith("bjoern.resp.conn.close:"))
                    .peek(line -> assertTrue(line.matches("bjoern\\.resp\\.conn\\.close:[0-9]+\\|c\\|#app:x,zone:y"),
                            line))
                    .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1, line.indexOf('|'))))
                    .sum();
            assertEquals(7, done);
        }
    }

    @Test
    void countsAcceptErrorsWhenOutOfFileDescriptors() throws Exception {
        Tools.require("bash", "apt-get install bash");
        List<String> command = new java.util.ArrayList<>(List.of("bash", "-c", "ulimit -n 256 && exec \"$@\"",
                "bash"));
        try (UdpLines udp = new UdpLines()) {
            command.addAll(Cli.command("-p", "0", "--statsd", "{\"enable\": true, \"port\": " + udp.port()
                    + ", \"ns\": \"bjoern\"}", APP));
            List<java.net.Socket> clients = new java.util.ArrayList<>();
            try (Cli cli = Cli.start(new ProcessBuilder(command))) {
                int port = Integer.parseInt(cli.awaitServing().group(4));
                try {
                    // More connections than the server has descriptors for: accept() fails, and says so.
                    for (int i = 0; i < 300; i++) {
                        clients.add(new java.net.Socket("127.0.0.1", port));
                    }
                    Traffic.await(() -> {
                        try {
                            return udp.lines().stream().anyMatch(line -> line.startsWith("bjoern.conn.accept.error:"));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                } finally {
                    for (java.net.Socket client : clients) {
                        client.close();
                    }
                }
                // Once descriptors are free again it serves.
                try (RawHttp http = new RawHttp(port)) {
                    assertEquals(200, http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
                }
                cli.signal("TERM");
                assertEquals(0, cli.awaitExit());
                assertTrue(cli.stderr().contains("bjoern: accepting a connection failed: java.io.IOException: "
                        + "Too many open files"), cli.stderr());
            }
        }
    }

    @Test
    void refusesBadSettingsNamingTheKey() throws Exception {
        try (Cli cli = Cli.start("--statsd", "{\"enable\": true, \"port\": \"8125\"}", APP)) {
            assertEquals(2, cli.awaitExit());
            assertEquals("bjoern: --statsd: statsd \"port\" must be a whole number from 1 to 65535, got the string "
                    + "\"8125\"\nRun with --help for the options.\n", cli.stderr());
        }
    }

    @Test
    void refusesJsonThatIsNotAnObject() throws Exception {
        try (Cli cli = Cli.start("--statsd=true", APP)) {
            assertEquals(2, cli.awaitExit());
            assertTrue(cli.stderr().startsWith("bjoern: --statsd: statsd settings must be a JSON object such as "
                    + "{\"enable\": true, \"port\": 8125}: "), cli.stderr());
        }
    }

    @Test
    void namesTheJarAndTheDependencyWhenTheStatsdRegistryIsMissing() throws Exception {
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("micrometer-registry-statsd"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = Cli.command("-p", "0", "--statsd", "{\"enable\": true}", APP);
        command.set(command.indexOf("-cp") + 1, classpath);
        try (Cli cli = Cli.start(new ProcessBuilder(command))) {
            assertEquals(1, cli.awaitExit());
            assertEquals("bjoern: --statsd needs io.micrometer:micrometer-registry-statsd:1.17.2, which is not on the"
                    + " classpath: run bjoern-statsd.jar, which includes it, instead of bjoern.jar, or add it to java's"
                    + " -cp\n", cli.stderr());
        }
        // Without statsd, the same classpath serves.
        command = Cli.command("-p", "0", APP);
        command.set(command.indexOf("-cp") + 1, classpath);
        try (Cli cli = Cli.start(new ProcessBuilder(command))) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            // A response shows run() has taken over the signals (the serving line comes just before).
            try (RawHttp http = new RawHttp(port)) {
                assertEquals(200, http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            }
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
        }
    }

    @Test
    void helpDescribesStatsd() throws Exception {
        try (Cli cli = Cli.start("--help")) {
            assertEquals(0, cli.awaitExit());
            String help = cli.stdout();
            for (String expected : List.of("--statsd JSON", "\"enable\": true", "\"tags\": \"app:x,zone:y\"",
                    "default off", "port 8125")) {
                assertTrue(help.contains(expected), () -> "--help lacks \"" + expected + "\":\n" + help);
            }
        }
    }
}
