package dev.bjoern.undertow;

import dev.bjoern.WsgiApplication;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
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
    /** Undertow's own choice for a heap over 128 MiB: 16 KiB direct buffers less room for TLS framing. */
    private static final int BUFFER_SIZE = 16 * 1024 - 20;

    private final InetSocketAddress requested;
    private final int backlog;
    private final Duration drainTimeout;
    private WsgiHandler handler;
    private Metrics metrics;
    private final MeterRegistry meterRegistry;
    private ServerSocketChannel channel;
    private XnioWorker worker;
    private IoThreadAcceptor acceptor;

    private BjoernServer(Builder builder) {
        this.requested = new InetSocketAddress(builder.address, builder.port);
        this.backlog = builder.backlog;
        this.drainTimeout = builder.drainTimeout;
        this.meterRegistry = builder.meterRegistry;
        this.metrics = Metrics.of(builder.statsd, builder.meterRegistry);
        this.handler = new WsgiHandler(builder.app, builder.maxBodySize, builder.errors, false, false, metrics);
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
        // First, so that a statsd host that does not resolve leaves nothing running.
        metrics.start(handler.errors);
        worker = Xnio.getInstance(BjoernServer.class.getClassLoader()).createWorker(OptionMap.builder()
                .set(Options.WORKER_NAME, "bjoern")
                .set(Options.WORKER_IO_THREADS, 1)
                .set(Options.WORKER_TASK_CORE_THREADS, 1)
                .set(Options.WORKER_TASK_MAX_THREADS, 1)
                .getMap());
        ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4);
        HttpOpenListener http = new HttpOpenListener(buffers, OptionMap.builder()
                // PATH_INFO is decoded by us, byte for byte, as PEP 3333 wants it.
                .set(UndertowOptions.DECODE_URL, false)
                // "Connection: keep-alive" only where HTTP/1.0 needs it, which WsgiHandler adds.
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                // No entity limit of Undertow's: its chunked reader fixes it before our handler runs and
                // counts framing bytes; RequestBody enforces the body limit itself, with a 413.
                .set(UndertowOptions.MAX_ENTITY_SIZE, 0L)
                .getMap());
        http.setRootHandler(handler);
        PrintStream errors = handler.errors;
        acceptor = IoThreadAcceptor.start(worker.getIoThread(0), channel, ConnectionMetrics.counting(http, metrics),
                e -> {
                    metrics.acceptFailed();
                    errors.println("bjoern: accepting a connection failed: " + e);
                });
        return this;
    }

    /**
     * Sends statsd as {@code statsd} says instead of what the builder said: for {@code Bjoern.run(statsd)}
     * after {@code Bjoern.listen}.
     *
     * @throws IllegalStateException if already started, or statsd is enabled without its registry
     */
    synchronized void useStatsd(Statsd statsd) {
        if (worker != null) {
            throw new IllegalStateException("statsd settings cannot change once the server is started");
        }
        if (meterRegistry != null) {
            // Its meters are bound to this server's counters already.
            throw new IllegalStateException("a server with a meter registry takes its statsd settings from the "
                    + "builder, not from Bjoern.run(statsd)");
        }
        metrics = Metrics.of(statsd, null);
        handler = new WsgiHandler(handler.app, handler.maxBodySize, handler.errors, false, false, metrics);
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
     * Stops gracefully: stops accepting at once, lets responses in flight finish for up to the drain
     * timeout, then closes every connection and ends the IO thread. Returns within about the drain timeout
     * and a second more, even if the application never returns. Called from the application itself (on
     * the IO thread, which cannot wait for itself), it closes everything once the application returns,
     * without draining. Idempotent.
     */
    @Override
    public void close() throws IOException {
        XnioWorker running;
        synchronized (this) {
            if (acceptor != null) {
                acceptor.close();
            } else if (channel != null) {
                channel.close();
            }
            running = worker;
            if (running == null || running.isShutdown()) {
                return;
            }
        }
        XnioIoThread ioThread = running.getIoThread(0);
        if (Thread.currentThread() == ioThread) {
            running.shutdown();
            return;
        }
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        try {
            awaitDrained(ioThread, deadline);
            running.shutdown();
            if (!running.awaitTermination(Math.max(0, deadline - System.nanoTime()) + 1_000_000_000L,
                    TimeUnit.NANOSECONDS)) {
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
        // Metrics last, after the drain: their final statsd flush counts every response that finished.
        metrics.close();
    }

    /**
     * Waits until no response is in flight, asking on the IO thread that counts them, or until the
     * deadline: an application that blocks the IO thread cannot hold close() up for longer.
     */
    private void awaitDrained(XnioIoThread ioThread, long deadline) throws InterruptedException {
        CountDownLatch drained = new CountDownLatch(1);
        ioThread.execute(new Runnable() {
            @Override
            public void run() {
                if (handler.inFlight() == 0 || System.nanoTime() >= deadline) {
                    drained.countDown();
                } else {
                    ioThread.executeAfter(this, 5, TimeUnit.MILLISECONDS);
                }
            }
        });
        drained.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
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
        private Statsd statsd = Statsd.DISABLED;
        private MeterRegistry meterRegistry;

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
         * Sends bjoern's statsd counters, as bjoern's {@code statsd} argument; docs/metrics.md lists them.
         * Default {@link Statsd#DISABLED}. Its extras ({@code timer}, {@code gauge}, {@code jvm}) also apply to
         * a {@link #meterRegistry}.
         */
        public Builder statsd(Statsd statsd) {
            this.statsd = Objects.requireNonNull(statsd, "statsd");
            return this;
        }

        /**
         * Registers bjoern's counters as meters on a Micrometer registry of the caller's (Prometheus, Datadog,
         * ...), under bjoern's names without a namespace. Default none.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * A server with these settings, not yet bound.
         *
         * @throws IllegalStateException if statsd is enabled without its registry on the classpath
         */
        public BjoernServer build() {
            return new BjoernServer(this);
        }
    }
}
