package dev.bjoern.undertow;

import dev.bjoern.FileBody;
import dev.bjoern.PendingBody;
import dev.bjoern.StartResponse;
import dev.bjoern.Write;
import dev.bjoern.server.ResponseRules;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;

/**
 * One request's call of the application, the one object of ours a request costs: start_response and the write
 * callable, pulling the body, choosing how it is framed, writing it, and ending it, exactly once, by success,
 * application error or a connection gone away.
 *
 * <p>The body goes out without ever blocking the IO thread and without holding more than one chunk: the next
 * chunk is pulled only when the previous one is fully written; when the socket is full the call parks until
 * it drains. A file body goes out zero-copy from the file. The final flush happens in the same turn as the
 * last write, so the end of a chunked body never waits for another event.
 */
final class Call implements StartResponse, Write, ChannelListener<StreamSinkChannel> {
    private static final int RETAINED_AT_MOST = 64 * 1024;

    private final WsgiHandler handler;
    private final HttpServerExchange exchange;
    private final Map<String, Object> environ;
    /** The connection's timeouts and drain; null when mounted in another server. */
    private final ConnectionWatch watch;

    private String status;
    private long contentLength = -1;
    /** The headers went out, or the write callable promised they will. */
    private boolean committed;
    private boolean bodyless;
    private ArrayDeque<byte[]> written;
    private long writtenBytes;
    private Iterable<byte[]> body;
    /** The body as an indexed list (the usual {@code List.of(bytes)}), walked without an iterator... */
    private List<byte[]> list;
    private int listIndex;
    /** ...or else its iterator. */
    private Iterator<byte[]> chunks;
    private boolean ended;
    /** Known to {@link InFlight}: the call waits for its socket or its body. */
    private boolean inFlight;
    /** The application runs on another thread: its body, not made yet, is closed by whoever sees it first. */
    private boolean offLoop;
    private final long started;
    /** The body's iterator when it is a PendingBody (SPEC.md 6): asked before each pull. */
    private PendingBody pending;
    /** What continues a pending body on the IO thread: the first pull, then the writer. */
    private Runnable resume;
    private Runnable wake;

    // The body on its way out, from send().
    private StreamSinkChannel channel;
    /** Bytes the Content-Length still promises, or -1 when the body is not length-delimited. */
    private long unsent;
    /** The chunk pulled before the headers went out, until it is taken. */
    private byte[] first;
    private ByteBuffer current;
    private FileChannel file;
    private long filePosition;
    private long fileLength;
    private long fileRemaining;
    private boolean shutdown;
    /** This call is the channel's write listener. */
    private boolean listening;
    private boolean headersOut;
    /** The body's next chunk is not made yet: {@link #wake()} resumes the writing when it is. */
    private boolean waitingForBody;

    /** Stands for "no chunk yet" from a pending body; compared by identity. */
    static final byte[] NOT_READY = new byte[0];
    private static final Runnable NOTHING = () -> { };

    Call(WsgiHandler handler, HttpServerExchange exchange, Map<String, Object> environ, ConnectionWatch watch) {
        this.handler = handler;
        this.exchange = exchange;
        this.environ = environ;
        this.watch = watch;
        this.started = handler.metrics.started();
    }

    /** Calls the application here, on the IO thread, and goes on with its response. */
    void run() {
        afterCall(callApplication(null));
    }

    /**
     * Calls the application on one of {@code threads}, off the IO thread, for an application that blocks; the
     * response goes on on the IO thread once it returns. A lazy body is pulled on {@code threads} too, a chunk
     * at a time, when the IO thread wants the next one: a slow client holds no thread between two chunks.
     */
    void runOn(Executor threads) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, NOTHING);
        if (watch != null) {
            // However long the application takes, as for a pending body.
            watch.applicationRuns();
        }
        parked();
        offLoop = true;
        try {
            threads.execute(new OffLoop(threads));
        } catch (RejectedExecutionException stopping) {
            offLoop = false;
            fail(new IllegalStateException("the application's threads are stopping", stopping));
        }
    }

    /** The call of the application on one of its threads, then back to the IO thread. */
    private final class OffLoop implements AppThreads.Task {
        private final Executor threads;

        OffLoop(Executor threads) {
            this.threads = threads;
        }

        @Override
        public void run() {
            Throwable failed = AppThreads.calling(() -> callApplication(threads));
            back(failed);
        }

        /** The threads stopped before this call ran: the application is not called. */
        @Override
        public void refuse() {
            back(new IllegalStateException("the application's threads stopped before the call"));
        }

        private void back(Throwable failed) {
            try {
                exchange.getIoThread().execute(() -> afterCall(failed));
            } catch (RejectedExecutionException stopped) {
                // The loop has ended, and the connection with it: nobody else will close the body.
                closeBody();
            }
        }
    }

    /**
     * Calls the application and looks at its body; on {@code threads} when given, whose lazy body is then
     * pulled there too.
     *
     * @return what the application threw, or null
     */
    private Throwable callApplication(Executor threads) {
        try {
            body = handler.app.call(environ, this);
            if (body == null) {
                throw new IllegalStateException("the application returned null instead of a body");
            }
            if (body instanceof FileBody && ((FileBody) body).fileChannel() != null) {
                file = ((FileBody) body).fileChannel();
                filePosition = file.position();
                fileLength = file.size() - filePosition;
            } else if (body instanceof List && body instanceof RandomAccess) {
                list = (List<byte[]>) body;
            } else {
                chunks = body.iterator();
                if (threads != null && !(chunks instanceof PendingBody) && !(body instanceof Collection)) {
                    chunks = new PulledBody(body, chunks, threads,
                            t -> log("error closing the application's body", t));
                }
                if (chunks instanceof PendingBody) {
                    pending = (PendingBody) chunks;
                    resume = this::pullFirst;
                }
            }
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** The application returned (or threw): on the IO thread, the response goes on. */
    private void afterCall(Throwable failed) {
        offLoop = false;
        if (ended) {
            // The connection closed while the application ran on another thread.
            if (failed != null) {
                log("error in application", failed);
            }
            closeBody();
        } else if (failed != null) {
            // Nothing has reached the wire yet, even if the write callable was used.
            fail(failed);
        } else if (file != null) {
            send(null);
        } else {
            pullFirst();
        }
    }

    /**
     * Pulls the first non-empty chunk before the headers go out: a lazy body may call start_response from
     * inside its iterator. A response without a body is not pulled further than start_response needs. A
     * pending body whose chunk is not ready parks the call here until it is.
     */
    private void pullFirst() {
        byte[] first = null;
        try {
            while (first == null && (status == null || !bodyless)) {
                if (pending != null && !pending.ready(wake())) {
                    waitForBody();
                    return;
                }
                if (!hasMore()) {
                    break;
                }
                first = chunk(pull());
            }
        } catch (Throwable t) {
            fail(t);
            return;
        }
        send(first);
    }

    private void send(byte[] first) {
        long declaredLength;
        try {
            if (status == null) {
                throw new IllegalStateException("the application did not call start_response");
            }
            declaredLength = frame(file == null ? length(body) : writtenBytes + fileLength);
        } catch (Throwable t) {
            fail(t);
            return;
        }
        committed = true;
        if (bodyless) {
            written = null;
            first = null;
            file = null;
            declaredLength = -1;
        } else if (written != null && !written.isEmpty()) {
            if (first != null) {
                written.add(first);
            }
            first = written.poll();
        }
        fileRemaining = file == null ? 0 : contentLength >= 0 ? Math.max(0, contentLength - writtenBytes) : fileLength;
        channel = exchange.getResponseChannel();
        unsent = declaredLength < 0 ? -1 : declaredLength - fileRemaining;
        this.first = first;
        if (pending != null) {
            resume = this::write;
        }
        write();
    }

    /**
     * The pending body's next chunk is not made yet: keep the exchange open when the handler returns, watch
     * the connection, and serve others until the body calls {@link #wake()}.
     */
    private void waitForBody() {
        exchange.dispatch(SameThreadExecutor.INSTANCE, NOTHING);
        if (watch != null) {
            // The application is making the body: no timeout, however long it takes (a long poll, events).
            watch.applicationRuns();
        }
        parked();
    }

    /** The body's callback: from any thread, continues the response on the IO thread. */
    private Runnable wake() {
        if (wake == null) {
            Runnable resumeHere = () -> {
                if (!ended) {
                    resume.run();
                }
            };
            wake = () -> {
                try {
                    exchange.getIoThread().execute(resumeHere);
                } catch (RejectedExecutionException stopped) {
                    // The loop has ended and closed the connection, which ended this call.
                }
            };
        }
        return wake;
    }

    @Override
    public Write call(String status, List<Map.Entry<String, String>> headers, Throwable excInfo) throws Exception {
        if (excInfo != null) {
            if (committed) {
                if (excInfo instanceof Exception) {
                    throw (Exception) excInfo;
                }
                if (excInfo instanceof Error) {
                    throw (Error) excInfo;
                }
                throw new IllegalStateException(excInfo);
            }
        } else if (this.status != null) {
            throw new IllegalStateException("start_response was already called; a second call must pass excInfo");
        }
        ResponseHead.Status line = ResponseHead.status(status);
        // Everything is checked before anything is applied: a refused call changes nothing.
        long length = ResponseRules.headers(headers);
        HeaderMap out = exchange.getResponseHeaders();
        if (this.status != null) {
            out.clear();
        }
        for (Map.Entry<String, String> header : headers) {
            out.add(ResponseHead.header(header.getKey()), header.getValue());
        }
        exchange.setStatusCode(line.code());
        // Only a replaced status can leave a reason of ours behind.
        if (!line.standardReason() || this.status != null && exchange.getReasonPhrase() != null) {
            exchange.setReasonPhrase(line.standardReason() ? null : status.substring(4));
        }
        contentLength = length;
        bodyless = exchange.getRequestMethod().equals(Methods.HEAD) || !Connectors.isEntityBodyAllowed(line.code());
        this.status = status;
        return this;
    }

    @Override
    public void write(byte[] data) throws IOException {
        if (status == null) {
            throw new IllegalStateException("write was called before start_response");
        }
        if (ended) {
            throw new IOException("the response has already ended");
        }
        if (data == null) {
            throw new IllegalArgumentException("write takes bytes, got null");
        }
        committed = true;
        if (data.length > 0) {
            if (written == null) {
                written = new ArrayDeque<>();
            }
            written.add(data);
            writtenBytes += data.length;
        }
    }

    /**
     * The next bytes to send, or null at the end of the body, or {@link #NOT_READY} when a pending body has
     * no chunk yet (the writer resumes when it has); bytes from the write callable come first.
     */
    private byte[] nextChunk() {
        if (bodyless) {
            return null;
        }
        while (written == null || written.isEmpty()) {
            if (pending != null && !pending.ready(wake())) {
                return NOT_READY;
            }
            if (!hasMore()) {
                return written == null ? null : written.poll();
            }
            byte[] chunk = chunk(pull());
            if (chunk != null) {
                if (written == null || written.isEmpty()) {
                    return chunk;
                }
                written.add(chunk);
            }
        }
        return written.poll();
    }

    private boolean hasMore() {
        return list != null ? listIndex < list.size() : chunks != null && chunks.hasNext();
    }

    private byte[] pull() {
        return list != null ? list.get(listIndex++) : chunks.next();
    }

    private static byte[] chunk(byte[] chunk) {
        if (chunk == null) {
            throw new IllegalStateException("the application's body yielded null instead of bytes");
        }
        return chunk.length == 0 ? null : chunk;
    }

    /** The body's length when it is known without iterating a lazy body, else -1. */
    private long length(Iterable<byte[]> body) {
        if (!(body instanceof Collection)) {
            return -1;
        }
        long length = writtenBytes;
        if (body instanceof List && body instanceof RandomAccess) {
            // The usual List.of(bytes): no second iterator.
            List<byte[]> list = (List<byte[]>) body;
            for (int i = 0; i < list.size(); i++) {
                length += length(list.get(i));
            }
        } else {
            for (byte[] chunk : body) {
                length += length(chunk);
            }
        }
        return length;
    }

    private static int length(byte[] chunk) {
        if (chunk == null) {
            throw new IllegalStateException("the application's body holds null instead of bytes");
        }
        return chunk.length;
    }

    /** Sets the framing headers; returns the Content-Length the response declares, or -1. */
    private long frame(long knownLength) {
        HeaderMap headers = exchange.getResponseHeaders();
        if (watch != null && watch.draining()) {
            // The server stops: this response ends its connection, and says so.
            exchange.setPersistent(false);
        }
        if (!Connectors.isEntityBodyAllowed(exchange.getStatusCode())) {
            // 204 and 304 have no body and say no length, to HEAD as to GET (RFC 9110 8.6).
            headers.remove(Headers.CONTENT_LENGTH);
            addKeepAlive(headers, true);
            return -1;
        }
        long length = contentLength;
        if (length < 0 && knownLength >= 0) {
            length = knownLength;
            headers.put(Headers.CONTENT_LENGTH, length);
        }
        addKeepAlive(headers, length >= 0);
        return length;
    }

    /** Undertow adds "Connection: keep-alive" to no response; a persistent HTTP/1.0 one needs it. */
    private void addKeepAlive(HeaderMap headers, boolean delimited) {
        if (delimited && exchange.isPersistent() && !exchange.isHttp11() && !headers.contains(Headers.CONNECTION)) {
            headers.put(Headers.CONNECTION, Headers.KEEP_ALIVE.toString());
        }
    }

    @Override
    public void handleEvent(StreamSinkChannel channel) {
        write();
    }

    /** Writes what the socket takes; parks the call when it is full or the body not ready, ends it when done. */
    private void write() {
        try {
            if (!shutdown) {
                if (!writeBody()) {
                    if (waitingForBody) {
                        waitingForBody = false;
                        if (listening) {
                            channel.suspendWrites();
                        }
                        waitForBody();
                    } else {
                        waitForSocket();
                    }
                    return;
                }
                shutdown = true;
                channel.shutdownWrites();
            }
            if (!channel.flush()) {
                waitForSocket();
                return;
            }
        } catch (IOException peerGone) {
            abort(null);
            return;
        } catch (Throwable appError) {
            abort(appError);
            return;
        }
        if (listening) {
            channel.suspendWrites();
        }
        finished();
    }

    /** @return true when the whole body is written, false when the socket is full or the body not ready */
    private boolean writeBody() throws IOException {
        while (true) {
            if (current != null) {
                if (!headersOut) {
                    // With the headers pending, Undertow writes them and a chunk too large for its buffer
                    // in one gathering write, and keeps the chunk referenced until the connection's next
                    // response: an idle connection would hold it. Past 64 KiB, the headers go out first.
                    if (current.remaining() > RETAINED_AT_MOST && !channel.flush()) {
                        return false;
                    }
                    headersOut = true;
                }
                while (current.hasRemaining()) {
                    if (channel.write(current) == 0) {
                        return false;
                    }
                }
                current = null;
            }
            byte[] next = first != null ? first : nextChunk();
            first = null;
            if (next == NOT_READY) {
                waitingForBody = true;
                return false;
            } else if (next != null) {
                current = take(next);
            } else if (unsent > 0) {
                throw new IllegalStateException("the body ended " + unsent + " bytes short of its Content-Length");
            } else if (fileRemaining > 0) {
                return writeFile();
            } else {
                return true;
            }
        }
    }

    /** Checks a chunk against the Content-Length: the framing must never carry more than it promised. */
    private ByteBuffer take(byte[] chunk) {
        if (unsent >= 0 && (unsent -= chunk.length) < 0) {
            throw new IllegalStateException("the body is longer than its Content-Length");
        }
        return ByteBuffer.wrap(chunk);
    }

    private boolean writeFile() throws IOException {
        // Undertow's response conduit, while the headers are pending, fills its buffer from the file with a
        // plain read that ignores position and count: flush the headers first.
        if (!channel.flush()) {
            return false;
        }
        while (fileRemaining > 0) {
            long sent = channel.transferFrom(file, filePosition, fileRemaining);
            if (sent == 0) {
                if (filePosition >= file.size()) {
                    throw new IllegalStateException("the file body ended " + fileRemaining
                            + " bytes short of its Content-Length");
                }
                return false;
            }
            filePosition += sent;
            fileRemaining -= sent;
        }
        return true;
    }

    /**
     * The socket is full, again: counted, the send timeout runs from now (from the last time it was full),
     * and the connection is watched until the call ends.
     */
    private void waitForSocket() {
        handler.metrics.responseWaiting();
        if (watch != null) {
            watch.waiting();
        }
        parked();
        if (!listening) {
            listening = true;
            channel.getWriteSetter().set(this);
        }
        channel.resumeWrites();
    }

    /** The call waits for its socket or its body: learn if the connection closes meanwhile. */
    private void parked() {
        if (!inFlight && !ended) {
            inFlight = true;
            InFlight.park(exchange.getConnection(), this);
        }
    }

    /** The body was sent whole. */
    private void finished() {
        if (!ended) {
            handler.metrics.responseDone(exchange.isPersistent(), started);
        }
        end(null);
        if (watch != null) {
            watch.responseEnded(exchange);
        } else if (exchange.isPersistent()) {
            RequestStart.skipEmptyLines(exchange.getConnection());
        }
        exchange.endExchange();
    }

    /**
     * The response cannot be completed: the connection is closed, so that the client sees a truncated
     * response and never a clean end.
     *
     * @param appError what the application threw, or null when the connection failed under us
     */
    private void abort(Throwable appError) {
        handler.metrics.responseAborted(!ended, appError == null);
        end(appError);
        IoUtils.safeClose(exchange.getConnection());
    }

    /** The connection closed while this call was in flight. */
    void connectionClosed() {
        handler.metrics.responseAborted(!ended, false);
        end(null);
    }

    /** The application failed before the headers went out: 500, empty, and the connection closed. */
    private void fail(Throwable appError) {
        if (!ended) {
            handler.metrics.appError();
        }
        end(appError);
        handler.answerEmpty(exchange, 500);
    }

    private void end(Throwable appError) {
        if (ended) {
            return;
        }
        ended = true;
        if (inFlight) {
            InFlight.clear(exchange.getConnection(), this);
        }
        if (appError != null) {
            log("error in application", appError);
        }
        if (!offLoop) {
            closeBody();
        }
    }

    /** Closes the body, once: the one {@link #end} found, or one made after it by an application off the loop. */
    private void closeBody() {
        AutoCloseable closeable = chunks instanceof PulledBody ? (AutoCloseable) chunks : closeable(body, chunks);
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Throwable t) {
                log("error closing the application's body", t);
            }
        }
    }

    /** What PEP 3333's close() closes: the body if it is closeable, else its iterator if that is; or null. */
    static AutoCloseable closeable(Iterable<byte[]> body, Iterator<byte[]> chunks) {
        return body instanceof AutoCloseable ? (AutoCloseable) body
                : chunks instanceof AutoCloseable ? (AutoCloseable) chunks : null;
    }

    private void log(String what, Throwable t) {
        handler.errors.println("bjoern: " + what + " for " + exchange.getRequestMethod() + " "
                + exchange.getRequestURI());
        t.printStackTrace(handler.errors);
    }
}
