package dev.bjoern.undertow;

import dev.bjoern.WsgiApplication;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * bjoern's module functions: {@code run(app, host, port)}, {@code run(app, "unix:/path")}, or
 * {@code listen(...)} then {@code run()}; {@code serverRun(socket, app)} for a socket the caller made. One
 * global server, as in bjoern; for several servers or tests, use {@link BjoernServer}.
 *
 * <p>Serving prints one line to stderr once the server accepts, the command line's without the app:
 * {@code bjoern: serving on http://127.0.0.1:8000/} ({@link BjoernServer#where()} says the forms). When
 * serving ends after the drain, an application that is {@link AutoCloseable} (a servlet through the bridge) is
 * closed, once, as a servlet container destroys its servlets; a second signal stops at once and leaves it open.
 */
public final class Bjoern {
    private static BjoernServer listening;
    /** The application of {@link #listening}, closed after it is served. */
    private static WsgiApplication listeningApp;
    private static boolean running;

    private Bjoern() {
    }

    /**
     * Listens on {@code host:port} and serves {@code app} until SIGINT or SIGTERM, then stops gracefully,
     * closes {@code app} if it is {@link AutoCloseable}, and returns.
     *
     * @param app the application
     * @param host an IP address or host name to listen on
     * @param port the TCP port, 0 for any free one
     * @throws IllegalStateException if a server is already listening, or closing the application failed (the
     *     cause says how)
     * @throws IOException if the address cannot be bound
     * @throws InterruptedException if the calling thread is interrupted while serving
     */
    public static void run(WsgiApplication app, String host, int port) throws IOException, InterruptedException {
        listen(app, host, port);
        run();
    }

    /**
     * {@link #run(WsgiApplication, String, int)} with SO_REUSEPORT when {@code reusePort}, so that several
     * processes can serve one port.
     *
     * @param app the application
     * @param host an IP address or host name to listen on
     * @param port the TCP port, 0 for any free one
     * @param reusePort whether to set SO_REUSEPORT
     * @throws IOException if the address cannot be bound
     * @throws InterruptedException if the calling thread is interrupted while serving
     */
    public static void run(WsgiApplication app, String host, int port, boolean reusePort)
            throws IOException, InterruptedException {
        listen(BjoernServer.builder(app).host(host).port(port).reusePort(reusePort));
        run();
    }

    /**
     * Listens on a unix socket, {@code "unix:/path"} (a stale socket file is replaced; the file is deleted
     * when serving ends) or {@code "unix:@name"} (Linux abstract namespace, JDK 22+), and serves {@code app}
     * until SIGINT or SIGTERM.
     *
     * @param app the application
     * @param unixAddress {@code "unix:/path"} or {@code "unix:@name"}
     * @throws IllegalStateException if a server is already listening
     * @throws IOException if the socket cannot be bound; another server answering on the path is one cause
     * @throws InterruptedException if the calling thread is interrupted while serving
     */
    public static void run(WsgiApplication app, String unixAddress) throws IOException, InterruptedException {
        listen(app, unixAddress);
        run();
    }

    /**
     * {@link #listen(WsgiApplication, String, int)} for a unix address.
     *
     * @param app the application
     * @param unixAddress {@code "unix:/path"} or {@code "unix:@name"}
     * @return the bound server
     * @throws IllegalArgumentException if the address does not start with {@code unix:}
     * @throws IOException if the socket cannot be bound
     */
    public static BjoernServer listen(WsgiApplication app, String unixAddress) throws IOException {
        if (!unixAddress.startsWith("unix:")) {
            throw new IllegalArgumentException("a unix address must be unix:/path or unix:@name, got \""
                    + unixAddress + "\"; give a TCP host with a port");
        }
        return listen(BjoernServer.builder(app).host(unixAddress));
    }

    /**
     * Serves {@code app} on a listening channel the caller opened and bound (any family), as bjoern's
     * {@code server_run(socket, app)}, until SIGINT or SIGTERM; the channel is closed at the end.
     *
     * @param channel a bound, listening channel
     * @param app the application
     * @throws IOException if the channel cannot be served
     * @throws InterruptedException if the calling thread is interrupted while serving
     */
    public static void serverRun(ServerSocketChannel channel, WsgiApplication app)
            throws IOException, InterruptedException {
        listen(BjoernServer.builder(app).channel(channel));
        run();
    }

    /**
     * Serves {@code app} on an inherited listening socket, by file descriptor, until SIGINT or SIGTERM:
     * fd 0 (inetd style) on any JDK, fd 3 and up (systemd) on JDK 22+.
     *
     * @param fd the inherited descriptor: 0, or 3 and up
     * @param app the application
     * @throws IllegalArgumentException if the fd is not a listening stream socket
     * @throws UnsupportedOperationException for an fd other than 0 on a JDK before 22
     * @throws IOException if the socket cannot be served
     * @throws InterruptedException if the calling thread is interrupted while serving
     */
    public static void serverRun(int fd, WsgiApplication app) throws IOException, InterruptedException {
        listen(BjoernServer.builder(app).fd(fd));
        run();
    }

    /**
     * As {@link #run(WsgiApplication, String, int)}, sending bjoern's statsd counters as {@code statsd} says,
     * like bjoern's {@code run(app, host, port, statsd=...)}.
     *
     * @param app the application
     * @param host an IP address or host name to listen on
     * @param port the TCP port, 0 for any free one
     * @param statsd where and how to send the counters
     * @throws IllegalStateException if a server is already listening, or statsd is enabled without its
     *     registry on the classpath
     * @throws IOException if the address cannot be bound
     * @throws InterruptedException if the calling thread is interrupted while serving
     */
    public static void run(WsgiApplication app, String host, int port, Statsd statsd)
            throws IOException, InterruptedException {
        listen(BjoernServer.builder(app).host(host).port(port).statsd(statsd));
        run();
    }

    /**
     * Binds the global server's socket without serving yet: connections wait in the backlog until
     * {@link #run()}.
     *
     * @param app the application
     * @param host an IP address or host name to listen on
     * @param port the TCP port, 0 for any free one
     * @return the bound server, to read its port
     * @throws IllegalStateException if a server is already listening
     * @throws IOException if the address cannot be bound
     */
    public static BjoernServer listen(WsgiApplication app, String host, int port) throws IOException {
        return listen(BjoernServer.builder(app).host(host).port(port));
    }

    /**
     * {@link #listen(WsgiApplication, String, int)} with every setting of the builder.
     *
     * @param settings the application and the server's settings
     * @return the bound server
     * @throws IllegalStateException if a server is already listening
     * @throws IOException if the address cannot be bound
     */
    public static synchronized BjoernServer listen(BjoernServer.Builder settings) throws IOException {
        if (listening != null) {
            throw new IllegalStateException("Only one global server instance possible");
        }
        listening = settings.build().bind();
        listeningApp = settings.app();
        return listening;
    }

    /**
     * Serves the server {@link #listen} bound until SIGINT or SIGTERM, then stops it gracefully (see
     * {@link BjoernServer#close()}), closes its application if it is {@link AutoCloseable}, and returns. A
     * second SIGINT or SIGTERM during the drain stops it at once ({@link BjoernServer#closeNow()}) and run()
     * returns without closing the application.
     *
     * @throws IllegalStateException if {@link #listen} was not called, or closing the application failed (the
     *     cause says how)
     * @throws IOException if serving cannot start
     * @throws InterruptedException if the calling thread is interrupted while serving
     */
    public static void run() throws IOException, InterruptedException {
        serve(null, null);
    }

    /**
     * {@link #run()}, sending bjoern's statsd counters as {@code statsd} says (bjoern's
     * {@code run(statsd=...)} after {@code listen}); null keeps what {@link #listen} was given.
     *
     * @param statsd where and how to send the counters, or null
     * @throws IllegalStateException if {@link #listen} was not called, or statsd is enabled without its
     *     registry on the classpath
     * @throws IOException if serving cannot start
     * @throws InterruptedException if the calling thread is interrupted while serving
     */
    public static void run(Statsd statsd) throws IOException, InterruptedException {
        serve(statsd, null);
    }

    /** Closes {@code app}, if it is closeable, after serving it failed to start; what close() throws joins {@code failure}. */
    static void closeAfterFailure(WsgiApplication app, Throwable failure) {
        if (app instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception | LinkageError e) {
                failure.addSuppressed(e);
            }
        }
    }

    /** The one line serving prints: {@code bjoern: serving [APP ]on WHERE}. */
    static String servingLine(String app, String where) {
        return "bjoern: serving " + (app == null ? "" : app + " ") + "on " + where;
    }

    /**
     * {@link #run(Statsd)}, telling how it ended: 0 after a complete drain (or one cut by the drain timeout),
     * else the number of the second signal that cut it short. The serving line, naming {@code app} when it is
     * not null, goes out once the server accepts and the signals are handled: a supervisor that reads it may
     * stop the server at once.
     */
    static int serve(Statsd statsd, String app) throws IOException, InterruptedException {
        BjoernServer server;
        WsgiApplication served;
        synchronized (Bjoern.class) {
            if (listening == null) {
                throw new IllegalStateException(
                        "Must call Bjoern.listen(app, host, port) before calling Bjoern.run() without arguments.");
            }
            if (running) {
                throw new IllegalStateException("Bjoern.run() is already serving the global server");
            }
            if (statsd != null) {
                listening.useStatsd(statsd);
            }
            server = listening;
            served = listeningApp;
            running = true;
        }
        // The JDK has no public API for signals; sun.misc.Signal (module jdk.unsupported) is the one meant
        // for this, on every JDK from 8 to 25. A shutdown hook would not let run() return to its caller.
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger second = new AtomicInteger();
        SignalHandler handler = signal -> {
            if (stop.getCount() > 0) {
                stop.countDown();
            } else if (second.compareAndSet(0, signal.getNumber())) {
                try {
                    server.closeNow();
                } catch (IOException e) {
                    // Closing the listening socket failed; the connections are closed all the same.
                }
            }
        };
        SignalHandler previousInt = Signal.handle(new Signal("INT"), handler);
        SignalHandler previousTerm = Signal.handle(new Signal("TERM"), handler);
        try {
            try {
                server.start();
            } catch (IOException | RuntimeException e) {
                // Nothing was served: the application made for it is closed all the same.
                closeAfterFailure(served, e);
                throw e;
            }
            System.err.println(servingLine(app, server.where()));
            stop.await();
            server.close();
        } finally {
            if (stop.getCount() > 0) {
                server.close();
            }
            Signal.handle(new Signal("INT"), previousInt);
            Signal.handle(new Signal("TERM"), previousTerm);
            synchronized (Bjoern.class) {
                listening = null;
                listeningApp = null;
                running = false;
            }
        }
        // Once the drain is over, as a servlet container destroys its servlets; not while a request still runs
        // in it past the drain's deadline.
        if (second.get() == 0 && served instanceof AutoCloseable closeable) {
            if (!server.loopsEnded()) {
                System.err.println("bjoern: the application was not closed: a request was still running in it"
                        + " when the drain timeout passed");
            } else {
                try {
                    closeable.close();
                } catch (Exception | LinkageError e) {
                    throw new IllegalStateException("closing the application failed: " + e, e);
                }
            }
        }
        return second.get();
    }
}
