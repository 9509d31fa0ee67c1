package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.undertow.cliapps.Streams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM and SIGINT on the command line, as a Kubernetes rollout or systemd sends them, during a response
 * that takes 5 seconds: 50 MiB read by a client at 10 MiB/s, far more than socket buffers hold, so the server
 * is still sending when the signal comes.
 */
@Timeout(90)
class GracefulShutdownTest {
    private static final String LARGE = "dev.bjoern.undertow.cliapps.Streams:large";
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    void sigtermLetsTheStreamingResponseCompleteByteForByteRefusesNewConnectionsAndExitsZero() throws Exception {
        try (Cli cli = Cli.start("-p", "0", LARGE)) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
                InputStream in = client.getInputStream();
                String head = head(in);
                assertTrue(head.startsWith("HTTP/1.1 200 "), head);
                assertTrue(head.contains("Content-Length: " + (long) Streams.CHUNK * Streams.CHUNKS), head);
                checkChunk(in, 0);

                cli.signal("TERM");
                awaitRefused(port);
                for (int i = 1; i < Streams.CHUNKS; i++) {
                    // Paced at 10 MiB/s: the sleep is the client's speed, not a wait for anything.
                    Thread.sleep(100);
                    checkChunk(in, i);
                    if (i == Streams.CHUNKS / 2) {
                        // 25 MiB are still to come, more than the socket buffers hold: the server is sending.
                        assertTrue(cli.process.isAlive(), "the server exited with the response half sent");
                    }
                }
                // The response was the connection's last: the server closes it.
                assertEquals(-1, in.read());
            }
            assertEquals(0, cli.awaitExit());
            assertEquals(1, cli.stderr().lines().count(), cli.stderr());
        }
    }

    @Test
    void aSigtermTheMomentTheServingLineIsOutStopsGracefully() throws Exception {
        // A supervisor may stop the server as soon as it says it serves: its signals are handled by then.
        try (Cli cli = Cli.start("-p", "0", "dev.bjoern.undertow.cliapps.Apps:field")) {
            cli.awaitServing();
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit(), "exit code; stderr:\n" + cli.stderr());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSecondSignalStopsAtOnceWithExitCode128PlusItsNumber(String second) throws Exception {
        try (Cli cli = Cli.start("-p", "0", LARGE)) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
                InputStream in = client.getInputStream();
                head(in);
                checkChunk(in, 0);

                cli.signal("TERM");
                awaitRefused(port);
                assertTrue(cli.process.isAlive(), "the first SIGTERM did not wait for the response");
                long secondAt = System.nanoTime();
                cli.signal(second);
                int exit = cli.awaitExit();
                long millis = (System.nanoTime() - secondAt) / 1_000_000;
                assertEquals(second.equals("TERM") ? 143 : 130, exit, "exit code after SIGTERM then SIG" + second);
                assertTrue(millis < 3000, "stopped " + millis + " ms after the second signal");
                // The response was cut short: the client gets less than the whole body, then the end.
                long rest = drain(in);
                assertTrue(Streams.CHUNK + rest < (long) Streams.CHUNK * Streams.CHUNKS,
                        "the whole body arrived: " + rest);
            }
        }
    }

    @Test
    void theAccessLogFileHoldsEveryRequestOnceTheServerStops(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("access.log");
        try (Cli cli = Cli.start("-p", "0", "--access-log", log.toString(), "dev.bjoern.undertow.cliapps.Apps:field")) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            try (RawHttp client = new RawHttp(port)) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, client.send("GET /n" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
                }
            }
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            assertEquals(3, lines.size(), String.join("\n", lines));
            for (int i = 0; i < 3; i++) {
                assertTrue(lines.get(i).matches(AccessLogTest.line("127\\.0\\.0\\.1", "GET /n" + i + " HTTP/1\\.1",
                        200, "12")), lines.get(i));
            }
        }
    }

    @Test
    void theAccessLogGoesToStdoutWithADash() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--access-log", "-", "dev.bjoern.undertow.cliapps.Apps:field")) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            try (RawHttp client = new RawHttp(port)) {
                assertEquals(200, client.send("GET /x?y=1 HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            }
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
            String stdout = cli.stdout();
            assertTrue(stdout.matches(AccessLogTest.line("127\\.0\\.0\\.1", "GET /x\\?y=1 HTTP/1\\.1", 200, "12")
                    + "\n"), stdout);
        }
    }

    /** The response head, up to and without the blank line. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the response head: " + head);
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static void checkChunk(InputStream in, int index) throws IOException {
        byte[] chunk = in.readNBytes(Streams.CHUNK);
        assertEquals(Streams.CHUNK, chunk.length, "chunk " + index + " is short");
        byte expected = (byte) (index % 251);
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] != expected) {
                throw new AssertionError("chunk " + index + " byte " + i + " is " + chunk[i] + ", not " + expected);
            }
        }
    }

    /** Reads to the end (or a reset); returns how many bytes came. */
    private static long drain(InputStream in) {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int read; (read = in.read(buffer)) >= 0; ) {
                total += read;
            }
        } catch (IOException reset) {
            // Cut short: what came before counts.
        }
        return total;
    }

    /** Waits until connecting to {@code port} is refused; fails after 10 s. */
    static void awaitRefused(int port) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                Thread.onSpinWait();
            } catch (ConnectException refused) {
                return;
            } catch (SocketException reset) {
                // Caught in the backlog as the listening socket closed: refused too.
                return;
            }
        }
        assertFalse(true, "port " + port + " still accepts connections 10 s after the signal");
    }
}
