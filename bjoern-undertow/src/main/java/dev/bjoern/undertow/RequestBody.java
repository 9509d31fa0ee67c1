package dev.bjoern.undertow;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;

/**
 * Reads a request body whole without blocking, then calls the application. Blocking reads are not an
 * option: the application runs on the IO thread, where Undertow refuses them (UT000126).
 */
final class RequestBody implements ChannelListener<StreamSourceChannel> {
    /**
     * What is reserved before the bytes arrive: a client that declares a large body and then stalls must
     * not pin the whole limit. The array grows as bytes come, up to the declared length or the limit.
     */
    private static final int FIRST_CAPACITY = 64 * 1024;

    private final WsgiHandler handler;
    private final HttpServerExchange exchange;
    private final Map<String, Object> environ;
    private final long length;
    private byte[] data;
    private int size;

    RequestBody(WsgiHandler handler, HttpServerExchange exchange, Map<String, Object> environ, long length) {
        this.handler = handler;
        this.exchange = exchange;
        this.environ = environ;
        this.length = length;
        // The declared length was checked against the limit already.
        this.data = new byte[(int) Math.min(FIRST_CAPACITY, length >= 0 ? length : handler.maxBodySize + 1)];
    }

    void start(boolean sendContinue) {
        if (!sendContinue) {
            read();
            return;
        }
        // The interim 100 may not go out at once; dispatching on the same thread keeps Undertow from
        // ending the exchange when handleRequest returns.
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> HttpContinue.sendContinueResponse(exchange,
                new IoCallback() {
                    @Override
                    public void onComplete(HttpServerExchange exchange, Sender sender) {
                        read();
                    }

                    @Override
                    public void onException(HttpServerExchange exchange, Sender sender, IOException e) {
                        IoUtils.safeClose(exchange.getConnection());
                    }
                }));
    }

    private void read() {
        StreamSourceChannel channel = exchange.getRequestChannel();
        channel.getReadSetter().set(this);
        handleEvent(channel);
    }

    @Override
    public void handleEvent(StreamSourceChannel channel) {
        try {
            while (size != length) {
                if (size == data.length && !grow()) {
                    handler.refuse(exchange, 413);
                    return;
                }
                int read = channel.read(ByteBuffer.wrap(data, size, data.length - size));
                if (read == 0) {
                    handler.metrics.requestWaiting();
                    channel.resumeReads();
                    return;
                }
                if (read < 0) {
                    if (length >= 0) {
                        // The client closed before the body it announced was complete.
                        handler.metrics.requestAborted(true);
                        IoUtils.safeClose(exchange.getConnection());
                        return;
                    }
                    break;
                }
                size += read;
            }
        } catch (RequestTooBigException e) {
            // A host Undertow's own entity limit, which its chunked reader applies before we can lift it.
            handler.refuse(exchange, 413);
            return;
        } catch (IOException e) {
            // The client went away or sent broken chunk framing: nobody is left to answer.
            handler.metrics.requestAborted(peerClosed(exchange));
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        channel.suspendReads();
        channel.getReadSetter().set(null);
        handler.callWithBody(exchange, environ, data, size);
    }

    /**
     * True if the client ended its side of the connection, which Undertow reports as an error for a body cut
     * short: reads saw the end while the connection is still open (Undertow closes it on framing errors).
     */
    private static boolean peerClosed(HttpServerExchange exchange) {
        return exchange.getConnection() instanceof AbstractServerConnection && exchange.getConnection().isOpen()
                && ((AbstractServerConnection) exchange.getConnection()).getOriginalSourceConduit().isReadShutdown();
    }

    /**
     * Makes room: up to the declared length, or for a chunked body up to one byte past the limit, so that
     * going over it shows.
     */
    private boolean grow() {
        long cap = length >= 0 ? length : handler.maxBodySize + 1;
        if (size >= cap) {
            return false;
        }
        data = Arrays.copyOf(data, (int) Math.min((long) data.length * 2 + 1, cap));
        return true;
    }
}
