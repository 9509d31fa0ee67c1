package dev.bjoern.undertow;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Accepts connections from a JDK {@link ServerSocketChannel} (TCP, unix, adopted) on a {@link Loop} and
 * hands each one, as a {@link SocketConnection} of that same loop, to an open listener: accepting costs no
 * hand-over between threads.
 */
final class Acceptor implements Closeable {
    /** Connections taken per readiness event, so that a flood of connects cannot starve served ones. */
    private static final int ACCEPTS_PER_EVENT = 64;
    private static final long BACK_OFF_MILLIS = 100;

    private final ServerSocketChannel channel;
    private final Handle handle;

    private Acceptor(ServerSocketChannel channel, Handle handle) {
        this.channel = channel;
        this.handle = handle;
    }

    /**
     * Starts accepting from {@code channel} on {@code loop}; call on that loop.
     *
     * @param channel a bound, listening channel; it is made non-blocking
     * @param openListener called on the IO thread with each accepted connection
     * @param onAcceptError called on the IO thread with what accepting or setting up a connection threw;
     *     after a failed {@code accept()}, accepting pauses for 100 ms
     */
    static Acceptor start(Loop loop, ServerSocketChannel channel,
            ChannelListener<? super StreamConnection> openListener, Consumer<IOException> onAcceptError)
            throws IOException {
        channel.configureBlocking(false);
        boolean tcp = !(channel.getLocalAddress() instanceof UnixDomainSocketAddress);
        Handle handle = loop.register(channel, key -> new Handle(loop, key, channel, tcp, openListener, onAcceptError));
        handle.resume(SelectionKey.OP_ACCEPT);
        return new Acceptor(channel, handle);
    }

    /**
     * Stops taking connections from the backlog until {@link #resume()}, on the IO thread; new connections
     * wait in the kernel's backlog meanwhile.
     */
    void pause() {
        handle.paused = true;
        handle.suspend(SelectionKey.OP_ACCEPT);
    }

    /** Takes connections again after {@link #pause()}, on the IO thread. */
    void resume() {
        handle.paused = false;
        handle.resume(SelectionKey.OP_ACCEPT);
    }

    /** Stops accepting and closes the listening channel; connections already accepted are not touched. */
    @Override
    public void close() throws IOException {
        handle.cancel();
        channel.close();
    }

    private static final class Handle extends Loop.Handle {
        private final ServerSocketChannel channel;
        private final ChannelListener<? super StreamConnection> openListener;
        private final Consumer<IOException> onAcceptError;
        private final boolean tcp;
        /** Set by {@link Acceptor#pause()}: the open listener may pause us in the middle of a batch. */
        boolean paused;

        Handle(Loop loop, SelectionKey key, ServerSocketChannel channel, boolean tcp,
                ChannelListener<? super StreamConnection> openListener, Consumer<IOException> onAcceptError) {
            super(loop, key);
            this.channel = channel;
            this.tcp = tcp;
            this.openListener = openListener;
            this.onAcceptError = onAcceptError;
        }

        @Override
        void ready(int ops) {
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
                    try {
                        loop.executeAfter(() -> {
                            if (!paused) {
                                resume(SelectionKey.OP_ACCEPT);
                            }
                        }, BACK_OFF_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException stopping) {
                        // The loop is stopping: nothing more to accept.
                    }
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
                StreamConnection connection = new SocketConnection(loop, accepted, tcp);
                if (!ChannelListeners.invokeChannelListener(connection, openListener)) {
                    // The listener failed (XNIO logged it): nobody holds the connection to close it later.
                    IoUtils.safeClose(connection);
                }
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
    }
}
