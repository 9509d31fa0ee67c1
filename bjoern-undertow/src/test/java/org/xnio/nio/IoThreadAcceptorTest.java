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
}
