package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

/** bjoern's run variants: run(app, "unix:/path"), run(app, host, port, reusePort), serverRun(channel or fd, app). */
class BjoernRunVariantsTest {
    private static final WsgiApplication HELLO = (environ, startResponse) -> {
        startResponse.call("200 OK", List.of());
        return List.of("hi".getBytes());
    };

    @TempDir
    Path dir;

    private interface Run {
        void run() throws Exception;
    }

    private static CompletableFuture<Void> inBackground(Run run) {
        return CompletableFuture.runAsync(() -> {
            try {
                run.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String curl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Tools.require("curl", "apt-get install curl")
                .toString(), "-sS", "--max-time", "20"));
        command.addAll(List.of(args));
        return Command.run(command.toArray(String[]::new)).ok();
    }

    /** Waits until a unix socket file answers: run() has bound it. */
    private static void awaitListening(Path socket, CompletableFuture<Void> running) throws Exception {
        long deadline = System.nanoTime() + Cli.TIMEOUT.toNanos();
        while (true) {
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(socket));
                return;
            } catch (java.io.IOException notYet) {
                assertFalse(running.isDone(), "run() ended early");
                assertTrue(System.nanoTime() < deadline, "nothing listens on " + socket);
                Thread.sleep(5);
            }
        }
    }

    @Test
    void runOnAUnixPathServesUntilSigtermAndDeletesTheFile() throws Exception {
        Path socket = dir.resolve("run.sock");
        CompletableFuture<Void> running = inBackground(() -> Bjoern.run(HELLO, "unix:" + socket));
        awaitListening(socket, running);
        // A served request shows run() has started, and so has installed its signal handlers.
        assertEquals("hi", curl("--unix-socket", socket.toString(), "http://x/"));
        Signal.raise(new Signal("TERM"));
        running.get(30, TimeUnit.SECONDS);
        assertFalse(socket.toFile().exists(), "run() must delete the socket file when it ends");
    }

    @Test
    void runWithReusePortSharesThePortWithAnotherSocket() throws Exception {
        // Another SO_REUSEPORT socket holds a free port; run() must be able to bind it too.
        ServerSocketChannel other = ServerSocketChannel.open();
        other.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) other.getLocalAddress()).getPort();
        CompletableFuture<Void> running = inBackground(() -> Bjoern.run(HELLO, "127.0.0.1", port, true));
        String ss = Tools.require("ss", "apt-get install iproute2").toString();
        long deadline = System.nanoTime() + Cli.TIMEOUT.toNanos();
        while (Command.run(ss, "-ltnH", "sport = :" + port).ok().lines().count() < 2) {
            assertFalse(running.isDone(), "run() ended early");
            assertTrue(System.nanoTime() < deadline, "run() never listened on port " + port);
            Thread.sleep(5);
        }
        // Now the kernel gives every new connection to run()'s socket.
        other.close();
        assertEquals("hi", curl("http://127.0.0.1:" + port + "/"));
        Signal.raise(new Signal("TERM"));
        running.get(30, TimeUnit.SECONDS);
    }

    @Test
    void serverRunServesACallersChannelUntilSigint() throws Exception {
        ServerSocketChannel channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        CompletableFuture<Void> running = inBackground(() -> Bjoern.serverRun(channel, HELLO));
        assertEquals("hi", curl("http://127.0.0.1:" + port + "/"));
        Signal.raise(new Signal("INT"));
        running.get(30, TimeUnit.SECONDS);
        assertFalse(channel.isOpen());
    }

    @Test
    void serverRunRefusesAnFdZeroThatIsNoListeningSocketAndFreesTheGlobalSlot() throws Exception {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Bjoern.serverRun(0, HELLO));
        assertTrue(refused.getMessage().startsWith("fd 0 must be a listening stream socket, got "),
                refused.getMessage());
        int port = Bjoern.listen(HELLO, "127.0.0.1", 0).port();
        CompletableFuture<Void> running = inBackground(Bjoern::run);
        // Served: run() has installed its signal handlers, so SIGTERM stops it rather than this JVM.
        assertEquals("hi", curl("http://127.0.0.1:" + port + "/"));
        Signal.raise(new Signal("TERM"));
        running.get(30, TimeUnit.SECONDS);
    }
}
