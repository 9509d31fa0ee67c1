package dev.bjoern.undertow;

import dev.bjoern.WsgiApplication;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.nio.IoThreadAcceptor;

/**
 * An embeddable server: one IO thread that accepts connections and runs the application, like bjoern's
 * single event loop. Blocking in the application stalls every connection.
 *
 * <pre>{@code
 * try (BjoernServer server = BjoernServer.builder(app).port(0).build().start()) {
 *     int port = server.port();
 *     ...
 * }
 * }</pre>
 */
public final class BjoernServer implements AutoCloseable {
    /** The default host: loopback, as bjoern's examples use. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_BACKLOG = 1024;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long a keep-alive connection may wait for its next request: longer than the 60 s after which
     * proxies and load balancers (nginx's upstream keepalive_timeout, AWS's ALB) drop theirs, so that they,
     * not we, close an idle connection, and never while they send a request on it.
     */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(75);
    /**
     * How long a request's headers may take from their first byte, and its body between two pieces: a real
     * client sends its headers in a round trip or two; 20 s covers a lossy link's retransmissions (1, 2, 4,
     * 8 s) while a slowloris connection holds its slot 20 s, not forever.
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(20);
    /** How long a response may wait for a peer that reads none of it: nginx's send_timeout. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The largest request line and header block, as bjoern's 80 KiB: many times what browsers send, while
     * a slow client cannot make a connection hold Undertow's default of 1 MiB of parsed headers.
     */
    public static final int DEFAULT_MAX_HEADER_SIZE = 80 * 1024;
    /**
     * How many connections may be open at once: 10,000 idle ones take about 20 MiB of heap, and stay far
     * below the descriptor limit the JVM raises itself to on Linux.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Undertow's own choice for a heap over 128 MiB: 16 KiB direct buffers less room for TLS framing. */
    private static final int BUFFER_SIZE = 16 * 1024 - 20;

    private final InetSocketAddress requested;
    private final int backlog;
    private final Duration drainTimeout;
    private final Builder settings;
    private final WsgiHandler handler;
    private final AccessLog accessLog;
    private ServerSocketChannel channel;
    private XnioWorker worker;
    private IoThreadAcceptor acceptor;
    private OpenConnections connections;
    /** Counted down when the drain is over, or cut short by {@link #closeNow()}. */
    private final CountDownLatch drained = new CountDownLatch(1);
    private volatile boolean hurry;
    private final AtomicBoolean stoppedOnce = new AtomicBoolean();

    private BjoernServer(Builder builder) {
        this.requested = new InetSocketAddress(builder.address, builder.port);
        this.backlog = builder.backlog;
        this.drainTimeout = builder.drainTimeout;
        this.settings = builder;
        this.handler = new WsgiHandler(builder.app, builder.maxBodySize, builder.errors, false, false);
        this.accessLog = builder.accessLog == null ? null : new AccessLog(builder.accessLog, builder.errors);
        handler.accessLog = accessLog;
    }

    /** A builder for a server of {@code app} on 127.0.0.1:8000 with the defaults its setters name. */
    public static Builder builder(WsgiApplication app) {
        return new Builder(app);
    }

    /**
     * Opens the listening socket; connections wait in its backlog until {@link #start()}.
     *
     * @throws IOException naming the address when it cannot be bound (in use, not local)
     * @throws IllegalStateException if already bound
     */
    public synchronized BjoernServer bind() throws IOException {
        if (channel != null) {
            throw new IllegalStateException("this server is already bound to " + address());
        }
        ServerSocketChannel opened = ServerSocketChannel.open();
        try {
            opened.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            opened.bind(requested, backlog);
        } catch (IOException e) {
            opened.close();
            String where = requested.getAddress().getHostAddress() + " port " + requested.getPort();
            throw e instanceof BindException ? new BindException("cannot listen on " + where + ": " + e.getMessage())
                    : new IOException("cannot listen on " + where + ": " + e.getMessage(), e);
        }
        channel = opened;
        return this;
    }

    /**
     * Binds if needed and starts serving on a new IO thread.
     *
     * @throws IllegalStateException if already started
     */
    public synchronized BjoernServer start() throws IOException {
        if (worker != null) {
            throw new IllegalStateException("this server is already started");
        }
        if (channel == null) {
            bind();
        }
        worker = Xnio.getInstance(BjoernServer.class.getClassLoader()).createWorker(null, OptionMap.builder()
                .set(Options.WORKER_NAME, "bjoern")
                .set(Options.WORKER_IO_THREADS, 1)
                .set(Options.WORKER_TASK_CORE_THREADS, 1)
                .set(Options.WORKER_TASK_MAX_THREADS, 1)
                .getMap(), this::stopped);
        ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4);
        HttpOpenListener http = new HttpOpenListener(buffers, OptionMap.builder()
                // PATH_INFO is decoded by us, byte for byte, as PEP 3333 wants it.
                .set(UndertowOptions.DECODE_URL, false)
                // "Connection: keep-alive" only where HTTP/1.0 needs it, which WsgiHandler adds.
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                // No entity limit of Undertow's: its chunked reader fixes it before our handler runs and
                // counts framing bytes; RequestBody enforces the body limit itself, with a 413.
                .set(UndertowOptions.MAX_ENTITY_SIZE, 0L)
                // A larger header block is answered 400 and the connection closed, by Undertow's parser.
                .set(UndertowOptions.MAX_HEADER_SIZE, settings.maxHeaderSize)
                // The access log's durations; otherwise the clock is not read per request.
                .set(UndertowOptions.RECORD_REQUEST_START_TIME, accessLog != null)
                .getMap());
        http.setRootHandler(handler);
        PrintStream errors = handler.errors;
        XnioIoThread ioThread = worker.getIoThread(0);
        connections = new OpenConnections(ioThread, http, settings.idleTimeout.toMillis(),
                settings.requestTimeout.toMillis(), settings.sendTimeout.toMillis(), settings.maxConnections);
        ServerSocketChannel listening = channel;
        OpenConnections open = connections;
        // Started on the IO thread, so that the connection limit knows the acceptor before its first accept.
        FutureTask<IoThreadAcceptor> starting = new FutureTask<>(() -> {
            IoThreadAcceptor started = IoThreadAcceptor.start(ioThread, listening, open,
                    e -> errors.println("bjoern: accepting a connection failed: " + e));
            open.limits(started);
            return started;
        });
        ioThread.execute(starting);
        try {
            acceptor = starting.get();
        } catch (ExecutionException e) {
            worker.shutdownNow();
            if (e.getCause() instanceof IOException) {
                throw (IOException) e.getCause();
            }
            throw new IllegalStateException("starting to accept failed", e.getCause());
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while starting to accept");
        }
        connections.start();
        return this;
    }

    /** The bound address, with the real port when 0 was asked for. */
    public synchronized InetSocketAddress address() {
        if (channel == null) {
            throw new IllegalStateException("this server is not bound yet; call bind() or start()");
        }
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("this server is closed", e);
        }
    }

    /** The bound port, with the real port when 0 was asked for. */
    public int port() {
        return address().getPort();
    }

    /**
     * Stops gracefully: stops accepting at once (the listening socket is closed, so new connections are
     * refused), closes the connections that wait between requests, lets the requests under way finish for
     * up to the drain timeout, each response ending its connection ({@code Connection: close} when its
     * headers are still to go out), then closes every connection left and ends the IO thread. Returns within
     * about the drain timeout and a second more, even if the application never returns. Called from the
     * application itself (on the IO thread, which cannot wait for itself), it closes everything once the
     * application returns, without draining. Idempotent.
     *
     * <p>While the application holds the IO thread (a blocking call), the listening socket closes at the
     * thread's next turn; connections made meanwhile wait in the backlog and are then reset.
     */
    @Override
    public void close() throws IOException {
        stop(drainTimeout.toNanos());
    }

    /**
     * Stops at once: stops accepting and closes every connection, cutting responses in flight short (their
     * bodies are closed). A {@link #close()} draining on another thread stops waiting and returns too; a
     * second SIGINT or SIGTERM does this. Idempotent.
     */
    public void closeNow() throws IOException {
        hurry = true;
        drained.countDown();
        stop(0);
    }

    private void stop(long drainNanos) throws IOException {
        XnioWorker running;
        OpenConnections open;
        synchronized (this) {
            if (acceptor != null) {
                acceptor.close();
            } else if (channel != null) {
                channel.close();
            }
            running = worker;
            open = connections;
        }
        if (running == null) {
            stopped();
            return;
        }
        XnioIoThread ioThread = running.getIoThread(0);
        if (Thread.currentThread() == ioThread) {
            // The worker's termination task calls stopped().
            running.shutdown();
            return;
        }
        long deadline = System.nanoTime() + drainNanos;
        try {
            awaitDrained(ioThread, open, deadline);
            try {
                ioThread.execute(open::closeAll);
            } catch (RejectedExecutionException alreadyStopping) {
                // The worker closes every connection itself.
            }
            running.shutdown();
            long grace = hurry ? 0 : Math.max(0, deadline - System.nanoTime()) + 1_000_000_000L;
            if (!running.awaitTermination(grace, TimeUnit.NANOSECONDS)) {
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
        stopped();
    }

    /**
     * Begins the drain on the IO thread, then waits until every connection has closed, asking on the IO
     * thread that counts them, until the deadline or until {@link #closeNow()}: an application that blocks
     * the IO thread cannot hold close() up for longer.
     */
    private void awaitDrained(XnioIoThread ioThread, OpenConnections open, long deadline)
            throws InterruptedException {
        try {
            ioThread.execute(new Runnable() {
                @Override
                public void run() {
                    // Each turn, as the first: responses that ended since leave idle connections behind.
                    open.drain();
                    if (open.count() == 0 || hurry || System.nanoTime() >= deadline) {
                        drained.countDown();
                    } else {
                        ioThread.executeAfter(this, 5, TimeUnit.MILLISECONDS);
                    }
                }
            });
        } catch (RejectedExecutionException alreadyStopping) {
            return;
        }
        drained.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * The server has stopped: no request is served any more (or the IO thread is stuck in the application
     * and will not be waited for). Runs once, on whichever thread stopped it.
     */
    private void stopped() {
        if (!stoppedOnce.compareAndSet(false, true)) {
            return;
        }
        if (accessLog != null) {
            accessLog.close();
        }
        // The metrics flush goes here: after the last request was counted, before close() returns.
    }

    /** Settings of a {@link BjoernServer}; each setter names its default. */
    public static final class Builder {
        private final WsgiApplication app;
        private InetAddress address;
        private int port = DEFAULT_PORT;
        private int backlog = DEFAULT_BACKLOG;
        private long maxBodySize = WsgiHandler.DEFAULT_MAX_BODY_SIZE;
        private PrintStream errors = System.err;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private int maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private OutputStream accessLog;

        private Builder(WsgiApplication app) {
            this.app = Objects.requireNonNull(app, "app");
            this.address = InetAddress.getLoopbackAddress();
        }

        /**
         * The address to listen on: an IPv4 or IPv6 literal ({@code "::1"}, {@code "::"}) or a host name.
         * Default 127.0.0.1.
         *
         * @throws IllegalArgumentException if the name does not resolve
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            try {
                this.address = InetAddress.getByName(host.startsWith("[") && host.endsWith("]")
                        ? host.substring(1, host.length() - 1) : host);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("host must be an IP address or a known host name, got \""
                        + host + "\"", e);
            }
            return this;
        }

        /** The port; 0 picks a free one, read back with {@link BjoernServer#port()}. Default 8000. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The listen backlog. Default 1024, as bjoern. */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * The largest request body, in bytes; a larger one is answered 413. Default 10 MiB.
         *
         * @throws IllegalArgumentException below 0 or above {@code Integer.MAX_VALUE - 8}
         */
        public Builder maxBodySize(long bytes) {
            WsgiHandler.checkMaxBodySize(bytes);
            this.maxBodySize = bytes;
            return this;
        }

        /** Where application errors are logged; also environ's wsgi.errors. Default System.err. */
        public Builder errors(PrintStream errors) {
            this.errors = Objects.requireNonNull(errors, "errors");
            return this;
        }

        /** How long {@link BjoernServer#close()} waits for responses in flight. Default 30 seconds. */
        public Builder drainTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("drain timeout must not be negative, got " + timeout);
            }
            this.drainTimeout = timeout;
            return this;
        }

        /**
         * How long a keep-alive connection may wait for its next request before it is closed: from the end of
         * a response, or from the connection's start, to the first byte of the request. Default 75 seconds
         * ({@link #DEFAULT_IDLE_TIMEOUT} says why); zero for none.
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout("idle timeout", timeout);
            return this;
        }

        /**
         * How long a request may take to arrive: its request line and headers within this from their first
         * byte, and its body with no pause longer than this. Past it the connection is closed without a
         * response (a slowloris client gets nothing). Default 20 seconds; zero for none.
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout("request timeout", timeout);
            return this;
        }

        /**
         * How long a response may wait for a peer that reads none of it (the socket stays full); past it the
         * connection is closed and the body closed. Default 60 seconds, as nginx's send_timeout; zero for none.
         */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = timeout("send timeout", timeout);
            return this;
        }

        /**
         * The largest request line plus header block, in bytes; a larger one is answered 400 and the connection
         * closed. Default 81920 (80 KiB, as bjoern). It is checked per read of up to 16 KiB, so a request may
         * go up to one read over before it is refused.
         */
        public Builder maxHeaderSize(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("max header size must be at least 1024 bytes, got " + bytes);
            }
            this.maxHeaderSize = bytes;
            return this;
        }

        /**
         * How many connections may be open at once. At the limit the server stops accepting: new connections
         * wait in the listen backlog, are served as soon as an open one closes, and beyond the backlog are
         * refused by the kernel. Default 10,000; zero for no limit.
         */
        public Builder maxConnections(int connections) {
            if (connections < 0) {
                throw new IllegalArgumentException("max connections must be 0 (no limit) or more, got "
                        + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        /**
         * Logs each request to {@code out}, one line in the Common Log Format plus the microseconds it took:
         * {@code 127.0.0.1 - - [24/Nov/2026:09:00:13 +0000] "GET /hello?x=1 HTTP/1.1" 200 13 187}. Lines are
         * written by a thread of their own, never by the IO thread, and flushed when none is waiting and when
         * the server stops; {@code out} is not closed. Requests the parser refuses (400 before the handler)
         * are not logged. Default: no access log; null turns it off.
         */
        public Builder accessLog(OutputStream out) {
            this.accessLog = out;
            return this;
        }

        private static Duration timeout(String name, Duration timeout) {
            Objects.requireNonNull(timeout, name);
            if (timeout.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, got " + timeout);
            }
            if (!timeout.isZero() && timeout.toMillis() == 0) {
                // Sub-millisecond timeouts would round to "none".
                return Duration.ofMillis(1);
            }
            return timeout;
        }

        /** A server with these settings, not yet bound. */
        public BjoernServer build() {
            return new BjoernServer(this);
        }
    }
}
