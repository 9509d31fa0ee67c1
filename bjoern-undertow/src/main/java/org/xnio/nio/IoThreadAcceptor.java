package org.xnio.nio;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;

/**
 * Accepts connections from a JDK {@link ServerSocketChannel} on an XNIO IO thread and hands each one,
 * as an XNIO {@link StreamConnection} of that same thread, to an open listener.
 *
 * <p>Why this lives in XNIO's package: XNIO's NIO provider only accepts through its own servers, which
 * bind nothing but IP addresses and hand every accepted socket from an accept thread to an IO thread.
 * Registering our channel on the IO thread's selector needs {@code WorkerThread.registerChannel},
 * {@code NioHandle} and the {@code NioSocketStreamConnection} constructor, all package-private; unix
 * channels get {@link UnixStreamConnection}. XNIO is
 * pinned exactly for this; {@code IoThreadAcceptorTest} fails loudly if those internals change.
 */
public final class IoThreadAcceptor implements Closeable {
    /** Connections taken per readiness event, so that a flood of connects cannot starve served ones. */
    private static final int ACCEPTS_PER_EVENT = 64;
    private static final long BACK_OFF_MILLIS = 100;

    private final ServerSocketChannel channel;
    private final Handle handle;

    private IoThreadAcceptor(ServerSocketChannel channel, Handle handle) {
        this.channel = channel;
        this.handle = handle;
    }

    /**
     * Starts accepting from {@code channel} on {@code ioThread}, from any thread.
     *
     * @param channel a bound, listening channel; it is made non-blocking
     * @param openListener called on the IO thread with each accepted connection
     * @param onAcceptError called on the IO thread with what accepting or setting up a connection threw;
     *     after a failed {@code accept()}, accepting pauses for 100 ms
     * @throws IllegalArgumentException if {@code ioThread} is not an NIO IO thread
     */
    public static IoThreadAcceptor start(XnioIoThread ioThread, ServerSocketChannel channel,
            ChannelListener<? super StreamConnection> openListener, Consumer<IOException> onAcceptError)
            throws IOException {
        if (!(ioThread instanceof WorkerThread)) {
            throw new IllegalArgumentException("accepting needs an XNIO NIO IO thread, got " + ioThread);
        }
        WorkerThread thread = (WorkerThread) ioThread;
        channel.configureBlocking(false);
        SelectionKey key = thread.registerChannel(channel);
        Handle handle = new Handle(thread, key, channel, openListener, onAcceptError);
        key.attach(handle);
        handle.resume(SelectionKey.OP_ACCEPT);
        return new IoThreadAcceptor(channel, handle);
    }

    /**
     * Stops taking connections from the backlog until {@link #resume()}, on the IO thread; new connections
     * wait in the kernel's backlog meanwhile.
     */
    public void pause() {
        handle.paused = true;
        handle.suspend(SelectionKey.OP_ACCEPT);
    }

    /** Takes connections again after {@link #pause()}, on the IO thread. */
    public void resume() {
        handle.paused = false;
        handle.resume(SelectionKey.OP_ACCEPT);
    }

    /** Stops accepting and closes the listening channel; connections already accepted are not touched. */
    @Override
    public void close() throws IOException {
        handle.cancelKey(false);
        channel.close();
    }

    private static final class Handle extends NioHandle {
        private final ServerSocketChannel channel;
        private final ChannelListener<? super StreamConnection> openListener;
        private final Consumer<IOException> onAcceptError;
        private final boolean tcp;
        /** Set by {@link IoThreadAcceptor#pause()}: the open listener may pause us in the middle of a batch. */
        boolean paused;

        Handle(WorkerThread thread, SelectionKey key, ServerSocketChannel channel,
                ChannelListener<? super StreamConnection> openListener, Consumer<IOException> onAcceptError)
            throws IOException {
            super(thread, key);
            this.channel = channel;
            this.openListener = openListener;
            this.onAcceptError = onAcceptError;
            this.tcp = !(channel.getLocalAddress() instanceof UnixDomainSocketAddress);
        }

        @Override
        void handleReady(int ops) {
            for (int i = 0; i < ACCEPTS_PER_EVENT && !paused; i++) {
                SocketChannel accepted;
                try {
                    accepted = channel.accept();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    // Out of descriptors, most likely: the backlog stays readable, so pause instead of spinning.
                    onAcceptError.accept(e);
                    suspend(SelectionKey.OP_ACCEPT);
                    getWorkerThread().executeAfter(() -> {
                        if (!paused) {
                            resume(SelectionKey.OP_ACCEPT);
                        }
                    },
                            BACK_OFF_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                }
                if (accepted == null) {
                    return;
                }
                open(accepted);
            }
        }

        private void open(SocketChannel accepted) {
            try {
                accepted.configureBlocking(false);
                if (tcp) {
                    accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                WorkerThread thread = getWorkerThread();
                SelectionKey key = thread.registerChannel(accepted);
                // JDK unix channels refuse socket(), which XNIO's own connection calls: they get ours.
                StreamConnection connection = tcp ? new NioSocketStreamConnection(thread, key, null)
                        : new UnixStreamConnection(thread, key);
                ChannelListeners.invokeChannelListener(connection, openListener);
            } catch (IOException e) {
                onAcceptError.accept(e);
                try {
                    accepted.close();
                } catch (IOException ignored) {
                    // Already failing; the accept error was counted.
                }
            }
        }

        @Override
        void forceTermination() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // The worker is shutting down; nothing is left to tell.
            }
        }

        @Override
        void terminated() {
        }
    }
}
