package dev.bjoern.undertow;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.conduits.ReadDataStreamSourceConduit;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Reads a request body whole without blocking, then calls the application. Blocking reads are not an
 * option: the application runs on the IO thread, where Undertow refuses them (UT000126).
 *
 * <p>A Content-Length body is read through Undertow's fixed-length channel, the length having been checked
 * by {@link WsgiHandler}. A chunked body on an HTTP/1.x connection is read below Undertow's lenient chunked
 * decoder, as the connection's raw bytes, and decoded by {@link ChunkedBody}; what follows the body is handed
 * back to the connection for the next request.
 */
final class RequestBody implements ChannelListener<StreamSourceChannel> {
    /**
     * What is reserved before the bytes arrive: a client that declares a large body and then stalls must
     * not pin the whole limit. The array grows as bytes come, up to the declared length or the limit.
     */
    private static final int FIRST_CAPACITY = 64 * 1024;
    /** Where a host's handler leaves the body bytes it read before ours ran; null where it cannot be had. */
    private static final AttachmentKey<?> HOST_BUFFERED = hostBufferedKey();

    private final WsgiHandler handler;
    private final HttpServerExchange exchange;
    private final Map<String, Object> environ;
    /** The declared length, or -1 for a chunked body. */
    private final long length;
    /** The most body bytes this request may have: the handler's limit, or the host's where smaller. */
    private final long limit;
    /** The strict decoder of a chunked body read raw; null otherwise. */
    private final ChunkedBody chunked;
    /** Raw bytes of a chunked body not yet decoded; held only while there are some. */
    private PooledByteBuffer raw;
    private byte[] data;
    private int size;

    RequestBody(WsgiHandler handler, HttpServerExchange exchange, Map<String, Object> environ, long length,
            long limit) {
        this.handler = handler;
        this.exchange = exchange;
        this.environ = environ;
        this.length = length;
        this.limit = limit;
        this.chunked = length < 0 && exchange.getConnection() instanceof HttpServerConnection
                && !hostReadSome(exchange) ? new ChunkedBody(limit) : null;
        // The declared length was checked against the limit already.
        this.data = new byte[(int) Math.min(FIRST_CAPACITY, length >= 0 ? length : limit + 1)];
    }

    /**
     * True if a host's handler in front of ours read some of the body already, through Undertow's decoder: it
     * took the request channel for good, or it left what it read on the exchange (RequestBufferingHandler,
     * the h2c upgrade). That body is then read as Undertow decoded it. Our own server has no handler in front.
     * Undertow keeps the key of what it left package-private; where it cannot be had, a host is taken to have
     * read some.
     */
    private static boolean hostReadSome(HttpServerExchange exchange) {
        if (ConnectionWatch.of(exchange) != null) {
            return false;
        }
        return !exchange.isRequestChannelAvailable() || HOST_BUFFERED == null
                || exchange.getAttachment(HOST_BUFFERED) != null;
    }

    private static AttachmentKey<?> hostBufferedKey() {
        try {
            Field key = HttpServerExchange.class.getDeclaredField("BUFFERED_REQUEST_DATA");
            key.setAccessible(true);
            return (AttachmentKey<?>) key.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    void start(boolean sendContinue) {
        if (!sendContinue) {
            if (chunked == null) {
                read();
            } else {
                // Read below the exchange's request channel, which Undertow, seeing it idle when handleRequest
                // returns, would end the exchange by draining: dispatched on the same thread, it does not.
                exchange.dispatch(SameThreadExecutor.INSTANCE, this::read);
            }
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
        StreamSourceChannel channel;
        if (chunked != null) {
            // The connection's bytes as they come, those read ahead with the headers first: what Undertow's
            // chunked decoder would have read, without it.
            AbstractServerConnection connection = (AbstractServerConnection) exchange.getConnection();
            ConduitStreamSourceChannel source = connection.getChannel().getSourceChannel();
            source.setConduit(new ReadDataStreamSourceConduit(connection.getOriginalSourceConduit(), connection));
            channel = source;
        } else {
            channel = exchange.getRequestChannel();
        }
        channel.getReadSetter().set(this);
        handleEvent(channel);
    }

    @Override
    public void handleEvent(StreamSourceChannel channel) {
        int refusal;
        try {
            if (chunked != null ? readChunked(channel) : readPlain(channel)) {
                stopReading(channel);
                handler.callWithBody(exchange, environ, data, size);
            }
            return;
        } catch (ChunkedBody.Refusal e) {
            refusal = e.status;
        } catch (RequestTooBigException e) {
            // The host's entity limit, tripped in Undertow's chunked reader, which a host handler in front of
            // ours began to read with: its limit counts the framing and was fixed before any handler ran. It
            // closes the connection before it throws; where it did not, the answer is ours.
            if (!exchange.getConnection().isOpen()) {
                stopReading(channel);
                handler.metrics.parseError();
                return;
            }
            refusal = 413;
        } catch (IOException e) {
            // The client went away, or (where Undertow decodes) sent broken chunk framing.
            stopReading(channel);
            handler.metrics.requestAborted(peerClosed(exchange));
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        // Whatever else the client sends is never read: the answer ends the connection.
        stopReading(channel);
        handler.refuse(exchange, refusal);
    }

    private void stopReading(StreamSourceChannel channel) {
        release();
        channel.suspendReads();
        channel.getReadSetter().set(null);
    }

    /** Reads a Content-Length body, or any body Undertow decodes; true once it is whole. */
    private boolean readPlain(StreamSourceChannel channel) throws IOException, ChunkedBody.Refusal {
        while (size != length) {
            if (size == data.length) {
                // Up to the declared length, or for a body Undertow decodes one byte past the limit, so that
                // going over it shows.
                long cap = length >= 0 ? length : limit + 1;
                if (size >= cap) {
                    throw new ChunkedBody.Refusal(413, "the body exceeds the limit");
                }
                grow(size + 1, cap);
            }
            int read = channel.read(ByteBuffer.wrap(data, size, data.length - size));
            if (read == 0) {
                waitForMore(channel);
                return false;
            }
            if (read < 0) {
                if (length >= 0) {
                    clientLeft();
                    return false;
                }
                break;
            }
            size += read;
        }
        return true;
    }

    /** Reads and decodes a chunked body from the connection's raw bytes; true once it is whole. */
    private boolean readChunked(StreamSourceChannel channel) throws IOException, ChunkedBody.Refusal {
        while (!chunked.done()) {
            long dataLeft = chunked.dataLeft();
            if (raw == null && dataLeft > 0) {
                // Nothing read ahead: a chunk's data goes straight into the body, never past the chunk.
                grow(size + Math.min(dataLeft, FIRST_CAPACITY), limit);
                int read = channel.read(ByteBuffer.wrap(data, size, (int) Math.min(dataLeft, data.length - size)));
                if (read <= 0) {
                    ended(channel, read);
                    return false;
                }
                size += read;
                chunked.took(read);
                continue;
            }
            if (raw == null) {
                raw = exchange.getConnection().getByteBufferPool().allocate();
                ByteBuffer buffer = raw.getBuffer();
                buffer.clear();
                int read = channel.read(buffer);
                buffer.flip();
                if (read <= 0) {
                    release();
                    ended(channel, read);
                    return false;
                }
            }
            ByteBuffer buffer = raw.getBuffer();
            chunked.frame(buffer);
            int take = (int) Math.min(chunked.dataLeft(), buffer.remaining());
            if (take > 0) {
                grow(size + take, limit);
                buffer.get(data, size, take);
                size += take;
                chunked.took(take);
            }
            if (!buffer.hasRemaining()) {
                release();
            }
        }
        if (raw != null) {
            // The next request's first bytes.
            ((HttpServerConnection) exchange.getConnection()).ungetRequestBytes(raw);
            raw = null;
        }
        Connectors.terminateRequest(exchange);
        return true;
    }

    /** A read found nothing (wait for more) or the end of the stream (the client left mid-body). */
    private void ended(StreamSourceChannel channel, int read) {
        if (read < 0) {
            clientLeft();
        } else {
            waitForMore(channel);
        }
    }

    /** The client closed before its body was complete. */
    private void clientLeft() {
        release();
        handler.metrics.requestAborted(true);
        IoUtils.safeClose(exchange.getConnection());
    }

    private void waitForMore(StreamSourceChannel channel) {
        handler.metrics.requestWaiting();
        channel.resumeReads();
    }

    private void release() {
        if (raw != null) {
            raw.close();
            raw = null;
        }
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
     * Makes room for {@code needed} bytes in all, at least doubling the array, never past {@code cap}, which is
     * at least {@code needed} (for a chunked body we decode, its chunk sizes keep it within the limit).
     */
    private void grow(long needed, long cap) {
        if (needed > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(Math.max(needed, (long) data.length * 2 + 1), cap));
        }
    }
}
