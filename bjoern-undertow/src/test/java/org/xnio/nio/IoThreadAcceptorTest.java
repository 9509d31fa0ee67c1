package org.xnio.nio;

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
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The acceptor reaches into XNIO's package-private NIO classes. This fails loudly when the pinned
 * XNIO changes under it: update the version only together with this class.
 */
class IoThreadAcceptorTest {
    @Test
    void xnioIsThePinnedVersion() {
        assertEquals("3.8.16.Final", Version.getVersionString(),
                "IoThreadAcceptor was written against XNIO 3.8.16.Final's NIO internals; re-check them");
    }

    @Test
    void acceptsOnTheIoThreadAndHandsOverConnectionsOfThatThread() throws Exception {
        XnioWorker worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        BlockingQueue<Object[]> opened = new ArrayBlockingQueue<>(4);
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            XnioIoThread ioThread = worker.getIoThread(0);
            IoThreadAcceptor acceptor = IoThreadAcceptor.start(ioThread, channel,
                    (StreamConnection connection) -> opened.add(new Object[] {Thread.currentThread(), connection}),
                    e -> { });
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) channel.getLocalAddress()).getPort())) {
                Object[] accepted = opened.poll(10, TimeUnit.SECONDS);
                assertTrue(accepted != null, "no connection was handed over");
                assertSame(ioThread, accepted[0], "accepted on another thread");
                StreamConnection connection = (StreamConnection) accepted[1];
                assertSame(ioThread, connection.getIoThread());
                assertEquals(client.getLocalPort(), connection.getPeerAddress(InetSocketAddress.class).getPort());
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
        XnioWorker worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        BlockingQueue<StreamConnection> opened = new ArrayBlockingQueue<>(4);
        java.net.UnixDomainSocketAddress address = java.net.UnixDomainSocketAddress.of(dir.resolve("s"));
        try (ServerSocketChannel channel = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            channel.bind(address);
            IoThreadAcceptor acceptor = IoThreadAcceptor.start(worker.getIoThread(0), channel, opened::add, e -> { });
            try (java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(address)) {
                StreamConnection connection = opened.poll(10, TimeUnit.SECONDS);
                assertTrue(connection instanceof UnixStreamConnection, "got " + connection);
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
}
