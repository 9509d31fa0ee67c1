package dev.bjoern.undertow;

import dev.bjoern.WsgiApplication;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
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

    private final Builder settings;
    private final Duration drainTimeout;
    /** One handler per IO thread: each counts its own responses in flight, on its thread. */
    private final WsgiHandler[] handlers;
    private Listener listener;
    private XnioWorker worker;
    private IoThreadAcceptor[] acceptors;

    private BjoernServer(Builder builder) {
        this.settings = builder.copy();
        this.drainTimeout = builder.drainTimeout;
        this.handlers = new WsgiHandler[builder.workers];
        for (int i = 0; i < handlers.length; i++) {
            handlers[i] = new WsgiHandler(builder.app, builder.maxBodySize, builder.errors, handlers.length > 1, false);
        }
    }

    /** A builder for a server of {@code app} on 127.0.0.1:8000 with the defaults its setters name. */
    public static Builder builder(WsgiApplication app) {
        return new Builder(app);
    }

    /**
     * Opens the listening socket (or takes the caller's); connections wait in its backlog until
     * {@link #start()}.
     *
     * @throws IOException naming the address when it cannot be bound (in use, not local; a unix socket
     *     file another server answers on)
     * @throws IllegalArgumentException if an inherited fd is not a listening stream socket
     * @throws UnsupportedOperationException for {@code unix:@name} or an fd above 0 on a JDK before 22
     * @throws IllegalStateException if already bound
     */
    public synchronized BjoernServer bind() throws IOException {
        if (listener != null) {
            throw new IllegalStateException("this server is already bound to " + listener.where);
        }
        Builder wanted = settings;
        if (wanted.channel != null) {
            listener = Listener.adopt(wanted.channel);
        } else if (wanted.fd >= 0) {
            listener = Listener.adopt(wanted.fd);
        } else if (wanted.unix != null) {
            listener = wanted.unix.startsWith("@") ? Listener.abstractUnix(wanted.unix.substring(1), wanted.backlog)
                    : Listener.unix(Path.of(wanted.unix), wanted.socketPermissions, wanted.backlog);
        } else {
            listener = Listener.tcp(new InetSocketAddress(wanted.address, wanted.port), wanted.reusePort,
                    wanted.backlog);
        }
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
        if (listener == null) {
            bind();
        }
        worker = Xnio.getInstance(BjoernServer.class.getClassLoader()).createWorker(OptionMap.builder()
                .set(Options.WORKER_NAME, "bjoern")
                .set(Options.WORKER_IO_THREADS, handlers.length)
                .set(Options.WORKER_TASK_CORE_THREADS, 1)
                .set(Options.WORKER_TASK_MAX_THREADS, 1)
                .getMap());
        ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4);
        acceptors = new IoThreadAcceptor[handlers.length];
        // Several loops share the one listening channel, each registering it with its own selector; the
        // kernel wakes them all and whichever accepts first serves the connection. Chosen over one
        // SO_REUSEPORT socket per loop because it works for every kind of socket (unix, abstract, adopted
        // fds cannot be multiplied), costs nothing with one loop, and measured as fast or faster: 2 loops,
        // wrk 64 keep-alive connections, 82-102k req/s shared vs 83-90k with SO_REUSEPORT, requests split
        // 53/47 vs 50/50; one request per connection, 17.6k vs 9.4k req/s.
        for (int i = 0; i < handlers.length; i++) {
            acceptors[i] = accept(worker.getIoThread(i), handlers[i], buffers);
        }
        return this;
    }

    private IoThreadAcceptor accept(XnioIoThread ioThread, WsgiHandler handler, ByteBufferPool buffers)
            throws IOException {
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
        return IoThreadAcceptor.start(ioThread, listener.channel, http,
                e -> errors.println("bjoern: accepting a connection failed: " + e));
    }

    /**
     * The bound TCP address, with the real port when 0 was asked for.
     *
     * @throws IllegalStateException if not bound, or bound to a unix socket ({@link #where()} names it)
     */
    public synchronized InetSocketAddress address() {
        if (listener == null) {
            throw new IllegalStateException("this server is not bound yet; call bind() or start()");
        }
        if (!(listener.address instanceof InetSocketAddress)) {
            throw new IllegalStateException("this server listens on " + listener.where + ", which has no TCP address");
        }
        return (InetSocketAddress) listener.address;
    }

    /** The bound port, with the real port when 0 was asked for; see {@link #address()}. */
    public int port() {
        return address().getPort();
    }

    /**
     * Where this server listens, as its serving line says it: {@code http://127.0.0.1:8000/},
     * {@code http://[::1]:8000/}, {@code unix:/run/app.sock}, {@code unix:@name}; an adopted fd adds
     * {@code " (fd 3)"}.
     *
     * @throws IllegalStateException if not bound
     */
    public synchronized String where() {
        if (listener == null) {
            throw new IllegalStateException("this server is not bound yet; call bind() or start()");
        }
        return listener.where;
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
            if (acceptors != null) {
                for (IoThreadAcceptor acceptor : acceptors) {
                    acceptor.close();
                }
            }
            if (listener != null) {
                // Closes the channel (if no acceptor did) and deletes the unix socket file we made.
                listener.close();
            }
            running = worker;
            if (running == null || running.isShutdown()) {
                return;
            }
        }
        if (Thread.currentThread() instanceof XnioIoThread
                && ((XnioIoThread) Thread.currentThread()).getWorker() == running) {
            running.shutdown();
            return;
        }
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        try {
            for (int i = 0; i < handlers.length; i++) {
                awaitDrained(running.getIoThread(i), handlers[i], deadline);
            }
            running.shutdown();
            if (!running.awaitTermination(Math.max(0, deadline - System.nanoTime()) + 1_000_000_000L,
                    TimeUnit.NANOSECONDS)) {
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until no response is in flight, asking on the IO thread that counts them, or until the
     * deadline: an application that blocks the IO thread cannot hold close() up for longer.
     */
    private static void awaitDrained(XnioIoThread ioThread, WsgiHandler handler, long deadline)
            throws InterruptedException {
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
        /** A unix socket path, or "@name" for an abstract one; null for TCP. */
        private String unix;
        private Set<PosixFilePermission> socketPermissions;
        private boolean reusePort;
        private ServerSocketChannel channel;
        private int fd = -1;
        private int workers = 1;
        private int backlog = DEFAULT_BACKLOG;
        private long maxBodySize = WsgiHandler.DEFAULT_MAX_BODY_SIZE;
        private PrintStream errors = System.err;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;

        private Builder(WsgiApplication app) {
            this.app = Objects.requireNonNull(app, "app");
            this.address = InetAddress.getLoopbackAddress();
        }

        /**
         * The address to listen on, as bjoern's {@code host} argument: an IPv4 or IPv6 literal
         * ({@code "::1"}, {@code "::"}) or a host name, for TCP on {@link #port}; {@code "unix:/path"} for
         * a unix socket file; {@code "unix:@name"} for a Linux abstract unix socket (JDK 22+). Default
         * 127.0.0.1.
         *
         * @throws IllegalArgumentException if the name does not resolve, or a unix address has no path
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.startsWith("unix:")) {
                String path = host.substring("unix:".length());
                if (path.isEmpty() || path.equals("@")) {
                    throw new IllegalArgumentException("a unix address must be unix:/path or unix:@name, got \""
                            + host + "\"");
                }
                this.unix = path;
                return this;
            }
            this.unix = null;
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

        /**
         * Sets SO_REUSEPORT on the TCP socket, so that several processes (or servers) can listen on one
         * port and the kernel spreads new connections among them. Not used for unix sockets. Default false.
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * The permissions of a unix socket file, set right after binding (say
         * {@code PosixFilePermissions.fromString("rw-rw----")}); connecting needs write permission.
         * Default null: what the process umask gives (srwxr-xr-x under umask 022: only the owner can
         * connect).
         */
        public Builder unixSocketPermissions(Set<PosixFilePermission> permissions) {
            this.socketPermissions = permissions == null ? null : Set.copyOf(permissions);
            return this;
        }

        /**
         * Serves a listening channel the caller opened and bound (any family) instead of binding one;
         * host, port, backlog, reusePort and the socket permissions are then not used. {@link #close()}
         * closes it.
         */
        public Builder channel(ServerSocketChannel channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        /**
         * Serves an inherited listening socket by its file descriptor instead of binding one: fd 0 (inetd
         * style, {@code System.inheritedChannel()}) on any JDK; other fds (systemd passes 3 and up) on JDK
         * 22+. {@link #bind()} refuses an fd that is not a listening stream socket.
         */
        public Builder fd(int fd) {
            if (fd < 0) {
                throw new IllegalArgumentException("fd must be 0 or more, got " + fd);
            }
            this.fd = fd;
            return this;
        }

        /**
         * The number of event loops, each an IO thread that accepts from the one listening socket and runs
         * the application: set it to the number of cores to use them all in one JVM. The application is
         * then called on several threads at once, and environ's {@code wsgi.multithread} is true. Default 1.
         */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
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

        /** A server with these settings, not yet bound. */
        public BjoernServer build() {
            return new BjoernServer(this);
        }

        private Builder copy() {
            Builder copy = new Builder(app);
            copy.address = address;
            copy.port = port;
            copy.unix = unix;
            copy.socketPermissions = socketPermissions;
            copy.reusePort = reusePort;
            copy.channel = channel;
            copy.fd = fd;
            copy.workers = workers;
            copy.backlog = backlog;
            copy.maxBodySize = maxBodySize;
            copy.errors = errors;
            copy.drainTimeout = drainTimeout;
            return copy;
        }
    }
}
