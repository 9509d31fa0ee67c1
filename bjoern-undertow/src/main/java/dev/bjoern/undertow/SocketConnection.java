package dev.bjoern.undertow;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.Selector;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.xnio.Option;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.ReadTimeoutException;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.channels.WriteTimeoutException;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;
import org.xnio.conduits.WriteReadyHandler;

/**
 * A connection accepted by an {@link Acceptor}: a JDK {@link SocketChannel}, TCP or unix-domain (a path or
 * the abstract namespace), served by its {@link Loop}.
 *
 * <p>Addresses come from the channel itself ({@code InetSocketAddress} for TCP, {@code UnixDomainSocketAddress}
 * for unix, where the peer's is usually unnamed). {@code READ_TIMEOUT} and {@code WRITE_TIMEOUT} behave as on
 * XNIO's own connections: a read or write that moves nothing, longer than the timeout after the last one that
 * moved bytes, throws. Undertow's own timeouts (idle, request parse) are timers and conduits of its own.
 * TCP connections also take {@code TCP_NODELAY}, {@code KEEP_ALIVE}, {@code SEND_BUFFER}, {@code RECEIVE_BUFFER}
 * and {@code CLOSE_ABORT}.
 */
final class SocketConnection extends StreamConnection {
    /** Each blocking thread's selector for {@link Conduit#await}, as XNIO keeps one per thread. */
    private static final ThreadLocal<Selector> AWAIT = ThreadLocal.withInitial(() -> {
        try {
            return Selector.open();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("opening a selector to wait on failed", e);
        }
    });

    private final Conduit conduit;
    private final boolean tcp;

    SocketConnection(Loop loop, SocketChannel channel, boolean tcp) throws ClosedChannelException {
        super(loop);
        this.tcp = tcp;
        conduit = loop.register(channel, key -> new Conduit(loop, key, this));
        setSinkConduit(conduit);
        setSourceConduit(conduit);
    }

    @Override
    public SocketAddress getPeerAddress() {
        try {
            return conduit.channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public SocketAddress getLocalAddress() {
        try {
            return conduit.channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public boolean supportsOption(Option<?> option) {
        return option == Options.READ_TIMEOUT || option == Options.WRITE_TIMEOUT || tcp && socketOption(option) != null;
    }

    @Override
    public <T> T getOption(Option<T> option) throws IOException {
        if (option == Options.READ_TIMEOUT) {
            return option.cast(conduit.readTimeout);
        }
        if (option == Options.WRITE_TIMEOUT) {
            return option.cast(conduit.writeTimeout);
        }
        SocketOption<?> socket = tcp ? socketOption(option) : null;
        if (socket == null) {
            return null;
        }
        Object value = conduit.channel.getOption(socket);
        return option.cast(option == Options.CLOSE_ABORT ? Boolean.valueOf((Integer) value == 0) : value);
    }

    @Override
    public <T> T setOption(Option<T> option, T value) throws IOException {
        if (option == Options.READ_TIMEOUT || option == Options.WRITE_TIMEOUT) {
            int timeout = value == null ? 0 : (Integer) value;
            T old = getOption(option);
            if (option == Options.READ_TIMEOUT) {
                conduit.readTimeout = timeout;
            } else {
                conduit.writeTimeout = timeout;
            }
            return old;
        }
        SocketOption<?> socket = tcp ? socketOption(option) : null;
        if (socket == null) {
            return null;
        }
        T old = getOption(option);
        if (option == Options.CLOSE_ABORT) {
            conduit.channel.setOption(StandardSocketOptions.SO_LINGER, Boolean.TRUE.equals(value) ? 0 : -1);
        } else {
            @SuppressWarnings("unchecked")
            SocketOption<Object> typed = (SocketOption<Object>) socket;
            conduit.channel.setOption(typed, value);
        }
        return old;
    }

    /** The JDK's name for one of XNIO's TCP options, or null. */
    private static SocketOption<?> socketOption(Option<?> option) {
        if (option == Options.TCP_NODELAY) {
            return StandardSocketOptions.TCP_NODELAY;
        }
        if (option == Options.KEEP_ALIVE) {
            return StandardSocketOptions.SO_KEEPALIVE;
        }
        if (option == Options.SEND_BUFFER) {
            return StandardSocketOptions.SO_SNDBUF;
        }
        if (option == Options.RECEIVE_BUFFER) {
            return StandardSocketOptions.SO_RCVBUF;
        }
        if (option == Options.CLOSE_ABORT) {
            return StandardSocketOptions.SO_LINGER;
        }
        return null;
    }

    @Override
    protected void closeAction() throws IOException {
        conduit.cancel();
        try {
            conduit.channel.close();
        } catch (ClosedChannelException ignored) {
            // Closed already: nothing left to release.
        }
    }

    @Override
    protected void notifyWriteClosed() {
        conduit.writeTerminated();
        super.notifyWriteClosed();
    }

    @Override
    protected void notifyReadClosed() {
        conduit.readTerminated();
        super.notifyReadClosed();
    }

    /** Both directions of the socket, driven by the IO thread's selector. */
    private static final class Conduit extends Loop.Handle implements StreamSourceConduit, StreamSinkConduit {
        final SocketChannel channel;
        private final SocketConnection connection;
        private ReadReadyHandler readReady;
        private WriteReadyHandler writeReady;
        /** Milliseconds; 0 for none. Set from any thread, read on the IO thread. */
        volatile int readTimeout;
        volatile int writeTimeout;
        private long lastRead;
        private long lastWrite;

        Conduit(Loop loop, SelectionKey key, SocketConnection connection) {
            super(loop, key);
            this.channel = (SocketChannel) key.channel();
            this.connection = connection;
        }

        /** As XNIO's connections: a side that is shut down is suspended, not called; each side on its own. */
        @Override
        void ready(int ops) {
            int ready = ops;
            if (ready == 0) {
                // A key selected with no ready ops (a JDK quirk XNIO guards against too): act on the interest.
                try {
                    ready = key.interestOps();
                } catch (CancelledKeyException closed) {
                    return;
                }
            }
            if ((ready & SelectionKey.OP_READ) != 0 && readReady != null) {
                try {
                    if (isReadShutdown()) {
                        suspend(SelectionKey.OP_READ);
                    } else {
                        readReady.readReady();
                    }
                } catch (CancelledKeyException closed) {
                    // Closed while handling: the close listeners have run.
                } catch (Throwable t) {
                    loop.failed(t);
                }
            }
            if ((ready & SelectionKey.OP_WRITE) != 0 && writeReady != null) {
                try {
                    if (isWriteShutdown()) {
                        suspend(SelectionKey.OP_WRITE);
                    } else {
                        writeReady.writeReady();
                    }
                } catch (CancelledKeyException closed) {
                    // Closed while handling.
                } catch (Throwable t) {
                    loop.failed(t);
                }
            }
        }

        @Override
        void forceTermination() {
            if (readReady != null) {
                readReady.forceTermination();
            }
            if (writeReady != null) {
                writeReady.forceTermination();
            }
        }

        void readTerminated() {
            if (readReady != null) {
                readReady.terminated();
            }
        }

        void writeTerminated() {
            if (writeReady != null) {
                writeReady.terminated();
            }
        }

        @Override
        public XnioWorker getWorker() {
            return loop.getWorker();
        }

        // Reading

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int read;
            try {
                read = channel.read(dst);
            } catch (ClosedChannelException e) {
                return -1;
            }
            return (int) readMoved(read);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            if (length == 1) {
                return read(dsts[offset]);
            }
            long read;
            try {
                read = channel.read(dsts, offset, length);
            } catch (ClosedChannelException e) {
                return -1;
            }
            return readMoved(read);
        }

        @Override
        public long transferTo(long position, long count, FileChannel target) throws IOException {
            return readMoved(target.transferFrom(channel, position, count));
        }

        /**
         * Notes a read that moved bytes; throws if none moved for longer than the read timeout. At the end of
         * the stream, shuts reads down, as XNIO's connections do: the peer closed its side.
         */
        private long readMoved(long read) throws IOException {
            if (read < 0) {
                terminateReads();
                return read;
            }
            int timeout = readTimeout;
            if (timeout > 0) {
                long now = System.nanoTime();
                if (read > 0 || lastRead == 0) {
                    lastRead = now;
                } else if ((now - lastRead) / 1_000_000L > timeout) {
                    throw new ReadTimeoutException("no bytes read for over " + timeout + " ms");
                }
            }
            return read;
        }

        @Override
        public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
            return Conduits.transfer(this, count, throughBuffer, target);
        }

        @Override
        public void terminateReads() throws IOException {
            if (connection.readClosed()) {
                try {
                    suspend(SelectionKey.OP_READ);
                    channel.shutdownInput();
                } catch (ClosedChannelException ignored) {
                    // Nothing left to shut.
                } finally {
                    readTerminated();
                }
            }
        }

        @Override
        public boolean isReadShutdown() {
            return connection.isReadShutdown();
        }

        @Override
        public void resumeReads() {
            resume(SelectionKey.OP_READ);
        }

        @Override
        public void suspendReads() {
            suspend(SelectionKey.OP_READ);
        }

        @Override
        public void wakeupReads() {
            wakeup(SelectionKey.OP_READ);
        }

        @Override
        public boolean isReadResumed() {
            return isResumed(SelectionKey.OP_READ);
        }

        @Override
        public void awaitReadable() throws IOException {
            await(SelectionKey.OP_READ, 0);
        }

        @Override
        public void awaitReadable(long time, TimeUnit unit) throws IOException {
            await(SelectionKey.OP_READ, time <= 0 ? 0 : Math.max(1, unit.toMillis(time)));
        }

        @Override
        public XnioIoThread getReadThread() {
            return loop;
        }

        @Override
        public void setReadReadyHandler(ReadReadyHandler handler) {
            readReady = handler;
        }

        // Writing

        @Override
        public int write(ByteBuffer src) throws IOException {
            return (int) wrote(channel.write(src));
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            if (length == 1) {
                return write(srcs[offset]);
            }
            return wrote(channel.write(srcs, offset, length));
        }

        /** Notes a write that moved bytes; throws if none moved for longer than the write timeout. */
        private long wrote(long written) throws WriteTimeoutException {
            int timeout = writeTimeout;
            if (timeout > 0) {
                long now = System.nanoTime();
                if (written > 0 || lastWrite == 0) {
                    lastWrite = now;
                } else if ((now - lastWrite) / 1_000_000L > timeout) {
                    throw new WriteTimeoutException("no bytes written for over " + timeout + " ms");
                }
            }
            return written;
        }

        @Override
        public int writeFinal(ByteBuffer src) throws IOException {
            return Conduits.writeFinalBasic(this, src);
        }

        @Override
        public long writeFinal(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return Conduits.writeFinalBasic(this, srcs, offset, length);
        }

        @Override
        public long transferFrom(FileChannel src, long position, long count) throws IOException {
            return wrote(src.transferTo(position, count, channel));
        }

        @Override
        public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer)
                throws IOException {
            return Conduits.transfer(source, count, throughBuffer, this);
        }

        @Override
        public boolean flush() {
            return true;
        }

        @Override
        public void terminateWrites() throws IOException {
            if (connection.writeClosed()) {
                try {
                    suspend(SelectionKey.OP_WRITE);
                    channel.shutdownOutput();
                } catch (ClosedChannelException ignored) {
                    // Nothing left to shut.
                } finally {
                    writeTerminated();
                }
            }
        }

        @Override
        public void truncateWrites() throws IOException {
            terminateWrites();
        }

        @Override
        public boolean isWriteShutdown() {
            return connection.isWriteShutdown();
        }

        @Override
        public void resumeWrites() {
            resume(SelectionKey.OP_WRITE);
        }

        @Override
        public void suspendWrites() {
            suspend(SelectionKey.OP_WRITE);
        }

        @Override
        public void wakeupWrites() {
            wakeup(SelectionKey.OP_WRITE);
        }

        @Override
        public boolean isWriteResumed() {
            return isResumed(SelectionKey.OP_WRITE);
        }

        @Override
        public void awaitWritable() throws IOException {
            await(SelectionKey.OP_WRITE, 0);
        }

        @Override
        public void awaitWritable(long time, TimeUnit unit) throws IOException {
            await(SelectionKey.OP_WRITE, time <= 0 ? 0 : Math.max(1, unit.toMillis(time)));
        }

        @Override
        public XnioIoThread getWriteThread() {
            return loop;
        }

        @Override
        public void setWriteReadyHandler(WriteReadyHandler handler) {
            writeReady = handler;
        }

        /**
         * Blocks the calling thread until the channel is ready for {@code op}, or {@code millis} passed (0: no
         * limit), as XNIO's connections do: with a selector of the thread's own, returning at once when the
         * channel is closed (the next read or write says so), throwing when the thread is interrupted. Never on
         * the IO thread, which would stall every connection.
         */
        private void await(int op, long millis) throws IOException {
            if (Thread.currentThread() == loop) {
                throw new IllegalStateException("a blocking read or write on the IO thread");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while waiting for the connection");
            }
            if (op == SelectionKey.OP_READ ? isReadShutdown() : isWriteShutdown()) {
                return;
            }
            Selector selector = AWAIT.get();
            SelectionKey waiting;
            try {
                waiting = channel.register(selector, op);
            } catch (ClosedChannelException closed) {
                return;
            }
            try {
                selector.select(millis);
            } finally {
                selector.selectedKeys().clear();
                waiting.cancel();
                selector.selectNow();
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while waiting for the connection");
            }
        }
    }
}
