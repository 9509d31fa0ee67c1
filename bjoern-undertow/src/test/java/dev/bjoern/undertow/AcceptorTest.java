package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xnio.Options;
import org.xnio.StreamConnection;

/** Accepting on a loop: connections of that loop, TCP and unix, over XNIO's public types only. */
class AcceptorTest {
    @Test
    void acceptsOnTheIoThreadAndHandsOverConnectionsOfThatThread() throws Exception {
        Loops worker = Loops.start("test", 1, null);
        BlockingQueue<Object[]> opened = new ArrayBlockingQueue<>(4);
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            Loop ioThread = worker.getIoThread(0);
            Acceptor acceptor = startOn(ioThread, channel,
                    (StreamConnection connection) -> opened.add(new Object[] {Thread.currentThread(), connection}));
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) channel.getLocalAddress()).getPort())) {
                Object[] accepted = opened.poll(10, TimeUnit.SECONDS);
                assertTrue(accepted != null, "no connection was handed over");
                assertSame(ioThread, accepted[0], "accepted on another thread");
                StreamConnection connection = (StreamConnection) accepted[1];
                assertSame(ioThread, connection.getIoThread());
                assertEquals(client.getLocalPort(), connection.getPeerAddress(InetSocketAddress.class).getPort());
                assertEquals(true, connection.getOption(Options.TCP_NODELAY), "accepted TCP connections send at once");
                connection.close();
            }
            acceptor.close();
            assertTrue(!channel.isOpen(), "close() must close the listening channel");
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void handsOverUnixConnectionsThatHalfCloseAndKeepTheirTimeouts(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        Loops worker = Loops.start("test", 1, null);
        BlockingQueue<StreamConnection> opened = new ArrayBlockingQueue<>(4);
        java.net.UnixDomainSocketAddress address = java.net.UnixDomainSocketAddress.of(dir.resolve("s"));
        try (ServerSocketChannel channel = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            channel.bind(address);
            Acceptor acceptor = startOn(worker.getIoThread(0), channel, opened::add);
            try (java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(address)) {
                StreamConnection connection = opened.poll(10, TimeUnit.SECONDS);
                assertTrue(connection instanceof SocketConnection, "got " + connection);
                assertEquals(address, connection.getLocalAddress());
                assertTrue(connection.getPeerAddress() instanceof java.net.UnixDomainSocketAddress);
                connection.setOption(Options.READ_TIMEOUT, 1500);
                assertEquals(1500, connection.getOption(Options.READ_TIMEOUT));
                // Half-close: the client reads the bytes, then the end of the stream.
                java.nio.ByteBuffer hello = java.nio.ByteBuffer.wrap("hello".getBytes());
                worker.getIoThread(0).execute(() -> {
                    try {
                        connection.getSinkChannel().write(hello);
                        connection.getSinkChannel().shutdownWrites();
                        connection.getSinkChannel().flush();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                java.io.InputStream in = java.nio.channels.Channels.newInputStream(client);
                assertEquals("hello", new String(in.readAllBytes()));
                connection.close();
            }
            acceptor.close();
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void aConnectionClosedFromAnotherThreadIsClosedAtOnceAndBlockingWaitsHonourInterrupts() throws Exception {
        Loops worker = Loops.start("test", 1, null);
        BlockingQueue<StreamConnection> opened = new ArrayBlockingQueue<>(4);
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            Acceptor acceptor = startOn(worker.getIoThread(0), channel, opened::add);
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) channel.getLocalAddress()).getPort())) {
                StreamConnection connection = opened.poll(10, TimeUnit.SECONDS);
                assertTrue(connection != null, "no connection was handed over");
                // A blocking wait off the IO thread, interrupted: it throws instead of returning as if ready.
                Thread.currentThread().interrupt();
                try {
                    connection.getSourceChannel().awaitReadable();
                    org.junit.jupiter.api.Assertions.fail("awaitReadable returned with the thread interrupted");
                } catch (java.io.InterruptedIOException expected) {
                    assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
                }
                // The loop sleeps (no timers, no tasks): closing from here must still release the socket now.
                connection.close();
                client.setSoTimeout(10_000);
                assertEquals(-1, client.getInputStream().read(), "the peer sees the end of the stream");
            }
            acceptor.close();
        } finally {
            worker.shutdownNow();
        }
    }

    /** Starts accepting on the loop, as the server does. */
    private static Acceptor startOn(Loop loop, ServerSocketChannel channel,
            org.xnio.ChannelListener<StreamConnection> opened) throws Exception {
        java.util.concurrent.FutureTask<Acceptor> starting = new java.util.concurrent.FutureTask<>(
                () -> Acceptor.start(loop, channel, opened, e -> { }));
        loop.execute(starting);
        return starting.get(10, TimeUnit.SECONDS);
    }
}
