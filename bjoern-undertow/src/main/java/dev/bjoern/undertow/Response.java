package dev.bjoern.undertow;

import dev.bjoern.PendingBody;
import dev.bjoern.server.ResponseCycle;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * One request's response, the one object of ours a request costs: the call of the application and the
 * contract's response cycle ({@link ResponseCycle}: start_response, the write callable, pulling and framing the
 * body, close()) driven onto Undertow's exchange, and ended exactly once, by success, application error or a
 * connection gone away.
 *
 * <p>The body goes out without ever blocking the IO thread and without holding more than one chunk: the next
 * chunk is pulled only when the previous one is fully written; when the socket is full the response parks
 * until it drains. A file body goes out zero-copy from the file. The final flush happens in the same turn as the
 * last write, so the end of a chunked body never waits for another event.
 */
final class Response extends ResponseCycle implements ChannelListener<StreamSinkChannel> {
    private static final int RETAINED_AT_MOST = 64 * 1024;
    private static final Runnable NOTHING = () -> { };

    /**
     * Header names seen before, by identity: a String cannot change, so the very same one maps to the same
     * HttpString. Racy by design: a missed or overwritten entry only means making the HttpString again.
     */
    private static final HeaderName[] NAMES = new HeaderName[64];

    private record HeaderName(String text, HttpString header) {
    }

    private final WsgiHandler handler;
    private final HttpServerExchange exchange;
    private final Map<String, Object> environ;
    /** The connection's timeouts and drain; null when mounted in another server. */
    private final ConnectionWatch watch;
    private final long started;

    /** Parked on its connection ({@link ParkedResponse} knows it): told if the connection closes before it ends. */
    private boolean parked;
    /** The application runs on another thread: its body, not made yet, is closed by whoever sees it first. */
    private boolean offLoop;
    /** Given to a pending body: continues the response on the IO thread. */
    private Runnable wake;

    // The body on its way out, from begin().
    private StreamSinkChannel channel;
    private ByteBuffer current;
    private long filePosition;
    private boolean shutdown;
    /** This call is the channel's write listener. */
    private boolean listening;
    private boolean headersOut;
    /** The body's next chunk is not made yet: {@link #wake} resumes the writing when it is. */
    private boolean waitingForBody;

    Response(WsgiHandler handler, HttpServerExchange exchange, Map<String, Object> environ, ConnectionWatch watch) {
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
        park();
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
     * Calls the application and takes its body; on {@code threads} when given, whose lazy body is then pulled
     * there too.
     *
     * @return what the application threw, or null
     */
    private Throwable callApplication(Executor threads) {
        try {
            take(handler.app.call(environ, this), true);
            FileChannel file = file();
            if (file != null) {
                filePosition = file.position();
            }
            Iterator<byte[]> chunks = iterator();
            if (threads != null && chunks != null && !(chunks instanceof PendingBody)
                    && !(body() instanceof Collection)) {
                pullThrough(new PulledBody(body(), chunks, threads,
                        t -> log("error closing the application's body", t)));
            }
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** The application returned (or threw): on the IO thread, the response goes on. */
    private void afterCall(Throwable failed) {
        offLoop = false;
        if (ended()) {
            // The connection closed while the application ran on another thread.
            if (failed != null) {
                log("error in application", failed);
            }
            closeBody();
        } else if (failed != null) {
            // Nothing has reached the wire yet, even if the write callable was used.
            fail(failed);
        } else {
            begin();
        }
    }

    /** Pulls the first chunk and sends the head; a pending body whose chunk is not ready parks the response. */
    private void begin() {
        try {
            if (!pullFirst()) {
                waitForBody();
                return;
            }
            frame();
            // The file's bytes are counted now: they go out below Undertow, through transferFrom.
            sent(fileBytes());
        } catch (Throwable t) {
            fail(t);
            return;
        }
        channel = exchange.getResponseChannel();
        if (code() == 204 || code() == 304) {
            // Undertow frames a HEAD as the GET it stands for, chunked on a persistent HTTP/1.1 connection,
            // even for these two, which carry no length of any kind (RFC 9110 6.1, 8.6).
            exchange.getResponseHeaders().remove(Headers.TRANSFER_ENCODING);
        }
        write();
    }

    /**
     * The pending body's next chunk is not made yet: keep the exchange open when the handler returns, watch
     * the connection, and serve others until the body calls {@link #onReady}'s callback.
     */
    private void waitForBody() {
        exchange.dispatch(SameThreadExecutor.INSTANCE, NOTHING);
        if (watch != null) {
            // The application is making the body: no timeout, however long it takes (a long poll, events).
            watch.applicationRuns();
        }
        park();
    }

    /** The body's callback: from any thread, continues the response on the IO thread. */
    @Override
    protected Runnable onReady() {
        if (wake == null) {
            Runnable resume = () -> {
                if (!ended()) {
                    if (channel == null) {
                        begin();
                    } else {
                        write();
                    }
                }
            };
            wake = () -> {
                try {
                    exchange.getIoThread().execute(resume);
                } catch (RejectedExecutionException stopped) {
                    // The loop has ended and closed the connection, which ended this response.
                }
            };
        }
        return wake;
    }

    @Override
    protected void head(int code, String status, List<Map.Entry<String, String>> headers, boolean again) {
        HeaderMap out = exchange.getResponseHeaders();
        if (again) {
            out.clear();
        }
        for (Map.Entry<String, String> header : headers) {
            out.add(headerName(header.getKey()), header.getValue());
        }
        exchange.setStatusCode(code);
        String reason = StatusCodes.getReason(code);
        boolean standard = status.length() == 4 + reason.length() && status.regionMatches(4, reason, 0, reason.length());
        // Only a replaced status can leave a reason of ours behind.
        if (!standard || again && exchange.getReasonPhrase() != null) {
            exchange.setReasonPhrase(standard ? null : status.substring(4));
        }
    }

    /** The Undertow form of a header name that start_response checked. */
    private static HttpString headerName(String name) {
        int slot = name.hashCode() & (NAMES.length - 1);
        HeaderName known = NAMES[slot];
        if (known != null && known.text == name) {
            return known.header;
        }
        HttpString header = HttpString.tryFromString(name);
        NAMES[slot] = new HeaderName(name, header);
        return header;
    }

    @Override
    protected boolean headRequest() {
        return exchange.getRequestMethod().equals(Methods.HEAD);
    }

    @Override
    protected String request() {
        return exchange.getRequestMethod() + " " + exchange.getRequestURI();
    }

    @Override
    protected PrintStream errors() {
        return handler.errors;
    }

    /** Declares the framing and sets its headers. */
    private void frame() {
        long length = declare();
        HeaderMap headers = exchange.getResponseHeaders();
        if (watch != null && watch.draining()) {
            // The server stops: this response ends its connection, and says so.
            exchange.setPersistent(false);
        }
        if (code() == 204 || code() == 304) {
            // 204 and 304 have no body and say no length, to HEAD as to GET (RFC 9110 8.6); the cycle left the
            // application's out.
            addKeepAlive(headers, true);
            return;
        }
        if (contentLength() < 0 && length >= 0) {
            headers.put(Headers.CONTENT_LENGTH, length);
        }
        addKeepAlive(headers, length >= 0);
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

    /** Writes what the socket takes; parks the response when it is full or the body not ready, ends it when done. */
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
            byte[] next = next();
            if (next == NOT_READY) {
                waitingForBody = true;
                return false;
            } else if (next != null) {
                sent(next.length);
                current = ByteBuffer.wrap(next);
            } else {
                complete();
                return fileBytes() == 0 || writeFile();
            }
        }
    }

    private boolean writeFile() throws IOException {
        // Undertow's response conduit, while the headers are pending, fills its buffer from the file with a
        // plain read that ignores position and count: flush the headers first.
        if (!channel.flush()) {
            return false;
        }
        FileChannel file = file();
        for (long left = fileBytes(); left > 0; left = fileBytes()) {
            long sent = channel.transferFrom(file, filePosition, left);
            if (sent == 0) {
                if (filePosition >= file.size()) {
                    throw new IllegalStateException("the file body ended " + left
                            + " bytes short of its Content-Length");
                }
                return false;
            }
            filePosition += sent;
            fileSent(sent);
        }
        return true;
    }

    /**
     * The socket is full, again: counted, the send timeout runs from now (from the last time it was full),
     * and the connection is watched until the response ends.
     */
    private void waitForSocket() {
        handler.metrics.responseWaiting();
        if (watch != null) {
            watch.waiting();
        }
        park();
        if (!listening) {
            listening = true;
            channel.getWriteSetter().set(this);
        }
        channel.resumeWrites();
    }

    /** The call waits for its socket, its body or its application: learn if the connection closes meanwhile. */
    private void park() {
        if (!parked && !ended()) {
            parked = true;
            ParkedResponse.park(exchange.getConnection(), this);
        }
    }

    /** The body was sent whole. */
    private void finished() {
        if (!ended()) {
            handler.metrics.responseDone(exchange.isPersistent(), started);
        }
        endWith(null);
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
        handler.metrics.responseAborted(!ended(), appError == null);
        endWith(appError);
        IoUtils.safeClose(exchange.getConnection());
    }

    /** The connection closed while this response was parked. */
    void connectionClosed() {
        handler.metrics.responseAborted(!ended(), false);
        endWith(null);
    }

    /** The application failed before the headers went out: 500, empty, and the connection closed. */
    private void fail(Throwable appError) {
        if (!ended()) {
            handler.metrics.appError();
        }
        endWith(appError);
        handler.answerEmpty(exchange, 500);
    }

    private void endWith(Throwable appError) {
        if (!end()) {
            return;
        }
        if (parked) {
            ParkedResponse.clear(exchange.getConnection(), this);
        }
        if (appError != null) {
            log("error in application", appError);
        }
        if (!offLoop) {
            closeBody();
        }
    }
}
