package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.undertow.cliapps.Streams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each limit flag of the command line reaches the server: every one is set far below its default, and the
 * server in a child JVM acts on it well before the default would.
 */
@Timeout(60)
class CliLimitsTest {
    private static final String APP = "dev.bjoern.undertow.cliapps.Apps:field";
    private static final String LARGE = "dev.bjoern.undertow.cliapps.Streams:large";
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    void idleRequestAndHeaderLimits() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--idle-timeout", "0.5", "--request-timeout", "0.5",
                "--max-header-size", "2048", APP)) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            // Default 75 s: closed within RawHttp's 10 s read timeout only by the flag.
            try (RawHttp idle = new RawHttp(port)) {
                assertEquals(200, idle.send(GET).read().status());
                assertTrue(idle.closedByServer(), "--idle-timeout 0.5: the idle connection was not closed");
            }
            // Default 20 s.
            try (RawHttp slow = new RawHttp(port)) {
                slow.send("GET / HTTP/1.1\r\nHo");
                assertTrue(slow.closedByServer(), "--request-timeout 0.5: the unfinished request was not closed");
            }
            // Default 80 KiB.
            try (RawHttp large = new RawHttp(port)) {
                String header = "X-Large: " + "x".repeat(4096) + "\r\n";
                assertEquals(400, large.send("GET / HTTP/1.1\r\nHost: x\r\n" + header + "\r\n").read().status(),
                        "--max-header-size 2048");
            }
        }
    }

    @Test
    void maxConnections() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--max-connections", "1", APP)) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            try (RawHttp first = new RawHttp(port); RawHttp second = new RawHttp(port)) {
                assertEquals(200, first.send(GET).read().status());
                second.send(GET);
                second.socket.setSoTimeout(1000);
                assertThrows(SocketTimeoutException.class, second::read, "--max-connections 1: served a second");
                second.socket.setSoTimeout(10_000);
                first.close();
                assertEquals(200, second.read().status());
            }
        }
    }

    @Test
    void sendTimeout() throws Exception {
        try (UdpLines statsd = new UdpLines();
                Cli cli = Cli.start("-p", "0", "--send-timeout", "0.5",
                        "--statsd", "{\"enable\": true, \"port\": " + statsd.port() + "}", LARGE);
                RawHttp stalled = new RawHttp(cliPort(cli))) {
            stalled.send(GET);
            // The client reads nothing; the server cuts the response (default: after 60 s) and counts it.
            Traffic.await(() -> {
                try {
                    return statsd.lines().contains("resp.aborted:1|c");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            InputStream in = stalled.socket.getInputStream();
            long received = in.transferTo(OutputStream.nullOutputStream());
            assertTrue(received < (long) Streams.CHUNK * Streams.CHUNKS, "the whole body arrived: " + received);
        }
    }

    @Test
    void drainTimeout() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--drain-timeout", "0.5", LARGE);
                RawHttp stalled = new RawHttp(cliPort(cli))) {
            stalled.send(GET);
            byte[] start = new byte[16];
            assertEquals(16, stalled.socket.getInputStream().readNBytes(start, 0, 16));
            assertTrue(new String(start, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
            // The response cannot finish while the client reads nothing; the drain (default 30 s) gives up.
            long signalled = System.nanoTime();
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
            long millis = (System.nanoTime() - signalled) / 1_000_000;
            assertTrue(millis < 10_000, "--drain-timeout 0.5: exited " + millis + " ms after SIGTERM");
        }
    }

    private static int cliPort(Cli cli) throws Exception {
        return Integer.parseInt(cli.awaitServing().group(4));
    }
}
