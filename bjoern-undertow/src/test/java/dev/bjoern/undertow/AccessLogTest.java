package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import java.io.ByteArrayOutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The access log: Common Log Format plus microseconds, one line per request, none lost. */
@Timeout(120)
class AccessLogTest {
    private static final WsgiApplication APP = (environ, startResponse) -> {
        String path = (String) environ.get("PATH_INFO");
        if (path.equals("/slow")) {
            // Makes the duration measurable; blocking the IO thread is this test app's choice.
            Thread.sleep(30);
        }
        if (path.equals("/missing")) {
            startResponse.call("404 Not Found", List.of());
            return List.of("nope".getBytes(StandardCharsets.US_ASCII));
        }
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
        return List.of("Hello, World!".getBytes(StandardCharsets.US_ASCII));
    };

    /** A regular expression for one line: host, request line and bytes are regular expressions themselves. */
    static String line(String host, String request, int status, String bytes) {
        return host + " - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\] \"" + request + "\" "
                + status + " " + bytes + " \\d+";
    }

    @Test
    void eachRequestIsOneLineInCommonLogFormatWithItsDuration() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (TestServer server = TestServer.start(APP, b -> b.accessLog(log).maxBodySize(4));
                RawHttp client = server.connect()) {
            assertEquals(200, client.send("GET /hello?x=1&y=%20 HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            assertEquals(200, client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n").read(true).status());
            assertEquals(404, client.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            assertEquals(200, client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            assertEquals(200, client.send("GET /old HTTP/1.0\r\n\r\n").read().status());
            try (RawHttp other = server.connect()) {
                assertEquals(413, other.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
                        .read().status());
            }
            List<String> lines = awaitLines(log, 6);
            String host = "127\\.0\\.0\\.1";
            assertMatches(line(host, "GET /hello\\?x=1&y=%20 HTTP/1\\.1", 200, "13"), lines.get(0));
            assertMatches(line(host, "HEAD /hello HTTP/1\\.1", 200, "-"), lines.get(1));
            assertMatches(line(host, "GET /missing HTTP/1\\.1", 404, "4"), lines.get(2));
            assertMatches(line(host, "GET /slow HTTP/1\\.1", 200, "13"), lines.get(3));
            assertMatches(line(host, "GET /old HTTP/1\\.0", 200, "13"), lines.get(4));
            assertMatches(line(host, "POST /upload HTTP/1\\.1", 413, "-"), lines.get(5));
            long slowMicros = Long.parseLong(lines.get(3).substring(lines.get(3).lastIndexOf(' ') + 1));
            assertTrue(slowMicros >= 30_000 && slowMicros < 10_000_000, "the 30 ms request took " + slowMicros + " µs");
            // The time is the request's arrival, in the server's zone, within a minute of now.
            Matcher date = Pattern.compile("\\[([^]]+)]").matcher(lines.get(0));
            assertTrue(date.find());
            ZonedDateTime logged = ZonedDateTime.parse(date.group(1),
                    DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH));
            long skew = Math.abs(Duration.between(logged, ZonedDateTime.now()).getSeconds());
            assertTrue(skew < 60, "logged " + logged + ", now " + ZonedDateTime.now());
        }
    }

    @Test
    void overAUnixSocketTheClientAddressIsADash(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path socket = dir.resolve("app.sock");
        try (TestServer server = TestServer.start(APP, b -> b.accessLog(log).host("unix:" + socket));
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap("GET /u HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer response = ByteBuffer.allocate(4096);
            while (client.read(response) >= 0) {
                Thread.onSpinWait();
            }
            assertTrue(new String(response.array(), 0, response.position(), StandardCharsets.ISO_8859_1)
                    .startsWith("HTTP/1.0 200 "));
            assertMatches(line("-", "GET /u HTTP/1\\.0", 200, "13"), awaitLines(log, 1).get(0));
        }
    }

    @Test
    void noLineIsLostUnderABurstFromAb() throws Exception {
        String ab = Tools.require("ab", "apt-get install apache2-utils").toString();
        int requests = 20_000;
        ByteArrayOutputStream log = new ByteArrayOutputStream(requests * 100);
        TestServer server = TestServer.start(APP, b -> b.accessLog(log));
        String output;
        try {
            Process run = new ProcessBuilder(ab, "-q", "-k", "-n", String.valueOf(requests), "-c", "16",
                    "http://127.0.0.1:" + server.port() + "/burst").redirectErrorStream(true).start();
            output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "ab did not finish");
            assertEquals(0, run.exitValue(), output);
        } finally {
            // Flushes the access log: every line is written before close() returns.
            server.close();
        }
        assertTrue(output.contains("Complete requests:      " + requests), output);
        assertTrue(output.contains("Failed requests:        0"), output);
        List<String> lines = log.toString(StandardCharsets.ISO_8859_1).lines().toList();
        assertEquals(requests, lines.size(), "access log lines for " + requests + " requests");
        Pattern expected = Pattern.compile(line("127\\.0\\.0\\.1", "GET /burst HTTP/1\\.0", 200, "13"));
        for (String line : lines) {
            assertTrue(expected.matcher(line).matches(), line);
        }
        assertFalse(server.errors().contains("fell behind"), server.errors());
    }

    private static void assertMatches(String regex, String line) {
        assertTrue(line.matches(regex), () -> "\"" + line + "\" does not match " + regex);
    }

    /** Waits until the log holds {@code count} lines (the writer flushes once it has nothing queued). */
    private static List<String> awaitLines(ByteArrayOutputStream log, int count) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<String> lines = log.toString(StandardCharsets.ISO_8859_1).lines().toList();
            if (lines.size() >= count || System.nanoTime() > deadline) {
                assertEquals(count, lines.size(), String.join("\n", lines));
                return lines;
            }
            Thread.onSpinWait();
        }
    }
}
