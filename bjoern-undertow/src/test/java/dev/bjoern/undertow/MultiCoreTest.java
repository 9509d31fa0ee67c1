package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Multi-core: N loops in one JVM (workers), and N processes sharing a port with SO_REUSEPORT. */
class MultiCoreTest {
    private static final String APP = "dev.bjoern.undertow.cliapps.Where:app";

    /** One request on a new connection; returns the body. */
    private static String get(int port) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) Cli.TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private static String value(String body, String key) {
        for (String line : body.split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + " in " + body);
    }

    @Test
    void workersRunTheApplicationOnSeveralLoopsAtOnce() throws Exception {
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WsgiApplication app = (environ, startResponse) -> {
            if ("/block".equals(environ.get("PATH_INFO"))) {
                firstInside.countDown();
                release.await(Cli.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            startResponse.call("200 OK", List.of());
            return List.of((Thread.currentThread().getName() + "|" + environ.get("wsgi.multithread")).getBytes());
        };
        try (BjoernServer server = BjoernServer.builder(app).port(0).workers(2).build().start();
                RawHttp blocked = new RawHttp(server.port())) {
            blocked.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(firstInside.await(Cli.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            // One loop is stuck in the application: the other must accept and answer.
            String other = get(server.port());
            release.countDown();
            String first = blocked.read().text();
            assertTrue(other.endsWith("|true") && first.endsWith("|true"), other + " / " + first);
            assertNotEquals(first.split("\\|")[0], other.split("\\|")[0], "both requests ran on one loop");
        }
    }

    @Test
    void oneWorkerSaysItIsNotMultithreaded() throws Exception {
        try (BjoernServer server = BjoernServer.builder(dev.bjoern.undertow.cliapps.Where.app).port(0).build().start()) {
            assertEquals("false", value(get(server.port()), "wsgi.multithread"));
        }
    }

    @Test
    void theCommandLineSpreadsConnectionsOverItsWorkers() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--workers", "2", APP)) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            Map<String, Integer> threads = new HashMap<>();
            // Concurrent connections, so that a loop busy with one leaves the next to the other.
            List<CompletableFuture<String>> bodies = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                bodies.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return get(port);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<String> body : bodies) {
                String text = body.get(Cli.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals("true", value(text, "wsgi.multithread"));
                threads.merge(value(text, "thread"), 1, Integer::sum);
            }
            assertEquals(2, threads.size(), "connections per loop: " + threads);
        }
    }

    @Test
    void twoProcessesWithReusePortShareOnePortAndOneServesAllWhenTheOtherStops() throws Exception {
        try (Cli first = Cli.start("-p", "0", "--reuse-port", APP)) {
            int port = Integer.parseInt(first.awaitServing().group(4));
            try (Cli second = Cli.start("-p", Integer.toString(port), "--reuse-port", APP)) {
                second.awaitServing();
                Map<String, Integer> perProcess = new HashMap<>();
                for (int i = 0; i < 200; i++) {
                    perProcess.merge(value(get(port), "pid"), 1, Integer::sum);
                }
                assertEquals(Map.of(Long.toString(first.process.pid()), perProcess.get(Long.toString(first.process.pid())),
                        Long.toString(second.process.pid()), perProcess.get(Long.toString(second.process.pid()))),
                        perProcess, "both processes must serve a share of 200 connections: " + perProcess);
                System.err.println("reuse-port: 200 new connections split " + perProcess.values());

                second.signal("TERM");
                assertEquals(0, second.awaitExit());
                for (int i = 0; i < 50; i++) {
                    assertEquals(Long.toString(first.process.pid()), value(get(port), "pid"));
                }
            }
        }
    }

    @Test
    void withoutReusePortASecondProcessCannotTakeThePort() throws Exception {
        try (Cli first = Cli.start("-p", "0", "--reuse-port", APP)) {
            String port = first.awaitServing().group(4);
            try (Cli second = Cli.start("-p", port, APP)) {
                assertEquals(1, second.awaitExit());
                assertTrue(second.stderr().startsWith("bjoern: cannot listen on 127.0.0.1 port " + port + ": "),
                        second.stderr());
            }
        }
    }
}
