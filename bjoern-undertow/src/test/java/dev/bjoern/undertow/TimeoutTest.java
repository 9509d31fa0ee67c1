package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.cliapps.Streams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The idle, request and send timeouts, the header size limit and the connection limit, against real sockets.
 * A timeout T is swept every min(1 s, T/4) and closes a connection after T and before T plus two sweeps;
 * the upper bounds below add a second for a busy machine.
 */
@Timeout(60)
class TimeoutTest {
    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final WsgiApplication APP = (environ, startResponse) -> {
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
        return List.of(HELLO);
    };
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    void anIdleKeepAliveConnectionIsClosedAtTheIdleTimeout() throws Exception {
        try (TestServer server = TestServer.start(APP, b -> b.idleTimeout(Duration.ofSeconds(1)));
                RawHttp used = server.connect(); RawHttp unused = server.connect()) {
            long opened = System.nanoTime();
            assertEquals(200, used.send(GET).read().status());
            long answered = System.nanoTime();
            assertClosedBetween(used, answered, 1000, 2500);
            assertClosedBetween(unused, opened, 1000, 2500);
        }
    }

    @Test
    void aKeepAliveConnectionInUseIsNotClosedByTheIdleTimeout() throws Exception {
        try (TestServer server = TestServer.start(APP, b -> b.idleTimeout(Duration.ofMillis(400)));
                RawHttp client = server.connect()) {
            // Requests for three times the idle timeout, one after another on one connection.
            long end = System.nanoTime() + 1_200_000_000L;
            int served = 0;
            while (System.nanoTime() < end) {
                assertEquals(200, client.send(GET).read().status());
                served++;
            }
            assertTrue(served > 10, "served " + served);
        }
    }

    @Test
    void slowlorisConnectionsAreClosedAtTheRequestTimeoutWhileANormalClientStaysFast() throws Exception {
        int attackers = 500;
        long timeoutMillis = 2000;
        try (TestServer server = TestServer.start(APP, b -> b.requestTimeout(Duration.ofMillis(timeoutMillis)));
                Selector selector = Selector.open()) {
            List<SocketChannel> slow = new ArrayList<>();
            long[] firstByte = new long[attackers];
            long[] closedAt = new long[attackers];
            for (int i = 0; i < attackers; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, i);
                slow.add(channel);
            }
            // One header byte per second on each connection, from another thread: headers never complete.
            byte[] header = GET.getBytes(StandardCharsets.US_ASCII);
            ScheduledExecutorService dripper = Executors.newSingleThreadScheduledExecutor();
            int[] sent = new int[1];
            dripper.scheduleAtFixedRate(() -> {
                int at = sent[0]++;
                for (int i = 0; i < attackers; i++) {
                    try {
                        slow.get(i).write(ByteBuffer.wrap(header, at % header.length, 1));
                        if (at == 0) {
                            synchronized (firstByte) {
                                firstByte[i] = System.nanoTime();
                            }
                        }
                    } catch (Exception closed) {
                        // Closed by the server: its close is recorded by the selector below.
                    }
                }
            }, 0, 1, TimeUnit.SECONDS);
            // Meanwhile a normal client, on a keep-alive connection, for longer than the attack lasts.
            FutureTask<List<Long>> normal = new FutureTask<>(() -> {
                List<Long> latencies = new ArrayList<>();
                try (RawHttp client = server.connect()) {
                    long end = System.nanoTime() + timeoutMillis * 1_000_000 + 2_000_000_000L;
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        RawHttp.Response response = client.send(GET).read();
                        latencies.add(System.nanoTime() - start);
                        assertEquals(200, response.status());
                    }
                }
                return latencies;
            });
            new Thread(normal, "normal client").start();
            try {
                int closed = 0;
                long deadline = System.nanoTime() + 30_000_000_000L;
                ByteBuffer sink = ByteBuffer.allocate(64);
                while (closed < attackers && System.nanoTime() < deadline) {
                    selector.select(1000);
                    for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        int read;
                        try {
                            sink.clear();
                            read = ((SocketChannel) key.channel()).read(sink);
                        } catch (Exception reset) {
                            read = -1;
                        }
                        assertTrue(read <= 0, "the server answered a request it cannot have parsed");
                        if (read < 0) {
                            closedAt[(Integer) key.attachment()] = System.nanoTime();
                            key.cancel();
                            closed++;
                        }
                    }
                }
                assertEquals(attackers, closed, "slowloris connections closed by the server");
            } finally {
                dripper.shutdownNow();
                for (SocketChannel channel : slow) {
                    channel.close();
                }
            }
            synchronized (firstByte) {
                for (int i = 0; i < attackers; i++) {
                    long after = (closedAt[i] - firstByte[i]) / 1_000_000;
                    assertTrue(after >= timeoutMillis && after < timeoutMillis + 2000,
                            "connection " + i + " closed " + after + " ms after its first byte; the timeout is "
                                    + timeoutMillis + " ms");
                }
            }
            // The normal client's failure, if it failed, fails the test here.
            List<Long> latencies = normal.get(30, TimeUnit.SECONDS);
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            assertTrue(sorted.length > 100, "the normal client made " + sorted.length + " requests");
            double p99 = sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6;
            System.out.printf("slowloris: %d attackers closed; normal client %d requests, p99 %.2f ms, max %.2f ms%n",
                    attackers, sorted.length, p99, sorted[sorted.length - 1] / 1e6);
            assertTrue(p99 < 10, "the normal client's p99 was " + p99 + " ms during the attack");
        }
    }

    @Test
    void aRequestBodyThatStallsIsClosedAtTheRequestTimeoutWithoutCallingTheApp() throws Exception {
        AtomicBoolean called = new AtomicBoolean();
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            called.set(true);
            return APP.call(environ, startResponse);
        }, b -> b.requestTimeout(Duration.ofSeconds(1))); RawHttp client = server.connect()) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
            assertClosedBetween(client, System.nanoTime(), 1000, 2500);
            assertFalse(called.get(), "the application was called with half a body");
        }
    }

    @Test
    void aRequestBodyThatKeepsComingIsReadPastTheRequestTimeout() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            byte[] body = ((InputStream) environ.get("wsgi.input")).readAllBytes();
            startResponse.call("200 OK", List.of());
            return List.of(body);
        }, b -> b.requestTimeout(Duration.ofMillis(400))); RawHttp client = server.connect()) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n");
            // Eight bytes over 1.6 s, four times the timeout, never pausing as long as the timeout (the sleeps
            // pace the client; they wait for nothing).
            for (int i = 0; i < 8; i++) {
                Thread.sleep(200);
                client.send(new byte[] {(byte) ('a' + i)});
            }
            RawHttp.Response response = client.read();
            assertEquals(200, response.status());
            assertEquals("abcdefgh", response.text());
        }
    }

    @Test
    void aPeerThatStopsReadingIsClosedAtTheSendTimeoutAndTheBodyClosed() throws Exception {
        CountDownLatch bodyClosed = new CountDownLatch(1);
        long[] closedAt = new long[1];
        byte[] chunk = new byte[64 * 1024];
        WsgiApplication endless = (environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return new CloseableBody() {
                @Override
                public Iterator<byte[]> iterator() {
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return true;
                        }

                        @Override
                        public byte[] next() {
                            return chunk;
                        }
                    };
                }

                @Override
                public void close() {
                    closedAt[0] = System.nanoTime();
                    bodyClosed.countDown();
                }
            };
        };
        try (TestServer server = TestServer.start(endless, b -> b.sendTimeout(Duration.ofSeconds(1)));
                RawHttp client = server.connect()) {
            long sent = System.nanoTime();
            client.send(GET);
            // The client reads nothing: once the socket buffers are full the response waits, then is closed.
            assertTrue(bodyClosed.await(20, TimeUnit.SECONDS), "the body of the stalled response was not closed");
            long after = (closedAt[0] - sent) / 1_000_000;
            assertTrue(after >= 1000 && after < 4000, "closed " + after + " ms after the request");
        }
    }

    @Test
    void theSendTimeoutHoldsWithMetricsOn() throws Exception {
        // The metrics' conduits must not hide the connection's watch from the exchange.
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TestServer server = TestServer.start(Streams.large,
                b -> b.sendTimeout(Duration.ofMillis(300)).meterRegistry(registry));
                RawHttp client = server.connect()) {
            client.send(GET);
            // The client reads nothing: the response is cut and counted as aborted.
            Traffic.await(() -> Traffic.count(registry, "resp.aborted") == 1);
            long received = client.socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            assertTrue(received < (long) Streams.CHUNK * Streams.CHUNKS, "the whole body arrived: " + received);
        }
    }

    @Test
    void aSlowReaderThatKeepsReadingIsNotClosedByTheSendTimeout() throws Exception {
        int chunks = 256;
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        WsgiApplication big = (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", String.valueOf(chunks * chunk.length))));
            return () -> new Iterator<>() {
                private int left = chunks;

                @Override
                public boolean hasNext() {
                    return left > 0;
                }

                @Override
                public byte[] next() {
                    left--;
                    return chunk;
                }
            };
        };
        try (TestServer server = TestServer.start(big, b -> b.sendTimeout(Duration.ofMillis(500)));
                Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            // 16 MiB read 1 MiB every 150 ms: about 2.4 s, each pause shorter than the timeout.
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            long start = System.nanoTime();
            while (true) {
                int read = in.read(buffer);
                if (read < 0) {
                    break;
                }
                long before = total;
                total += read;
                if (before / (1 << 20) != total / (1 << 20)) {
                    Thread.sleep(150);
                }
                if (total >= (long) chunks * chunk.length) {
                    break;
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            // The headers are about 80 bytes; all of the body must have arrived.
            assertTrue(total >= (long) chunks * chunk.length, "received " + total + " bytes in " + millis + " ms");
            assertTrue(millis > 1000, "the read took " + millis + " ms: the test did not read slowly");
        }
    }

    @Test
    void aHeaderBlockOverTheLimitIsAnswered400AndClosed() throws Exception {
        try (TestServer server = TestServer.start(APP, b -> b.maxHeaderSize(8192))) {
            try (RawHttp client = server.connect()) {
                RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(6000)
                        + "\r\n\r\n").read();
                assertEquals(200, response.status());
            }
            try (RawHttp client = server.connect()) {
                RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000)
                        + "\r\n\r\n").read();
                assertEquals(400, response.status());
                assertTrue(client.closedByServer());
            }
        }
    }

    @Test
    void atMaxConnectionsTheNextConnectionWaitsUntilOneCloses() throws Exception {
        try (TestServer server = TestServer.start(APP, b -> b.maxConnections(2));
                RawHttp first = server.connect(); RawHttp second = server.connect()) {
            assertEquals(200, first.send(GET).read().status());
            assertEquals(200, second.send(GET).read().status());
            try (RawHttp third = server.connect()) {
                // The kernel completes the handshake into the backlog; the server does not take it.
                third.send(GET);
                third.socket.setSoTimeout(1000);
                assertThrows(SocketTimeoutException.class, third::read, "served beyond max connections");
                third.socket.setSoTimeout(10_000);
                first.close();
                assertEquals(200, third.read().status());
                // And the limit holds again: a fourth waits while second and third are open.
                try (RawHttp fourth = server.connect()) {
                    fourth.send(GET);
                    fourth.socket.setSoTimeout(1000);
                    assertThrows(SocketTimeoutException.class, fourth::read, "served beyond max connections");
                }
            }
        }
    }

    @Test
    void badLimitsAreRefusedWithTheValue() {
        BjoernServer.Builder builder = BjoernServer.builder(APP);
        assertEquals("idle timeout must not be negative, got PT-1S", assertThrows(IllegalArgumentException.class,
                () -> builder.idleTimeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("request timeout must not be negative, got PT-0.001S", assertThrows(
                IllegalArgumentException.class, () -> builder.requestTimeout(Duration.ofMillis(-1))).getMessage());
        assertEquals("send timeout must not be negative, got PT-2M", assertThrows(IllegalArgumentException.class,
                () -> builder.sendTimeout(Duration.ofMinutes(-2))).getMessage());
        assertEquals("max header size must be at least 1024 bytes, got 1023", assertThrows(
                IllegalArgumentException.class, () -> builder.maxHeaderSize(1023)).getMessage());
        assertEquals("max connections must be 0 (no limit) or more, got -1", assertThrows(
                IllegalArgumentException.class, () -> builder.maxConnections(-1)).getMessage());
    }

    /** Waits for the server to close {@code client}; checks it did so {@code min} to {@code max} ms after {@code since}. */
    private static void assertClosedBetween(RawHttp client, long since, long min, long max) throws Exception {
        client.socket.setSoTimeout((int) max + 5000);
        InputStream in = client.socket.getInputStream();
        int read;
        try {
            read = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("not closed within " + (max + 5000) + " ms");
        } catch (java.io.IOException reset) {
            read = -1;
        }
        long after = (System.nanoTime() - since) / 1_000_000;
        assertEquals(-1, read, "the server sent a byte instead of closing");
        assertTrue(after >= min && after < max, "closed " + after + " ms after; expected " + min + " to " + max);
    }

    private interface CloseableBody extends Iterable<byte[]>, AutoCloseable {
    }
}
