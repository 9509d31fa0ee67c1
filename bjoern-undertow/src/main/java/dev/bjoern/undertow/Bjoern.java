package dev.bjoern.undertow;

import dev.bjoern.WsgiApplication;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * bjoern's module functions: {@code run(app, host, port)}, or {@code listen(app, host, port)} then
 * {@code run()}. One global server, as in bjoern; for several servers or tests, use {@link BjoernServer}.
 */
public final class Bjoern {
    private static BjoernServer listening;
    private static boolean running;

    private Bjoern() {
    }

    /**
     * Listens on {@code host:port} and serves {@code app} until SIGINT or SIGTERM, then stops gracefully
     * and returns.
     *
     * @throws IllegalStateException if a server is already listening
     * @throws IOException if the address cannot be bound
     */
    public static void run(WsgiApplication app, String host, int port) throws IOException, InterruptedException {
        listen(app, host, port);
        run();
    }

    /**
     * As {@link #run(WsgiApplication, String, int)}, sending bjoern's statsd counters as {@code statsd} says,
     * like bjoern's {@code run(app, host, port, statsd=...)}.
     *
     * @throws IllegalStateException if a server is already listening, or statsd is enabled without its
     *     registry on the classpath
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
     * @return the bound server, to read its port
     * @throws IllegalStateException if a server is already listening
     */
    public static BjoernServer listen(WsgiApplication app, String host, int port) throws IOException {
        return listen(BjoernServer.builder(app).host(host).port(port));
    }

    /**
     * {@link #listen(WsgiApplication, String, int)} with every setting of the builder.
     *
     * @throws IllegalStateException if a server is already listening
     */
    public static synchronized BjoernServer listen(BjoernServer.Builder settings) throws IOException {
        if (listening != null) {
            throw new IllegalStateException("Only one global server instance possible");
        }
        listening = settings.build().bind();
        return listening;
    }

    /**
     * Serves the server {@link #listen} bound until SIGINT or SIGTERM, then stops it gracefully and returns.
     *
     * @throws IllegalStateException if {@link #listen} was not called
     */
    public static void run() throws IOException, InterruptedException {
        run(null);
    }

    /**
     * {@link #run()}, sending bjoern's statsd counters as {@code statsd} says (bjoern's
     * {@code run(statsd=...)} after {@code listen}); null keeps what {@link #listen} was given.
     *
     * @throws IllegalStateException if {@link #listen} was not called, or statsd is enabled without its
     *     registry on the classpath
     */
    public static void run(Statsd statsd) throws IOException, InterruptedException {
        BjoernServer server;
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
            running = true;
        }
        // The JDK has no public API for signals; sun.misc.Signal (module jdk.unsupported) is the one meant
        // for this, on every JDK from 8 to 25. A shutdown hook would not let run() return to its caller.
        CountDownLatch stop = new CountDownLatch(1);
        SignalHandler previousInt = Signal.handle(new Signal("INT"), signal -> stop.countDown());
        SignalHandler previousTerm = Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        try {
            server.start();
            stop.await();
        } finally {
            Signal.handle(new Signal("INT"), previousInt);
            Signal.handle(new Signal("TERM"), previousTerm);
            server.close();
            synchronized (Bjoern.class) {
                listening = null;
                running = false;
            }
        }
    }
}
