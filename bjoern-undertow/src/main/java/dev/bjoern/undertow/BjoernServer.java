package dev.bjoern.undertow;

import dev.bjoern.WsgiApplication;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.UndertowOptions;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * An embeddable server: one IO thread that accepts connections and runs the application, like bjoern's
 * single event loop. Blocking in the application stalls every connection, unless the builder's
 * {@link Builder#threads(int)} or {@link Builder#virtualThreads()} moves the application off it.
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
    /** The default TCP port. */
    public static final int DEFAULT_PORT = 8000;
    /** The default listen backlog, as bjoern's. */
    public static final int DEFAULT_BACKLOG = 1024;
    /** How long {@link #close()} waits for responses in flight, unless the builder says otherwise. */
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
    /** {@link Builder#threads}: the application runs on the IO thread (the default), or a virtual thread per call. */
    private static final int ON_THE_LOOP = 0;
    private static final int VIRTUAL = -1;
    /** Undertow's own choice for a heap over 128 MiB: 16 KiB direct buffers less room for TLS framing. */
    private static final int BUFFER_SIZE = 16 * 1024 - 20;

    private final Builder settings;
    private final AccessLog accessLog;
    private Metrics metrics;
    /** The first listener (host and port, a channel or an fd), then those {@link Builder#listen} added. */
    private List<ListeningSocket> listeners;
    private Loops worker;
    /** Every loop's acceptor of every listener. */
    private List<Acceptor> acceptors;
    /** Per IO thread, its open connections: their limit, timeouts and drain. */
    private OpenConnections[] connections;
    /** Where a blocking application is called ({@link Builder#threads}); null: on the IO threads. */
    private ExecutorService appThreads;
    private volatile boolean hurry;
    private final AtomicBoolean stoppedOnce = new AtomicBoolean();

    private BjoernServer(Builder builder) {
        this.settings = builder.copy();
        this.accessLog = settings.accessLog == null ? null : new AccessLog(settings.accessLog, settings.errors);
        this.metrics = Metrics.of(settings.statsd, settings.meterRegistry);
    }

    /**
     * A builder for a server of {@code app} on 127.0.0.1:8000 with the defaults its setters name.
     *
     * @param app the application to serve
     * @return a new builder
     */
    public static Builder builder(WsgiApplication app) {
        return new Builder(app);
    }

    /**
     * Opens the listening sockets (or takes the caller's); connections wait in their backlogs until
     * {@link #start()}. If one cannot be bound, those bound before it are closed again.
     *
     * @return this server
     * @throws IOException naming the address when it cannot be bound (in use, not local; a unix socket
     *     file another server answers on)
     * @throws IllegalArgumentException if an inherited fd is not a listening stream socket
     * @throws UnsupportedOperationException for {@code unix:@name} or an fd above 0 on a JDK before 22
     * @throws IllegalStateException if already bound
     */
    public synchronized BjoernServer bind() throws IOException {
        if (listeners != null) {
            throw new IllegalStateException("this server is already bound to " + where());
        }
        Builder wanted = settings;
        List<ListeningSocket> bound = new ArrayList<>();
        try {
            if (wanted.channel != null) {
                bound.add(ListeningSocket.adopt(wanted.channel));
            } else {
                bound.add(wanted.first().open(wanted));
            }
            for (Address address : wanted.more) {
                bound.add(address.open(wanted));
            }
        } catch (IOException | RuntimeException e) {
            for (ListeningSocket listener : bound) {
                try {
                    listener.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
        listeners = List.copyOf(bound);
        return this;
    }

    /**
     * Binds if needed and starts serving on a new IO thread.
     *
     * @return this server
     * @throws IOException if binding fails, as {@link #bind()} says, or the statsd host does not resolve
     * @throws IllegalStateException if already started
     */
    public synchronized BjoernServer start() throws IOException {
        if (worker != null) {
            throw new IllegalStateException("this server is already started");
        }
        if (listeners == null) {
            bind();
        }
        // First, so that a statsd host that does not resolve leaves nothing running.
        metrics.start(settings.errors);
        int loops = settings.workers;
        worker = Loops.start("bjoern", loops, this::stopped);
        if (settings.threads != ON_THE_LOOP) {
            appThreads = settings.threads == VIRTUAL ? AppThreads.virtual() : AppThreads.pool(settings.threads);
        }
        if (accessLog != null) {
            accessLog.start();
        }
        acceptors = new ArrayList<>();
        connections = new OpenConnections[loops];
        // Several loops share the one listening channel, each registering it with its own selector; the
        // kernel wakes them all and whichever accepts first serves the connection. Chosen over one
        // SO_REUSEPORT socket per loop because it works for every kind of socket (unix, abstract, adopted
        // fds cannot be multiplied), costs nothing with one loop, and measured as fast or faster: 2 loops,
        // wrk 64 keep-alive connections, 82-102k req/s shared vs 83-90k with SO_REUSEPORT, requests split
        // 53/47 vs 50/50; one request per connection, 17.6k vs 9.4k req/s.
        for (int i = 0; i < loops; i++) {
            // One handler per loop: each counts its own responses in flight, on its thread.
            WsgiHandler handler = new WsgiHandler(settings.app, settings.maxBodySize, settings.errors,
                    loops > 1 || appThreads != null, metrics, accessLog, appThreads);
            acceptors.addAll(accept(i, worker.getIoThread(i), handler));
        }
        return this;
    }

    private List<Acceptor> accept(int index, Loop ioThread, WsgiHandler handler) throws IOException {
        HttpOpenListener http = new HttpOpenListener(new LoopBuffers(ioThread, BUFFER_SIZE), OptionMap.builder()
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
        // Each loop takes its share of the connection limit; when one is full, the others still accept.
        int loops = connections.length;
        int maxConnections = settings.maxConnections == 0 ? 0 : (settings.maxConnections + loops - 1) / loops;
        OpenConnections open = new OpenConnections(ioThread, http, metrics, settings.idleTimeout.toMillis(),
                settings.requestTimeout.toMillis(), settings.sendTimeout.toMillis(), maxConnections);
        // The metrics' probe conduits go under the watch: Undertow hands the watch, the connection's outermost
        // source conduit, to each exchange (ConnectionWatch.of).
        ChannelListener<StreamConnection> accepted = ConnectionMetrics.counting(open, metrics);
        // Started on the IO thread, so that the connection limit knows the acceptors before their first accept.
        FutureTask<List<Acceptor>> starting = new FutureTask<>(() -> {
            List<Acceptor> started = new ArrayList<>();
            try {
                for (ListeningSocket listener : listeners) {
                    started.add(Acceptor.start(ioThread, listener.channel, accepted, e -> {
                        metrics.acceptFailed();
                        errors.println("bjoern: accepting a connection failed: " + e);
                    }));
                }
            } catch (IOException | RuntimeException e) {
                // None of this loop's acceptors stays registered without the connection limit knowing it.
                for (Acceptor acceptor : started) {
                    try {
                        acceptor.close();
                    } catch (IOException closing) {
                        e.addSuppressed(closing);
                    }
                }
                throw e;
            }
            open.limits(started);
            return started;
        });
        ioThread.execute(starting);
        List<Acceptor> started;
        try {
            started = starting.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException) {
                throw (IOException) e.getCause();
            }
            throw new IllegalStateException("starting to accept failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while starting to accept");
        }
        open.start();
        connections[index] = open;
        return started;
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
        if (settings.meterRegistry != null) {
            // Its meters are bound to this server's counters already.
            throw new IllegalStateException("a server with a meter registry takes its statsd settings from the "
                    + "builder, not from Bjoern.run(statsd)");
        }
        metrics = Metrics.of(statsd, null);
    }

    /**
     * The first listener's TCP address, with the real port when 0 was asked for.
     *
     * @return the bound address
     * @throws IllegalStateException if not bound, or the first listener is a unix socket ({@link #where()}
     *     names it)
     */
    public synchronized InetSocketAddress address() {
        ListeningSocket first = bound().get(0);
        if (!(first.address instanceof InetSocketAddress)) {
            throw new IllegalStateException("this server listens on " + first.where + ", which has no TCP address");
        }
        return (InetSocketAddress) first.address;
    }

    /**
     * The first listener's port, with the real port when 0 was asked for; see {@link #address()}.
     *
     * @return the bound port, never 0
     */
    public int port() {
        return address().getPort();
    }

    /**
     * Where this server listens, as its serving line says it: {@code http://127.0.0.1:8000/},
     * {@code http://[::1]:8000/}, {@code unix:/run/app.sock}, {@code unix:@name}; an adopted fd adds
     * {@code " (fd 3)"}. Several listeners are named in order, separated by {@code ", "}.
     *
     * @return the listening addresses, each as a URL or a {@code unix:} name
     * @throws IllegalStateException if not bound
     */
    public synchronized String where() {
        return String.join(", ", listening());
    }

    /**
     * Where each listener listens, in the order they were given (the first from host and port, a channel
     * or an fd; then each {@link Builder#listen}), named as {@link #where()} names them.
     *
     * @return one entry per listener
     * @throws IllegalStateException if not bound
     */
    public synchronized List<String> listening() {
        List<String> wheres = new ArrayList<>();
        for (ListeningSocket listener : bound()) {
            wheres.add(listener.where);
        }
        return wheres;
    }

    private List<ListeningSocket> bound() {
        if (listeners == null) {
            throw new IllegalStateException("this server is not bound yet; call bind() or start()");
        }
        return listeners;
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
        stop(settings.drainTimeout.toNanos());
    }

    /**
     * Stops at once: stops accepting and closes every connection, cutting responses in flight short (their
     * bodies are closed). A {@link #close()} draining on another thread stops waiting and returns too; a
     * second SIGINT or SIGTERM does this. Idempotent.
     *
     * @throws IOException if closing the listening socket, or deleting its unix socket file, fails
     */
    public void closeNow() throws IOException {
        hurry = true;
        stop(0);
    }

    /**
     * Whether every IO thread has ended: false after a stop whose deadline passed while the application was
     * still running a request on one of them (it runs on; the server will not wait for it).
     */
    synchronized boolean loopsEnded() {
        return (worker == null || worker.isTerminated()) && (appThreads == null || appThreads.isTerminated());
    }


    private void stop(long drainNanos) throws IOException {
        if (AppThreads.inCall()) {
            // The application stops its server from one of its calls, which cannot wait for itself: the stop
            // runs on a thread of its own, and the drain lets this call's response go out.
            Thread stopping = new Thread(() -> {
                try {
                    stop(drainNanos);
                } catch (IOException e) {
                    settings.errors.println("bjoern: stopping the server failed: " + e);
                }
            }, "bjoern stop");
            stopping.start();
            return;
        }
        XnioWorker running;
        OpenConnections[] open;
        IOException closing = null;
        synchronized (this) {
            // Every acceptor and listener is closed, even when one fails; the stop goes on, and the first
            // failure is thrown at the end.
            for (Acceptor acceptor : acceptors == null ? List.<Acceptor>of() : acceptors) {
                try {
                    acceptor.close();
                } catch (IOException e) {
                    closing = joined(closing, e);
                }
            }
            if (listeners != null) {
                // Closes the channels (if no acceptor did) and deletes the unix socket files we made.
                for (ListeningSocket listener : listeners) {
                    try {
                        listener.close();
                    } catch (IOException e) {
                        closing = joined(closing, e);
                    }
                }
            }
            running = worker;
            open = connections;
        }
        if (running == null) {
            stopped();
        } else if (Thread.currentThread() instanceof XnioIoThread
                && ((XnioIoThread) Thread.currentThread()).getWorker() == running) {
            // The worker's termination task calls stopped().
            running.shutdown();
        } else {
            drainAndEnd(running, open, drainNanos);
            stopped();
        }
        if (closing != null) {
            throw closing;
        }
    }

    private static IOException joined(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Drains until the deadline, then closes every connection left and ends the loops. */
    private void drainAndEnd(XnioWorker running, OpenConnections[] open, long drainNanos) {
        long deadline = System.nanoTime() + drainNanos;
        try {
            awaitDrained(running, open, deadline);
            for (int i = 0; i < open.length; i++) {
                try {
                    running.getIoThread(i).execute(open[i]::closeAll);
                } catch (RejectedExecutionException alreadyStopping) {
                    // The worker closes every connection itself.
                }
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
    }

    /**
     * Begins the drain on the IO thread, then waits until every connection has closed, asking on the IO
     * thread that counts them, until the deadline or until {@link #closeNow()}: an application that blocks
     * the IO thread cannot hold close() up for longer.
     */
    private void awaitDrained(XnioWorker running, OpenConnections[] open, long deadline)
            throws InterruptedException {
        CountDownLatch drained = new CountDownLatch(open.length);
        for (int i = 0; i < open.length; i++) {
            XnioIoThread ioThread = running.getIoThread(i);
            OpenConnections loop = open[i];
            try {
                ioThread.execute(new Runnable() {
                    @Override
                    public void run() {
                        // Each turn, as the first: responses that ended since leave idle connections behind.
                        loop.drain();
                        if (loop.count() == 0 || hurry || System.nanoTime() >= deadline) {
                            drained.countDown();
                        } else {
                            ioThread.executeAfter(this, 5, TimeUnit.MILLISECONDS);
                        }
                    }
                });
            } catch (RejectedExecutionException alreadyStopping) {
                drained.countDown();
            }
        }
        // Polled, so that closeNow() on another thread ends the wait even while the IO threads are stuck.
        while (!drained.await(Math.min(20_000_000L, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)
                && !hurry && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /**
     * The server has stopped: no request is served any more (or the IO thread is stuck in the application
     * and will not be waited for). Runs once, on whichever thread stopped it.
     */
    private void stopped() {
        // A second caller (closeNow() racing close(), the worker's termination task) waits for the first.
        synchronized (stoppedOnce) {
            if (!stoppedOnce.compareAndSet(false, true)) {
                return;
            }
            if (appThreads != null) {
                // After the drain: a call still running is past its deadline, and its response cannot go out.
                AppThreads.stop(appThreads);
            }
            if (accessLog != null) {
                accessLog.close();
            }
            // After the drain: the last statsd flush counts every response that finished.
            metrics.close();
        }
    }

    /** One address to listen on: TCP, a unix socket ({@code /path} or {@code @name}), or an inherited fd. */
    private record Address(InetSocketAddress tcp, String unix, int fd) {
        ListeningSocket open(Builder settings) throws IOException {
            if (fd >= 0) {
                return ListeningSocket.adopt(fd);
            }
            if (unix != null) {
                return unix.startsWith("@") ? ListeningSocket.abstractUnix(unix.substring(1), settings.backlog)
                        : ListeningSocket.unix(Path.of(unix), settings.socketPermissions, settings.backlog);
            }
            return ListeningSocket.tcp(tcp, settings.reusePort, settings.backlog);
        }
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
        /** Listeners besides the first, in the order given. */
        private List<Address> more = new ArrayList<>();
        private int workers = 1;
        private int threads = ON_THE_LOOP;
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
        private Statsd statsd = Statsd.DISABLED;
        private MeterRegistry meterRegistry;

        private Builder(WsgiApplication app) {
            this.app = Objects.requireNonNull(app, "app");
            this.address = InetAddress.getLoopbackAddress();
        }

        /** The application, for Bjoern.run to close after serving it. */
        WsgiApplication app() {
            return app;
        }

        /**
         * The address to listen on, as bjoern's {@code host} argument: an IPv4 or IPv6 literal
         * ({@code "::1"}, {@code "::"}) or a host name, for TCP on {@link #port}; {@code "unix:/path"} for
         * a unix socket file; {@code "unix:@name"} for a Linux abstract unix socket (JDK 22+). Default
         * 127.0.0.1.
         *
         * @param host an IP literal, a host name, {@code unix:/path} or {@code unix:@name}
         * @return this builder
         * @throws IllegalArgumentException if the name does not resolve, or a unix address has no path
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.startsWith("unix:")) {
                this.unix = unixPath(host);
                return this;
            }
            this.unix = null;
            this.address = resolve(host);
            return this;
        }

        /** The path, or {@code @name}, of a {@code unix:} address. */
        private static String unixPath(String address) {
            String path = address.substring("unix:".length());
            if (path.isEmpty() || path.equals("@")) {
                throw new IllegalArgumentException("a unix address must be unix:/path or unix:@name, got \""
                        + address + "\"");
            }
            return path;
        }

        private static InetAddress resolve(String host) {
            try {
                return InetAddress.getByName(host.startsWith("[") && host.endsWith("]")
                        ? host.substring(1, host.length() - 1) : host);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("host must be an IP address or a known host name, got \""
                        + host + "\"", e);
            }
        }

        /**
         * Listens on {@code address} too, besides the first listener (host and port, a channel or an fd):
         * {@code HOST:PORT} for TCP ({@code 0.0.0.0:8000}, {@code [::1]:8000}, {@code localhost:0}; an IPv6
         * address in brackets), {@code unix:/path} for a unix socket file (with the
         * {@link #unixSocketPermissions}), {@code unix:@name} for a Linux abstract socket (JDK 22+), or
         * {@code fd:N} for an inherited listening socket (as {@link #fd}). Each call adds one. Every loop
         * serves every listener; the connection limit, the drain and the metrics cover them all, and the
         * backlog and SO_REUSEPORT settings apply to each.
         *
         * @param address where to listen, in one of the forms above
         * @return this builder
         * @throws IllegalArgumentException for another form, a port out of range, or a host name that does
         *     not resolve
         */
        public Builder listen(String address) {
            Objects.requireNonNull(address, "address");
            if (address.startsWith("unix:")) {
                more.add(new Address(null, unixPath(address), -1));
                return this;
            }
            if (address.startsWith("fd:")) {
                String fd = address.substring("fd:".length());
                if (!fd.matches("[0-9]{1,9}")) {
                    throw new IllegalArgumentException("an inherited socket must be fd:N with N its file descriptor,"
                            + " got \"" + address + "\"");
                }
                more.add(new Address(null, null, Integer.parseInt(fd)));
                return this;
            }
            int colon = address.lastIndexOf(':');
            String number = address.substring(colon + 1);
            if (colon < 0 || !number.matches("[0-9]{1,5}") || Integer.parseInt(number) > 65535) {
                throw new IllegalArgumentException("a listen address must be HOST:PORT (a port from 0 to 65535),"
                        + " [IPv6]:PORT, unix:/path, unix:@name or fd:N, got \"" + address + "\"");
            }
            String host = address.substring(0, colon);
            boolean bracketed = host.startsWith("[") && host.endsWith("]");
            if (host.isEmpty() || host.indexOf(':') >= 0 != bracketed) {
                throw new IllegalArgumentException("a listen address must be HOST:PORT with an IPv6 address in"
                        + " brackets ([::1]:8000), got \"" + address + "\"");
            }
            more.add(new Address(new InetSocketAddress(resolve(host), Integer.parseInt(number)), null, -1));
            return this;
        }

        /** The first listener, unless it is a channel: an fd, a unix socket, or TCP on host and port. */
        private Address first() {
            return fd >= 0 ? new Address(null, null, fd) : unix != null ? new Address(null, unix, -1)
                    : new Address(new InetSocketAddress(address, port), null, -1);
        }

        /**
         * The port; 0 picks a free one, read back with {@link BjoernServer#port()}. Default 8000.
         *
         * @param port the TCP port, or 0
         * @return this builder
         * @throws IllegalArgumentException below 0 or above 65535
         */
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
         *
         * @param reusePort true to set SO_REUSEPORT
         * @return this builder
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
         *
         * @param permissions the socket file's permissions (copied), or null for the umask's
         * @return this builder
         */
        public Builder unixSocketPermissions(Set<PosixFilePermission> permissions) {
            this.socketPermissions = permissions == null ? null : Set.copyOf(permissions);
            return this;
        }

        /**
         * Serves a listening channel the caller opened and bound (any family) instead of binding one;
         * host, port, backlog, reusePort and the socket permissions are then not used. {@link #close()}
         * closes it.
         *
         * @param channel a bound listening channel, which the server then owns
         * @return this builder
         */
        public Builder channel(ServerSocketChannel channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        /**
         * Serves an inherited listening socket by its file descriptor instead of binding one: fd 0 (inetd
         * style, {@code System.inheritedChannel()}) on any JDK; other fds (systemd passes 3 and up) on JDK
         * 22+. {@link #bind()} refuses an fd that is not a listening stream socket.
         *
         * @param fd the inherited socket's file descriptor
         * @return this builder
         * @throws IllegalArgumentException below 0
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
         *
         * @param workers the number of IO threads
         * @return this builder
         * @throws IllegalArgumentException below 1
         */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Calls the application on a pool of {@code n} threads instead of the IO thread: for an application that
         * blocks (JDBC, an HTTP client, a lock), so that one slow call no longer holds every connection. The
         * request body is still read whole before the call, and the response still goes out from the IO thread
         * at the client's pace; a lazy body is pulled on the pool, a chunk at a time, as the client takes them,
         * so a slow client holds no thread between chunks. When all {@code n} are busy, calls wait for one, at
         * most one per open connection (the connection limit bounds the wait). environ's
         * {@code wsgi.multithread} is true. Default: no pool, the application runs on the IO thread.
         *
         * @param n the number of threads
         * @return this builder
         * @throws IllegalArgumentException below 1
         */
        public Builder threads(int n) {
            this.threads = AppThreads.count(n);
            return this;
        }

        /**
         * Calls the application on a new virtual thread per request instead of the IO thread, as
         * {@link #threads(int)} does on a pool, without a bound of its own (the connection limit is the bound).
         * Needs JDK 21 or newer.
         *
         * @return this builder
         * @throws UnsupportedOperationException on a JDK before 21, naming it
         */
        public Builder virtualThreads() {
            AppThreads.checkVirtual();
            this.threads = VIRTUAL;
            return this;
        }

        /**
         * The listen backlog. Default 1024, as bjoern.
         *
         * @param backlog how many connections the kernel queues before they are accepted
         * @return this builder
         * @throws IllegalArgumentException below 1
         */
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
         * @param bytes the limit, in bytes
         * @return this builder
         * @throws IllegalArgumentException below 0 or above {@code Integer.MAX_VALUE - 8}
         */
        public Builder maxBodySize(long bytes) {
            WsgiHandler.checkMaxBodySize(bytes);
            this.maxBodySize = bytes;
            return this;
        }

        /**
         * Where application errors are logged; also environ's wsgi.errors. Default System.err.
         *
         * @param errors the stream, not closed by the server
         * @return this builder
         */
        public Builder errors(PrintStream errors) {
            this.errors = Objects.requireNonNull(errors, "errors");
            return this;
        }

        /**
         * How long {@link BjoernServer#close()} waits for responses in flight. Default 30 seconds.
         *
         * @param timeout the longest wait; zero for none
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
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
         *
         * @param timeout the longest wait, at least a millisecond unless zero
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout("idle timeout", timeout);
            return this;
        }

        /**
         * How long a request may take to arrive: its request line and headers within this from their first
         * byte, and its body with no pause longer than this. Past it the connection is closed without a
         * response (a slowloris client gets nothing). Default 20 seconds; zero for none.
         *
         * @param timeout the longest wait, at least a millisecond unless zero
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout("request timeout", timeout);
            return this;
        }

        /**
         * How long a response may wait for a peer that reads none of it (the socket stays full); past it the
         * connection is closed and the body closed. Default 60 seconds, as nginx's send_timeout; zero for none.
         *
         * @param timeout the longest wait, at least a millisecond unless zero
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = timeout("send timeout", timeout);
            return this;
        }

        /**
         * The largest request line plus header block, in bytes; a larger one is answered 400 and the connection
         * closed. Default 81920 (80 KiB, as bjoern). It is checked per read of up to 16 KiB, so a request may
         * go up to one read over before it is refused.
         *
         * @param bytes the limit, in bytes
         * @return this builder
         * @throws IllegalArgumentException below 1024
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
         *
         * @param connections the limit for the whole server, shared equally among its workers (rounded up)
         * @return this builder
         * @throws IllegalArgumentException below 0
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
         *
         * @param out where the lines go, or null
         * @return this builder
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

        /**
         * Sends bjoern's statsd counters, as bjoern's {@code statsd} argument; docs/metrics.md lists them.
         * Default {@link Statsd#DISABLED}. Its extras ({@code timer}, {@code gauge}, {@code jvm}) also apply to
         * a {@link #meterRegistry}.
         *
         * @param statsd where to send, and which extras
         * @return this builder
         */
        public Builder statsd(Statsd statsd) {
            this.statsd = Objects.requireNonNull(statsd, "statsd");
            return this;
        }

        /**
         * Registers bjoern's counters as meters on a Micrometer registry of the caller's (Prometheus, Datadog,
         * ...), under bjoern's names without a namespace. One server per registry: {@link #build()} refuses a
         * registry that already has them. Default none.
         *
         * @param registry a registry no other server's meters are on
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * A server with these settings, not yet bound.
         *
         * @return a new server
         * @throws IllegalStateException if statsd is enabled without its registry on the classpath, or the meter
         *     registry has another server's meters
         */
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
            copy.more = new ArrayList<>(more);
            copy.workers = workers;
            copy.threads = threads;
            copy.backlog = backlog;
            copy.maxBodySize = maxBodySize;
            copy.errors = errors;
            copy.drainTimeout = drainTimeout;
            copy.idleTimeout = idleTimeout;
            copy.requestTimeout = requestTimeout;
            copy.sendTimeout = sendTimeout;
            copy.maxHeaderSize = maxHeaderSize;
            copy.maxConnections = maxConnections;
            copy.accessLog = accessLog;
            copy.statsd = statsd;
            copy.meterRegistry = meterRegistry;
            return copy;
        }
    }
}
