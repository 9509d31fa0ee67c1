package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServerLifecycleTest {
    private static final WsgiApplication HELLO = (environ, startResponse) -> {
        startResponse.call("200 OK", List.of());
        return List.of(("hello from " + environ.get("SERVER_NAME")).getBytes());
    };

    @Test
    void portZeroBindsAFreePortThatAnswers() throws Exception {
        try (TestServer server = TestServer.start(HELLO); RawHttp client = server.connect()) {
            assertTrue(server.port() > 0);
            assertEquals("hello from 127.0.0.1", client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
        }
    }

    @Test
    void servesIpv6Loopback() throws Exception {
        try (BjoernServer server = BjoernServer.builder(HELLO).host("::1").port(0).build().start();
                Socket socket = new Socket(InetAddress.getByName("::1"), server.port())) {
            socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
            String response = new String(socket.getInputStream().readAllBytes());
            assertTrue(response.endsWith("hello from ::1"), response);
        }
    }

    @Test
    void aPortInUseIsAnErrorNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            BjoernServer server = BjoernServer.builder(HELLO).port(taken.getLocalPort()).build();
            BindException e = assertThrows(BindException.class, server::start);
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1 port " + taken.getLocalPort() + ": "),
                    e.getMessage());
        }
    }

    @Test
    void badSettingsAreRefusedWithTheValue() {
        assertEquals("port must be from 0 to 65535, got 70000",
                assertThrows(IllegalArgumentException.class, () -> BjoernServer.builder(HELLO).port(70000)).getMessage());
        assertEquals("host must be an IP address or a known host name, got \"no such host.invalid\"",
                assertThrows(IllegalArgumentException.class,
                        () -> BjoernServer.builder(HELLO).host("no such host.invalid")).getMessage());
        assertEquals("max body size must be from 0 to 2147483639 bytes, got -1",
                assertThrows(IllegalArgumentException.class,
                        () -> BjoernServer.builder(HELLO).maxBodySize(-1).build()).getMessage());
    }

    @Test
    void closeLetsTheResponseInFlightFinishAndRefusesNewConnections() throws Exception {
        int chunks = 512;
        CountDownLatch started = new CountDownLatch(1);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        WsgiApplication big = (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Length", String.valueOf((long) chunks * chunk.length))));
            return () -> new Iterator<>() {
                private int sent;

                @Override
                public boolean hasNext() {
                    return sent < chunks;
                }

                @Override
                public byte[] next() {
                    sent++;
                    started.countDown();
                    return chunk;
                }
            };
        };
        TestServer server = TestServer.start(big);
        try (RawHttp client = server.connect()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            // The response is under way (32 MiB cannot fit in socket buffers) when close() begins.
            assertTrue(started.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
                try {
                    server.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            waitUntilRefused(server.port());
            RawHttp.Response response = client.read();
            assertEquals(200, response.status());
            assertEquals(chunks * chunk.length, response.body.length);
            closing.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeAfterTheDrainTimeoutClosesTheBodyOfAParkedResponse() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger closes = new AtomicInteger();
        byte[] chunk = new byte[64 * 1024];
        WsgiApplication endless = (environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return new Closeable() {
                @Override
                public Iterator<byte[]> iterator() {
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return true;
                        }

                        @Override
                        public byte[] next() {
                            started.countDown();
                            return chunk;
                        }
                    };
                }

                @Override
                public void close() {
                    closes.incrementAndGet();
                }
            };
        };
        TestServer server = TestServer.start(endless, b -> b.drainTimeout(Duration.ZERO));
        try (RawHttp client = server.connect()) {
            // The client never reads: the response parks once the socket buffers are full.
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(started.await(10, TimeUnit.SECONDS));
            server.close();
            assertEquals(1, closes.get(), "the parked body is closed once when its connection is");
        }
    }

    @Test
    void closeReturnsAfterTheDrainTimeoutThoughTheApplicationBlocks() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestServer server = TestServer.start((environ, startResponse) -> {
            entered.countDown();
            release.await();
            startResponse.call("200 OK", List.of());
            return List.of();
        }, b -> b.drainTimeout(Duration.ofMillis(200)));
        try (RawHttp client = server.connect()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            server.close();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "close() took " + millis + " ms with a 200 ms drain timeout");
        } finally {
            release.countDown();
        }
    }

    @Test
    void closeCalledByTheApplicationStopsTheServerWithoutWaitingForItself() throws Exception {
        AtomicReference<BjoernServer> self = new AtomicReference<>();
        TestServer server = TestServer.start((environ, startResponse) -> {
            self.get().close();
            startResponse.call("200 OK", List.of());
            return List.of("bye".getBytes());
        });
        self.set(server.server);
        int port = server.port();
        try (RawHttp client = server.connect()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            // The worker shuts down once the application returns; the response may or may not get out first.
            client.readAll();
        }
        waitUntilRefused(port);
    }

    /** A body that is closeable: the server must close it exactly once. */
    private interface Closeable extends Iterable<byte[]>, AutoCloseable {
    }

    private static void waitUntilRefused(int port) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                Thread.onSpinWait();
            } catch (ConnectException refused) {
                return;
            } catch (SocketException reset) {
                // A connection caught in the backlog as the listening socket closed: refused too.
                return;
            }
        }
        throw new AssertionError("the server still accepts connections while closing");
    }
}
