package dev.bjoern.undertow;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;

/**
 * The connections open on one IO thread: their limit, their timeouts and the drain when the server stops.
 * It sits between the acceptor and Undertow's open listener and gives each new connection a
 * {@link ConnectionWatch}.
 *
 * <p>Timeouts: instead of a timer per connection (Undertow's timeouts arm and cancel one per request, and
 * keep an object per connection for it), one sweep runs on the IO thread every {@code period}: it reads the
 * clock once, into {@link #now}, which is the only clock the watches read, and closes each connection that
 * has been in the same state for longer than that state allows. Because {@code now} is up to one period old
 * when a watch copies it, a connection is closed after at least its timeout and before its timeout plus two
 * periods. The period is a quarter of the shortest timeout, at most one second.
 *
 * <p>The limit: when {@code maxConnections} are open, the acceptors stop accepting; new connections wait in
 * the kernel's listen backlog (and beyond it are refused by the kernel) until one closes. Accepting and then
 * closing at once would turn a burst into errors and spend the IO thread on connections it cannot serve.
 *
 * <p>Everything but construction runs on the IO thread.
 */
final class OpenConnections implements ChannelListener<StreamConnection>, Runnable {
    private final XnioIoThread thread;
    private final ChannelListener<? super StreamConnection> openListener;
    private final Metrics metrics;
    private final long idleMillis;
    private final long requestMillis;
    private final long sendMillis;
    private final int maxConnections;
    private final long period;
    /** This loop's acceptors, one per listener, paused while the limit is reached. */
    private List<Acceptor> acceptors = List.of();

    /** The coarse clock the watches read, in milliseconds; set by each sweep. */
    long now = System.nanoTime() / 1_000_000;
    /** The server stops: no connection waits for another request. */
    boolean draining;
    /** While draining: a response ended, leaving its connection to close. */
    boolean responseEnded;
    private ConnectionWatch newest;
    private int count;
    private boolean paused;

    /**
     * @param openListener Undertow's open listener, which each connection goes to once it is watched
     * @param metrics counts accepted and closed connections
     * @param timeouts idle, request and send timeouts in milliseconds, 0 for none
     * @param maxConnections how many may be open at once, 0 for no limit
     */
    OpenConnections(XnioIoThread thread, ChannelListener<? super StreamConnection> openListener, Metrics metrics,
            long idleMillis, long requestMillis, long sendMillis, int maxConnections) {
        this.thread = thread;
        this.openListener = openListener;
        this.metrics = metrics;
        this.idleMillis = idleMillis;
        this.requestMillis = requestMillis;
        this.sendMillis = sendMillis;
        this.maxConnections = maxConnections == 0 ? Integer.MAX_VALUE : maxConnections;
        long shortest = Long.MAX_VALUE;
        for (long timeout : new long[] {idleMillis, requestMillis, sendMillis}) {
            if (timeout > 0) {
                shortest = Math.min(shortest, timeout);
            }
        }
        this.period = shortest == Long.MAX_VALUE ? 0 : Math.max(1, Math.min(1000, shortest / 4));
    }

    /** Starts the sweep; call once, from any thread. */
    void start() {
        if (period > 0) {
            thread.executeAfter(this, period, TimeUnit.MILLISECONDS);
        }
    }

    /** The acceptors to pause while the limit is reached; call on the IO thread before they accept. */
    void limits(List<Acceptor> acceptors) {
        this.acceptors = List.copyOf(acceptors);
    }

    /** How many connections are open; on the IO thread. */
    int count() {
        return count;
    }

    /** A connection was accepted: watch it, then hand it to Undertow. */
    @Override
    public void handleEvent(StreamConnection connection) {
        metrics.accepted();
        ConnectionWatch watch = new ConnectionWatch(this, connection);
        connection.getSourceChannel().setConduit(watch);
        connection.setCloseListener(watch);
        watch.older = newest;
        if (newest != null) {
            newest.newer = watch;
        }
        newest = watch;
        if (++count >= maxConnections && !paused) {
            paused = true;
            acceptors.forEach(Acceptor::pause);
        }
        if (draining) {
            // Accepted in the same turn as the drain began: it gets no request served.
            IoUtils.safeClose(connection);
            return;
        }
        ChannelListeners.invokeChannelListener(connection, openListener);
    }

    /** A watched connection closed. */
    void closed(ConnectionWatch watch) {
        metrics.closed();
        if (watch.older != null) {
            watch.older.newer = watch.newer;
        }
        if (watch.newer != null) {
            watch.newer.older = watch.older;
        } else if (newest == watch) {
            newest = watch.older;
        }
        watch.older = null;
        watch.newer = null;
        if (--count < maxConnections && paused && !draining) {
            paused = false;
            acceptors.forEach(Acceptor::resume);
        }
    }

    /** The sweep: closes the connections past their deadline, then runs again after a period. */
    @Override
    public void run() {
        now = System.nanoTime() / 1_000_000;
        for (ConnectionWatch watch = newest; watch != null; ) {
            ConnectionWatch next = watch.older;
            long timeout = timeout(watch.state);
            // A watch's "since" may be a period older than the event it marks: wait a period more.
            if (timeout > 0 && now - watch.since >= timeout + period) {
                IoUtils.safeClose(watch.connection);
            }
            watch = next;
        }
        try {
            thread.executeAfter(this, period, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // The worker is shutting down and closes every connection itself.
        }
    }

    private long timeout(byte state) {
        switch (state) {
            case ConnectionWatch.IDLE:
                return idleMillis;
            case ConnectionWatch.HEADERS:
            case ConnectionWatch.BODY:
                return requestMillis;
            case ConnectionWatch.SENDING:
                return sendMillis;
            default:
                return 0;
        }
    }

    /**
     * The server stops: closes every connection that is between requests or still sending its request's
     * headers (no request on it has begun), and from now on every response ends its connection. Called
     * again while the drain lasts, it closes the connections whose response has ended since (Undertow
     * would otherwise wait for their clients to close first); it walks the connections only if one has.
     */
    void drain() {
        if (draining && !responseEnded) {
            return;
        }
        draining = true;
        responseEnded = false;
        for (ConnectionWatch watch = newest; watch != null; ) {
            ConnectionWatch next = watch.older;
            if (watch.state == ConnectionWatch.IDLE || watch.state == ConnectionWatch.HEADERS) {
                IoUtils.safeClose(watch.connection);
            }
            watch = next;
        }
    }

    /** Closes every connection still open: the drain is over. */
    void closeAll() {
        for (ConnectionWatch watch = newest; watch != null; ) {
            ConnectionWatch next = watch.older;
            IoUtils.safeClose(watch.connection);
            watch = next;
        }
    }
}
