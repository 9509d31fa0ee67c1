package dev.bjoern.undertow;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.ChannelListener;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * What one connection is doing and since when, for the sweep of {@link OpenConnections} that closes it when
 * it has done so for too long. One object per connection, and the only one: it is the connection's place in
 * the list of open connections, its close listener, and the first conduit its request bytes pass through,
 * which is how it learns that a new request has begun without a timer or a call per read into anything else.
 * Being that conduit, it also hands each request's first bytes through {@link RequestStart} before Undertow's
 * parser reads them (one object more per connection, and a look at a request's first few bytes).
 *
 * <p>Everything here runs on the connection's IO thread. The per-request cost is a field write or two.
 */
final class ConnectionWatch extends AbstractStreamSourceConduit<StreamSourceConduit>
        implements ChannelListener<StreamConnection> {
    /** Between requests: since the connection opened or its last response ended. The idle timeout. */
    static final byte IDLE = 0;
    /** The first bytes of a request arrived; its headers are not complete. The request timeout. */
    static final byte HEADERS = 1;
    /** The headers are complete and the body is being read; {@code since} is the last progress. The request timeout. */
    static final byte BODY = 2;
    /**
     * The application runs (or makes a pending body's next chunk), or its response goes out without waiting.
     * No timeout.
     */
    static final byte APP = 3;
    /** The response waits for the peer to read; {@code since} is when it last had to wait. The send timeout. */
    static final byte SENDING = 4;

    final OpenConnections connections;
    final StreamConnection connection;
    /** Neighbours in {@link OpenConnections}' list. */
    ConnectionWatch older;
    ConnectionWatch newer;
    /** A reading of {@link OpenConnections#now}, in milliseconds. */
    long since;
    byte state;
    /** The start of each request, put right before the parser reads it. */
    final RequestStart start = new RequestStart();

    ConnectionWatch(OpenConnections connections, StreamConnection connection) {
        super(connection.getSourceChannel().getConduit());
        this.connections = connections;
        this.connection = connection;
        this.since = connections.now;
    }

    /** The watch of the connection an exchange came on, or null when the server is not ours (a mounted handler). */
    static ConnectionWatch of(HttpServerExchange exchange) {
        ServerConnection connection = exchange.getConnection();
        if (connection instanceof AbstractServerConnection) {
            StreamSourceConduit first = ((AbstractServerConnection) connection).getOriginalSourceConduit();
            if (first instanceof ConnectionWatch) {
                return (ConnectionWatch) first;
            }
        }
        return null;
    }

    /** The request's headers are complete: its body is read next, or else the application is called. */
    void requestStarted(boolean hasBody) {
        if (hasBody) {
            since = connections.now;
            state = BODY;
        } else {
            state = APP;
        }
    }

    /** The body is read and the application is called, or a pending body makes its next chunk. */
    void applicationRuns() {
        state = APP;
    }

    /** The response has to wait for the peer to read: this time counts as no progress. */
    void waiting() {
        since = connections.now;
        state = SENDING;
    }

    /**
     * The response is complete; the connection waits for the next request. While the server drains, there is
     * none: the exchange is made not persistent, and the drain's next turn closes the connection.
     */
    void responseEnded(HttpServerExchange exchange) {
        if (connections.draining) {
            exchange.setPersistent(false);
            connections.responseEnded = true;
        }
        since = connections.now;
        state = IDLE;
        if (exchange.isPersistent()) {
            start.next();
            // A pipelined request's first bytes, which came with this one and are parsed without another read.
            PooledByteBuffer pipelined = ((AbstractServerConnection) exchange.getConnection()).getExtraBytes();
            if (pipelined != null) {
                ByteBuffer bytes = pipelined.getBuffer();
                bytes.limit(start.filter(bytes, bytes.position(), bytes.limit()));
            }
        }
    }

    /** True once the server stops: a response not yet framed gets {@code Connection: close}. */
    boolean draining() {
        return connections.draining;
    }

    private int arrived(int read) {
        if (read > 0) {
            if (state == IDLE) {
                since = connections.now;
                state = HEADERS;
            } else if (state == BODY) {
                since = connections.now;
            }
        }
        return read;
    }

    private long arrived(long read) {
        arrived(read > 0 ? 1 : 0);
        return read;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return arrived(start.active() ? startOfRequest(dst) : next.read(dst));
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
        if (start.active()) {
            for (int i = offs; i < offs + len; i++) {
                if (dsts[i].hasRemaining()) {
                    return read(dsts[i]);
                }
            }
        }
        return arrived(next.read(dsts, offs, len));
    }

    /** Reads a request's first bytes through {@link RequestStart}. */
    private int startOfRequest(ByteBuffer dst) throws IOException {
        int from = dst.position();
        int limit = dst.limit();
        // One byte kept free for the "/" an absolute-form target without a path gets.
        if (dst.remaining() > 1) {
            dst.limit(limit - 1);
        }
        int read;
        try {
            read = next.read(dst);
        } finally {
            dst.limit(limit);
        }
        if (read <= 0) {
            return read;
        }
        int end = start.filter(dst, from, dst.position());
        dst.position(end);
        return end - from;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return arrived(next.transferTo(position, count, target));
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return arrived(next.transferTo(count, throughBuffer, target));
    }

    /** The connection closed, by anyone: it leaves the list. */
    @Override
    public void handleEvent(StreamConnection closed) {
        connections.closed(this);
    }
}
