package dev.bjoern.undertow;

import dev.bjoern.Environ;
import dev.bjoern.WsgiApplication;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * An Undertow handler that serves a {@link WsgiApplication}, so an application can be mounted inside an
 * existing Undertow chain: under a {@code PathHandler} prefix, SCRIPT_NAME is the prefix and PATH_INFO
 * the rest.
 *
 * <p>The application is called on the thread that runs this handler, which for Undertow is an IO thread:
 * the request body is read whole, without blocking, before the call, and the response is written without
 * blocking after it. Request framing is held to RFC 9112: a request is answered with an empty status and the
 * connection closed, the application never called, when its Content-Length is not one {@code 1*DIGIT} value
 * within a long (400); its Transfer-Encoding is anything but {@code chunked} (400, or 501 for a coding before
 * it); its chunked body strays from RFC 9112 §7.1 by a byte (400); the declared Content-Length or the chunk
 * sizes exceed the body limit (413); an HTTP/1.1 {@code Expect} is anything but {@code 100-continue} (417); an
 * absolute-form target has a malformed authority, or the path a malformed percent-escape (400). A chunked body
 * on an HTTP/1.x connection is decoded by this handler from the connection's bytes, not by the host's
 * Undertow. bjoern-api/SPEC.md, section 3, has every rule, and what a host's Undertow decides before this
 * handler runs.
 *
 * <p>The host's Undertow brings its own XNIO provider ({@code org.jboss.xnio:xnio-nio}); this library does not,
 * as its server runs on loops of its own.
 */
public final class WsgiHandler implements HttpHandler {
    /** The default request body limit: 10 MiB. */
    public static final long DEFAULT_MAX_BODY_SIZE = 10L << 20;
    private static final int LARGEST_ARRAY = Integer.MAX_VALUE - 8;
    private static final InputStream NO_BODY = new ByteArrayInputStream(new byte[0]);

    final WsgiApplication app;
    final long maxBodySize;
    final PrintStream errors;
    final Metrics metrics;
    /** Ends an exchange once its empty answer went out, counting how that went. */
    private final IoCallback answered;
    private final Object[] environTemplate;
    private final Addresses addresses = new Addresses();
    /** Set by BjoernServer before it starts, when it keeps an access log. */
    AccessLog accessLog;
    /** Where the application is called, when not on the IO thread: set before serving. */
    Executor threads;

    /**
     * Serves {@code app} with a 10 MiB body limit, logging application errors to {@code System.err}.
     *
     * @param app the application
     */
    public WsgiHandler(WsgiApplication app) {
        this(app, DEFAULT_MAX_BODY_SIZE, System.err, false, false);
    }

    /**
     * Serves {@code app} with the given body limit, error stream and environ flags.
     *
     * @param app the application
     * @param maxBodySize the largest request body accepted, in bytes (at most {@code Integer.MAX_VALUE - 8})
     * @param errors where application errors are logged; also environ's {@code wsgi.errors}
     * @param multithread environ's {@code wsgi.multithread}: true if the host runs this handler on more
     *     than one thread
     * @param multiprocess environ's {@code wsgi.multiprocess}
     * @throws IllegalArgumentException for a body limit out of range
     */
    public WsgiHandler(WsgiApplication app, long maxBodySize, PrintStream errors, boolean multithread,
            boolean multiprocess) {
        this(app, maxBodySize, errors, multithread, multiprocess, Metrics.NONE);
    }

    WsgiHandler(WsgiApplication app, long maxBodySize, PrintStream errors, boolean multithread,
            boolean multiprocess, Metrics metrics) {
        this.app = Objects.requireNonNull(app, "app");
        this.metrics = metrics;
        this.answered = new Answered(metrics);
        this.maxBodySize = checkMaxBodySize(maxBodySize);
        this.errors = Objects.requireNonNull(errors, "errors");
        this.environTemplate = RequestEnviron.template(errors, multithread, multiprocess, NO_BODY);
    }

    static long checkMaxBodySize(long maxBodySize) {
        if (maxBodySize < 0 || maxBodySize > LARGEST_ARRAY) {
            throw new IllegalArgumentException("max body size must be from 0 to " + LARGEST_ARRAY
                    + " bytes, got " + maxBodySize);
        }
        return maxBodySize;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getRequestHeaders();
        // Undertow marks a request without Content-Length and Transfer-Encoding complete: most need no check.
        boolean hasBody = !exchange.isRequestComplete();
        ConnectionWatch watch = ConnectionWatch.of(exchange);
        if (watch != null) {
            watch.requestStarted(hasBody);
        }
        if (accessLog != null) {
            exchange.addExchangeCompleteListener(accessLog);
        }
        // Undertow takes a Content-Length past 2^63 - 1 modulo 2^64 (0 for 2^64: no body, the rest of the bytes
        // a second request), so the framing is checked whether or not Undertow saw a body.
        HeaderValues contentLength = headers.get(Headers.CONTENT_LENGTH);
        long length = -1;
        if (contentLength != null) {
            length = RequestFraming.contentLength(contentLength, headers.contains(Headers.TRANSFER_ENCODING));
            if (length < 0) {
                refuse(exchange, 400);
                return;
            }
        } else if (hasBody) {
            int refusal = RequestFraming.transferCoding(headers.get(Headers.TRANSFER_ENCODING), exchange.isHttp11());
            if (refusal != 0) {
                refuse(exchange, refusal);
                return;
            }
        }
        // Checked before anything is allocated: a claimed length is not a reason to reserve memory.
        if (length > maxBodySize) {
            refuse(exchange, 413);
            return;
        }
        boolean sendContinue = false;
        String expect = headers.getFirst(Headers.EXPECT);
        if (expect != null && exchange.isHttp11()) {
            if (!"100-continue".equalsIgnoreCase(expect)) {
                refuse(exchange, 417);
                return;
            }
            sendContinue = hasBody;
        }
        String targetPrefix = null;
        if (watch != null && watch.start.removedPrefix() != null) {
            // Ours took an absolute-form target's scheme and authority out before the parser read it.
            targetPrefix = watch.start.removedPrefix();
            headers.put(Headers.HOST, watch.start.authority());
        } else if (exchange.isHostIncludedInRequestURI() && !Methods.CONNECT.equals(exchange.getRequestMethod())) {
            // A host's Undertow let an absolute-form target through: its check found the Host value in it.
            String authority = RequestStart.authorityOf(exchange.getRequestURI());
            if (authority == null) {
                refuse(exchange, 400);
                return;
            }
            headers.put(Headers.HOST, authority);
        }
        Map<String, Object> environ;
        try {
            environ = RequestEnviron.build(exchange, addresses, environTemplate, targetPrefix);
        } catch (IllegalArgumentException badPath) {
            refuse(exchange, 400);
            return;
        }
        if (!hasBody) {
            call(exchange, environ, watch);
        } else {
            // Lifts a host Undertow's entity limit for a Content-Length body; its chunked reader, where it is
            // used, has fixed the limit already (RequestBody answers 413 when that one trips). Ours is
            // RequestBody's.
            exchange.setMaxEntitySize(0);
            new RequestBody(this, exchange, environ, length).start(sendContinue);
        }
    }

    private void call(HttpServerExchange exchange, Map<String, Object> environ, ConnectionWatch watch) {
        metrics.requestRead();
        Call call = new Call(this, exchange, environ, watch);
        if (threads == null) {
            call.run();
        } else {
            call.runOn(threads);
        }
    }

    void callWithBody(HttpServerExchange exchange, Map<String, Object> environ, byte[] body, int size) {
        ConnectionWatch watch = ConnectionWatch.of(exchange);
        if (watch != null) {
            watch.applicationRuns();
        }
        environ.put(Environ.WSGI_INPUT, new ByteArrayInputStream(body, 0, size));
        call(exchange, environ, watch);
    }

    /** A request refused as malformed (400, 413, 417): counted as {@code req.error.parse}, then answered. */
    void refuse(HttpServerExchange exchange, int status) {
        metrics.parseError();
        answerEmpty(exchange, status);
    }

    /**
     * Answers {@code status} with an empty body and closes the connection, counting the answer done or
     * aborted. Through the sender, not {@code endExchange()}: that would first try to drain a request body we
     * refuse to read.
     */
    void answerEmpty(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        if (exchange.getReasonPhrase() != null) {
            exchange.setReasonPhrase(null);
        }
        exchange.setPersistent(false);
        HeaderMap headers = exchange.getResponseHeaders();
        headers.clear();
        headers.put(Headers.CONTENT_LENGTH, "0");
        headers.put(Headers.CONNECTION, Headers.CLOSE.toString());
        exchange.getResponseSender().send(ByteBuffer.allocate(0), answered);
    }

    /** Undertow's END_EXCHANGE, counting the answer done or aborted first. */
    private static final class Answered implements IoCallback {
        private final Metrics metrics;

        Answered(Metrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void onComplete(HttpServerExchange exchange, Sender sender) {
            metrics.responseDone(false, 0);
            IoCallback.END_EXCHANGE.onComplete(exchange, sender);
        }

        @Override
        public void onException(HttpServerExchange exchange, Sender sender, IOException exception) {
            metrics.responseAborted(true, true);
            IoCallback.END_EXCHANGE.onException(exchange, sender, exception);
        }
    }
}
