package dev.bjoern.undertow;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.ChannelListener;
import org.xnio.StreamConnection;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The 400s Undertow's request parser answers by itself, counted per connection. (Accepted and closed
 * connections are counted where they are watched, in {@link OpenConnections}.)
 *
 * <p>Why a probe for the parser's 400s: a request Undertow cannot parse (bad request line, malformed or too
 * large headers, an unknown protocol) never reaches a handler. Undertow writes a fixed 400 to the connection's
 * sink channel and closes it, with no exchange and no hook. That write is the only one ever made while the
 * channel still has the conduit it has between requests: every response of an exchange (ours, a 100
 * Continue) is written after Undertow installed the exchange's own conduits on that channel. So a sink conduit
 * at the bottom of the connection notes the channel's idle conduit at the connection's first read (before the
 * first read there is no exchange) and counts a write made while that is still the channel's conduit.
 *
 * <p>Without metrics the open listener is returned as it is. With metrics, each connection carries the two
 * small probe conduits (about 60 bytes).
 */
final class ConnectionMetrics {
    private ConnectionMetrics() {
    }

    /** {@code openListener}, counting the 400s Undertow's parser answers by itself into {@code metrics}. */
    static ChannelListener<StreamConnection> counting(ChannelListener<StreamConnection> openListener,
            Metrics metrics) {
        if (metrics == Metrics.NONE) {
            return openListener;
        }
        return connection -> {
            ParserRejects sink = new ParserRejects(connection, metrics);
            connection.getSinkChannel().setConduit(sink);
            connection.getSourceChannel().setConduit(new FirstRead(connection.getSourceChannel().getConduit(), sink));
            openListener.handleEvent(connection);
        };
    }

    /** Counts a write made while the connection has no exchange: Undertow's parser answering 400. */
    private static final class ParserRejects extends AbstractStreamSinkConduit<StreamSinkConduit> {
        private final StreamConnection connection;
        private final Metrics metrics;
        /** The sink channel's conduit between requests, noted at the first read. */
        private StreamSinkConduit idle;
        private boolean counted;

        ParserRejects(StreamConnection connection, Metrics metrics) {
            super(connection.getSinkChannel().getConduit());
            this.connection = connection;
            this.metrics = metrics;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            // Undertow writes its 400 with write(ByteBuffer); the other write methods pass through unwatched.
            if (!counted && idle != null && connection.getSinkChannel().getConduit() == idle) {
                counted = true;
                metrics.parseError();
            }
            return next.write(src);
        }
    }

    /** Notes the sink channel's idle conduit at the connection's first read. */
    private static final class FirstRead extends AbstractStreamSourceConduit<StreamSourceConduit> {
        private final ParserRejects sink;

        FirstRead(StreamSourceConduit next, ParserRejects sink) {
            super(next);
            this.sink = sink;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            note();
            return next.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
            note();
            return next.read(dsts, offs, len);
        }

        private void note() {
            if (sink.idle == null) {
                sink.idle = sink.connection.getSinkChannel().getConduit();
            }
        }
    }
}
