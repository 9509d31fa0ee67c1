package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bjoern.WsgiApplication;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** An application that blocks, called on a pool of threads or a virtual thread per request. */
class BlockingAppTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final int JDK = Runtime.version().feature();

    /** Blocks 100 ms per call and records how many calls ran at once. */
    private static final class Sleeper implements WsgiApplication {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();

        @Override
        public Iterable<byte[]> call(Map<String, Object> environ, dev.bjoern.StartResponse startResponse)
                throws Exception {
            int now = running.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(100);
            } finally {
                running.decrementAndGet();
            }
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")), null);
            return List.of(("multithread=" + environ.get("wsgi.multithread")).getBytes());
        }
    }

    /** 32 requests at once, each on its own connection; returns how long they took, in ms. */
    private static long thirtyTwoAtOnce(TestServer server) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(32);
        try {
            CountDownLatch ready = new CountDownLatch(32);
            List<Future<String>> answers = new ArrayList<>();
            List<RawHttp> connections = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                connections.add(server.connect());
            }
            long start = System.nanoTime();
            for (RawHttp connection : connections) {
                answers.add(clients.submit(() -> {
                    ready.countDown();
                    try (RawHttp c = connection) {
                        RawHttp.Response response = c.send(GET).read();
                        return response.status() + " " + new String(response.body);
                    }
                }));
            }
            for (Future<String> answer : answers) {
                assertEquals("200 multithread=true", answer.get(30, TimeUnit.SECONDS));
            }
            return (System.nanoTime() - start) / 1_000_000;
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aPoolOfSixteenServesThirtyTwoBlockingCallsInTwoRounds() throws Exception {
        Sleeper app = new Sleeper();
        try (TestServer server = TestServer.start(app, b -> b.threads(16))) {
            long millis = thirtyTwoAtOnce(server);
            assertEquals(16, app.most.get(), "at most 16 calls at once, and all 16 threads used");
            // On the IO thread they would take 32 x 100 ms; on 16 threads, two rounds of 100 ms.
            assertTrue(millis >= 200 && millis < 1600, "took " + millis + " ms");
        }
    }

    @Test
    void aVirtualThreadPerCallServesThirtyTwoBlockingCallsAtOnce() throws Exception {
        assumeTrue(JDK >= 21, "virtual threads need JDK 21; the refusal is tested below");
        Sleeper app = new Sleeper();
        try (TestServer server = TestServer.start(app, BjoernServer.Builder::virtualThreads)) {
            long millis = thirtyTwoAtOnce(server);
            assertEquals(32, app.most.get(), "every call at once");
            assertTrue(millis >= 100 && millis < 1600, "took " + millis + " ms");
        }
    }

    @Test
    void virtualThreadsBeforeJdk21AreRefusedNamingTheJdk() {
        assumeTrue(JDK < 21, "this JDK has virtual threads");
        UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                () -> BjoernServer.builder((e, s) -> List.of()).virtualThreads());
        assertEquals("virtual threads need JDK 21 or newer; this is JDK " + JDK + " (give a number of threads"
                + " instead)", refused.getMessage());
    }

    @Test
    void aBlockedCallHoldsNeitherTheLoopNorTheOtherThreads() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WsgiApplication app = (environ, startResponse) -> {
            if (environ.get("PATH_INFO").equals("/slow")) {
                release.await();
            }
            startResponse.call("200 OK", List.of(), null);
            return List.of(((String) environ.get("PATH_INFO")).getBytes());
        };
        try (TestServer server = TestServer.start(app, b -> b.threads(2));
                RawHttp slow = server.connect(); RawHttp health = server.connect()) {
            slow.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            assertArrayEquals("/health".getBytes(), health.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read().body);
            release.countDown();
            assertArrayEquals("/slow".getBytes(), slow.read().body);
        }
    }

    /** A lazy body of {@code chunks} chunks of 256 KiB, counting its pulls and its close. */
    private static final class LazyBody implements Iterable<byte[]>, Closeable {
        final int chunks;
        final AtomicInteger pulled = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        LazyBody(int chunks) {
            this.chunks = chunks;
        }

        @Override
        public Iterator<byte[]> iterator() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return pulled.get() < chunks;
                }

                @Override
                public byte[] next() {
                    pulled.incrementAndGet();
                    return new byte[256 * 1024];
                }
            };
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    @Test
    void aSlowReaderOfALargeLazyBodyHoldsNoThreadBetweenChunks() throws Exception {
        LazyBody large = new LazyBody(256); // 64 MiB: far more than the socket buffers hold
        WsgiApplication app = (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(), null);
            return environ.get("PATH_INFO").equals("/large") ? large : List.of("small".getBytes());
        };
        try (TestServer server = TestServer.start(app, b -> b.threads(1));
                RawHttp reader = server.connect(); RawHttp other = server.connect()) {
            reader.send("GET /large HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            // The reader takes a few bytes, then nothing: the socket fills and the response waits for it.
            assertEquals(16, reader.readBytes(16).length);
            // The one thread is free: another request is called and answered meanwhile.
            assertArrayEquals("small".getBytes(), other.send(GET).read().body);
            assertTrue(large.pulled.get() < large.chunks, "the body is pulled at the reader's pace, not ahead");
            byte[] rest = reader.readAll();
            assertTrue(rest.length > 0);
            assertEquals(large.chunks, large.pulled.get());
            assertEquals(1, large.closed.get(), "closed once");
        }
    }

    @Test
    void aBodyMadeAfterItsConnectionClosedIsClosedOnce() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LazyBody body = new LazyBody(4);
        AtomicInteger calls = new AtomicInteger();
        WsgiApplication app = (environ, startResponse) -> {
            called.countDown();
            release.await();
            startResponse.call("200 OK", List.of(), null);
            return calls.incrementAndGet() == 1 ? body : List.of("next".getBytes());
        };
        try (TestServer server = TestServer.start(app, b -> b.threads(1))) {
            try (RawHttp gone = server.connect()) {
                gone.send(GET);
                assertTrue(called.await(10, TimeUnit.SECONDS));
            }
            // The server sees the close while the application still runs; then the application returns.
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (body.closed.get() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, body.closed.get(), "closed once, though never sent");
            // And the server goes on serving.
            try (RawHttp next = server.connect()) {
                assertArrayEquals("next".getBytes(), next.send(GET).read().body);
            }
            assertEquals(1, body.closed.get());
        }
    }

    @Test
    void anApplicationErrorOnThePoolIsA500() throws Exception {
        WsgiApplication app = (environ, startResponse) -> {
            throw new IllegalStateException("boom on " + Thread.currentThread().getName());
        };
        try (TestServer server = TestServer.start(app, b -> b.threads(1)); RawHttp client = server.connect()) {
            assertEquals(500, client.send(GET).read().status());
            assertTrue(server.errors().contains("java.lang.IllegalStateException: boom on bjoern app-1"),
                    server.errors());
        }
    }

    @Test
    void badThreadCountsAreRefused() {
        UnaryOperator<BjoernServer.Builder> none = b -> b.threads(0);
        assertEquals("threads must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> none.apply(BjoernServer.builder((e, s) -> List.of()))).getMessage());
    }

    @Test
    void theCommandLineCallsTheAppOnItsThreads() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--threads", "2", "dev.bjoern.undertow.cliapps.Where:app")) {
            String body = Command.run(Tools.require("curl", "apt-get install curl").toString(), "-sS", "--max-time",
                    "20", "http://127.0.0.1:" + cli.awaitServing().group(4) + "/").ok();
            assertTrue(body.contains("\nwsgi.multithread=true\nthread=bjoern app-"), body);
        }
    }

    @Test
    void theCommandLineRefusesABadThreadCountAndVirtualThreadsBeforeJdk21() throws Exception {
        for (String bad : List.of("0", "-1", "many", "")) {
            try (Cli cli = Cli.start("--threads", bad, "dev.bjoern.undertow.cliapps.Where:app")) {
                assertEquals(2, cli.awaitExit());
                assertTrue(cli.stderr().startsWith("bjoern: --threads must be a number of threads (at least 1) or"
                        + " \"virtual\", got \"" + bad + "\"\n"), cli.stderr());
            }
        }
        if (JDK < 21) {
            try (Cli cli = Cli.start("-p", "0", "--threads", "virtual", "dev.bjoern.undertow.cliapps.Where:app")) {
                assertEquals(1, cli.awaitExit());
                assertEquals("bjoern: --threads virtual: virtual threads need JDK 21 or newer; this is JDK " + JDK
                        + " (give a number of threads instead)\n", cli.stderr());
            }
        }
    }

    @Test
    void closeLetsACallUnderWayOnAnApplicationThreadFinish() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WsgiApplication app = (environ, startResponse) -> {
            called.countDown();
            release.await();
            startResponse.call("200 OK", List.of(), null);
            return List.of("done".getBytes());
        };
        TestServer server = TestServer.start(app, b -> b.threads(1));
        ExecutorService closing = Executors.newSingleThreadExecutor();
        try (RawHttp client = server.connect()) {
            client.send(GET);
            assertTrue(called.await(10, TimeUnit.SECONDS));
            Future<?> closed = closing.submit(() -> {
                server.server.close();
                return null;
            });
            release.countDown();
            assertArrayEquals("done".getBytes(), client.read().body);
            closed.get(30, TimeUnit.SECONDS);
            assertTrue(client.closedByServer(), "the drain ends the connection after its response");
            assertTrue(server.server.loopsEnded(), "the loops and the application's threads have ended");
        } finally {
            closing.shutdownNow();
            server.close();
        }
    }

    @Test
    void theCommandLineClosesTheAppAfterTheDrainWithThreads() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--threads", "2", "dev.bjoern.undertow.cliapps.Closing:app")) {
            String body = Command.run(Tools.require("curl", "apt-get install curl").toString(), "-sS", "--max-time",
                    "20", "http://127.0.0.1:" + cli.awaitServing().group(4) + "/").ok();
            assertEquals("open", body);
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
            assertEquals("closed\n", cli.stdout(), "the application threads have ended: the app is closed");
        }
    }

    @Test
    void anApplicationThatStopsItsServerFromACallStillAnswersIt() throws Exception {
        java.util.concurrent.atomic.AtomicReference<BjoernServer> self = new java.util.concurrent.atomic.AtomicReference<>();
        WsgiApplication app = (environ, startResponse) -> {
            self.get().close();
            startResponse.call("200 OK", List.of(), null);
            return List.of("stopping".getBytes());
        };
        try (TestServer server = TestServer.start(app, b -> b.threads(1).drainTimeout(java.time.Duration.ofSeconds(60)));
                RawHttp client = server.connect()) {
            self.set(server.server);
            // The call cannot wait for its own drain: close() returns, and the drain lets this response out.
            assertArrayEquals("stopping".getBytes(), client.send(GET).read().body);
            assertTrue(client.closedByServer(), "the stop ends the connection after its response");
        }
    }

    @Test
    void aLazyBodyWhoseThreadsStoppedIsCutShortAndClosedOnce() throws Exception {
        LazyBody large = new LazyBody(256);
        WsgiHandler handler = WsgiHandler.builder((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(), null);
            return large;
        }).threads(1).build();
        io.undertow.Undertow host = io.undertow.Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1)
                .setHandler(handler).build();
        host.start();
        try (RawHttp reader = new RawHttp(((java.net.InetSocketAddress) host.getListenerInfo().get(0).getAddress())
                .getPort())) {
            reader.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(16, reader.readBytes(16).length);
            // The threads stop while the response waits for the reader: the next pull cannot run.
            handler.close();
            byte[] rest = reader.readAll();
            assertTrue(16 + rest.length < 256 * 256 * 1024, "the response is cut short, not completed");
            Traffic.await(() -> large.closed.get() == 1);
            assertEquals(1, large.closed.get(), "closed once");
        } finally {
            host.stop();
        }
    }
}
