package dev.bjoern.undertow;

import dev.bjoern.Environ;
import dev.bjoern.WsgiApplication;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * An Undertow handler that serves a {@link WsgiApplication}, so an application can be mounted inside an
 * existing Undertow chain: under a {@code PathHandler} prefix, SCRIPT_NAME is the prefix and PATH_INFO
 * the rest.
 *
 * <pre>{@code
 * WsgiHandler handler = WsgiHandler.builder(app).meterRegistry(registry).accessLog(System.out).build();
 * Undertow.builder().addHttpListener(8080, "127.0.0.1")
 *         .setHandler(Handlers.path().addPrefixPath("/app", handler))
 *         .build().start();
 * }</pre>
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
 * Undertow. bjoern-undertow/PROFILE.md, section 3, has every rule, and what a host's Undertow decides before this
 * handler runs.
 *
 * <p>The body limit is the smaller of this handler's ({@link Builder#maxBodySize}) and the host's entity limit
 * for the request ({@code HttpServerExchange.getMaxEntitySize()}: the listener's
 * {@code UndertowOptions.MAX_ENTITY_SIZE}, 2 MiB by default, unless a handler in front changed it; 0 for none).
 * Both count the body's data, not its chunk framing.
 *
 * <p>environ's {@code wsgi.multithread} is true when the host may call this handler on two threads at once:
 * its XNIO worker has more than one IO thread, or the request runs off the IO thread (dispatched to the
 * worker's pool or an executor); or when it was asked for ({@link Builder#multithread}).
 *
 * <p>The host's Undertow brings its own XNIO provider ({@code org.jboss.xnio:xnio-nio}); this library does not,
 * as its server runs on loops of its own.
 */
public final class WsgiHandler implements HttpHandler, AutoCloseable {
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
    /**
     * environ's slots with {@code wsgi.multithread} true, for a request the host may run beside another on
     * another thread; null where the flag given is the whole truth (our own server knows its threads).
     */
    private final Object[] multithreadTemplate;
    private final Addresses addresses = new Addresses();
    /** The access log, or null. */
    final AccessLog accessLog;
    /** Where the application is called when not on the IO thread ({@code --threads}), or null. */
    final Executor threads;
    /** The threads {@link Builder#threads} made, which {@link #close()} stops; null otherwise. */
    private final ExecutorService ownThreads;

    /**
     * Serves {@code app} with a 10 MiB body limit (or the host's, if smaller), logging application errors to
     * {@code System.err}, without metrics or access log; as {@code WsgiHandler.builder(app).build()}.
     *
     * @param app the application
     */
    public WsgiHandler(WsgiApplication app) {
        this(app, DEFAULT_MAX_BODY_SIZE, System.err, false, false);
    }

    /**
     * Serves {@code app} with the given body limit, error stream and environ flags, without metrics or access
     * log; {@link #builder} names the same settings.
     *
     * @param app the application
     * @param maxBodySize the largest request body accepted, in bytes (at most {@code Integer.MAX_VALUE - 8});
     *     the host's entity limit applies too, where smaller
     * @param errors where application errors are logged; also environ's {@code wsgi.errors}
     * @param multithread true to make environ's {@code wsgi.multithread} true for every request; false to
     *     leave it to the host's threads, as the class comment says
     * @param multiprocess environ's {@code wsgi.multiprocess}
     * @throws IllegalArgumentException for a body limit out of range
     */
    public WsgiHandler(WsgiApplication app, long maxBodySize, PrintStream errors, boolean multithread,
            boolean multiprocess) {
        this(app, maxBodySize, errors, multithread, multiprocess, Metrics.NONE, true, null, null);
    }

    /**
     * Our server's handler of one loop: {@code multithread} is the whole truth, as the server knows its loops.
     *
     * @param accessLog the server's access log, or null
     * @param threads the server's application threads, or null to call the application on the IO thread
     */
    WsgiHandler(WsgiApplication app, long maxBodySize, PrintStream errors, boolean multithread, Metrics metrics,
            AccessLog accessLog, Executor threads) {
        this(app, maxBodySize, errors, multithread, false, metrics, false, accessLog, threads);
    }

    private WsgiHandler(WsgiApplication app, long maxBodySize, PrintStream errors, boolean multithread,
            boolean multiprocess, Metrics metrics, boolean hostThreads, AccessLog accessLog, Executor threads) {
        this.app = Objects.requireNonNull(app, "app");
        this.metrics = metrics;
        this.answered = new Answered(metrics);
        this.maxBodySize = checkMaxBodySize(maxBodySize);
        this.errors = Objects.requireNonNull(errors, "errors");
        this.environTemplate = RequestEnviron.template(errors, multithread, multiprocess, NO_BODY);
        this.multithreadTemplate = hostThreads && !multithread
                ? RequestEnviron.template(errors, true, multiprocess, NO_BODY) : null;
        this.accessLog = accessLog;
        this.threads = threads;
        // Only a mounted handler's builder makes threads of its own, which it hands over here.
        this.ownThreads = hostThreads && threads instanceof ExecutorService ? (ExecutorService) threads : null;
    }

    /**
     * A builder for a handler of {@code app}, to mount in an Undertow of one's own, with the defaults its
     * setters name.
     *
     * @param app the application to serve
     * @return a new builder
     */
    public static Builder builder(WsgiApplication app) {
        return new Builder(app);
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
            if (exchange.getRequestStartTime() == -1) {
                // A host listener that does not record it (RECORD_REQUEST_START_TIME): the log's duration
                // then starts here.
                Connectors.setRequestStartTime(exchange);
            }
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
        long limit = maxBodySize;
        long hostLimit = exchange.getMaxEntitySize();
        if (hostLimit > 0 && hostLimit < limit) {
            // The host's limit for this request, which Undertow's own readers would answer with a reset.
            limit = hostLimit;
        }
        // Checked before anything is allocated: a claimed length is not a reason to reserve memory.
        if (length > limit) {
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
        Object[] template = environTemplate;
        if (multithreadTemplate != null && hostRunsSeveral(exchange)) {
            template = multithreadTemplate;
        }
        Map<String, Object> environ;
        try {
            environ = RequestEnviron.build(exchange, addresses, template, targetPrefix);
        } catch (IllegalArgumentException badPath) {
            refuse(exchange, 400);
            return;
        }
        if (!hasBody) {
            call(exchange, environ, watch);
        } else {
            // The limit is RequestBody's from here: a Content-Length within it passes Undertow's check anyway,
            // and a body Undertow frames without having read any of it (HTTP/2) trips ours first, with a 413.
            // Undertow's chunked reader, where a host handler in front used it, fixed its limit before any
            // handler ran (PROFILE.md, section 3).
            exchange.setMaxEntitySize(0);
            new RequestBody(this, exchange, environ, length, limit).start(sendContinue);
        }
    }

    /**
     * True if the host may call this handler on another thread at the same time: its worker has several IO
     * threads, or this request runs off the IO thread (dispatched to the worker's pool or an executor).
     */
    private static boolean hostRunsSeveral(HttpServerExchange exchange) {
        return !exchange.isInIoThread() || exchange.getConnection().getWorker().getIoThreadCount() > 1;
    }

    /**
     * Flushes and stops the access log given to the {@link Builder}, if any, and stops the application threads
     * it made (calls under way are interrupted); the handler then serves on without logging, and refuses
     * requests it would call on those threads with a 500. Call it when the host stops. Idempotent.
     */
    @Override
    public void close() {
        if (accessLog != null) {
            accessLog.close();
        }
        if (ownThreads != null) {
            AppThreads.stop(ownThreads);
        }
    }

    private void call(HttpServerExchange exchange, Map<String, Object> environ, ConnectionWatch watch) {
        metrics.requestRead();
        Response response = new Response(this, exchange, environ, watch);
        if (threads == null) {
            response.run();
        } else {
            response.runOn(threads);
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

    /** Settings of a mounted {@link WsgiHandler}; each setter names its default, as BjoernServer.Builder's do. */
    public static final class Builder {
        private final WsgiApplication app;
        private long maxBodySize = DEFAULT_MAX_BODY_SIZE;
        private PrintStream errors = System.err;
        private boolean multithread;
        private boolean multiprocess;
        private MeterRegistry meterRegistry;
        private OutputStream accessLog;
        /** 0: on the host's thread; -1: a virtual thread per call. */
        private int threads;

        private Builder(WsgiApplication app) {
            this.app = Objects.requireNonNull(app, "app");
        }

        /**
         * The largest request body, in bytes; a larger one is answered 413. The host's entity limit applies
         * too where it is smaller (Undertow's {@code MAX_ENTITY_SIZE}, 2 MiB by default). Default 10 MiB.
         *
         * @param bytes the limit, in bytes
         * @return this builder
         * @throws IllegalArgumentException below 0 or above {@code Integer.MAX_VALUE - 8}
         */
        public Builder maxBodySize(long bytes) {
            this.maxBodySize = checkMaxBodySize(bytes);
            return this;
        }

        /**
         * Where application errors are logged; also environ's wsgi.errors. Default System.err.
         *
         * @param errors the stream, not closed by the handler
         * @return this builder
         */
        public Builder errors(PrintStream errors) {
            this.errors = Objects.requireNonNull(errors, "errors");
            return this;
        }

        /**
         * True makes environ's {@code wsgi.multithread} true for every request, say for an application that
         * shares its state with code on other threads. Default false: true only when the host may call the
         * handler on two threads at once (several IO threads, or a request dispatched off the IO thread).
         *
         * @param multithread true to report multithreading always
         * @return this builder
         */
        public Builder multithread(boolean multithread) {
            this.multithread = multithread;
            return this;
        }

        /**
         * environ's {@code wsgi.multiprocess}: true if other processes serve the same application (say,
         * behind one load balancer). Default false.
         *
         * @param multiprocess the value
         * @return this builder
         */
        public Builder multiprocess(boolean multiprocess) {
            this.multiprocess = multiprocess;
            return this;
        }

        /**
         * Registers bjoern's counters as meters on a Micrometer registry, under bjoern's names, as
         * BjoernServer.Builder's setter of the same name does; docs/metrics.md says which a mounted handler
         * counts (not the connection counters: the host accepts). One handler per registry: {@link #build()}
         * refuses a registry that already has bjoern's meters. Default none.
         *
         * @param registry a registry no other handler's or server's meters are on
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Logs each request this handler answers to {@code out}, in BjoernServer's format (the Common Log
         * Format plus the microseconds it took):
         * {@code 127.0.0.1 - - [24/Nov/2026:09:00:13 +0000] "GET /app/hello?x=1 HTTP/1.1" 200 13 187}. The time
         * runs from the host's record of the request's start where its listener sets
         * {@code UndertowOptions.RECORD_REQUEST_START_TIME}, else from when the handler is called. Lines are
         * written by a thread of the handler's, never by an IO thread; {@link WsgiHandler#close()} writes the
         * last of them and stops it; {@code out} is not closed. Default: no access log; null turns it off.
         *
         * @param out where the lines go, or null
         * @return this builder
         */
        public Builder accessLog(OutputStream out) {
            this.accessLog = out;
            return this;
        }

        /**
         * Calls the application on a pool of {@code n} threads of the handler's instead of the host's IO thread,
         * as {@link BjoernServer.Builder#threads(int)} does for the server: for an application that blocks. The
         * request body is still read before the call and the response written from the IO thread; environ's
         * {@code wsgi.multithread} is true. {@link WsgiHandler#close()} stops the threads. Default: the
         * application runs on the thread the host calls the handler on.
         *
         * @param n the number of threads
         * @return this builder
         * @throws IllegalArgumentException below 1
         */
        public Builder threads(int n) {
            this.threads = AppThreads.count(n);
            return this;
        }

        /**
         * Calls the application on a new virtual thread per request, as {@link #threads(int)} does on a pool.
         * Needs JDK 21 or newer.
         *
         * @return this builder
         * @throws UnsupportedOperationException on a JDK before 21, naming it
         */
        public Builder virtualThreads() {
            AppThreads.checkVirtual();
            this.threads = -1;
            return this;
        }

        /**
         * A handler with these settings; with an access log, its writer thread is started.
         *
         * @return a new handler
         * @throws IllegalStateException if the meter registry has another handler's or server's meters
         */
        public WsgiHandler build() {
            Metrics metrics = meterRegistry == null ? Metrics.NONE : Metrics.mounted(meterRegistry);
            ExecutorService own = threads == 0 ? null : threads < 0 ? AppThreads.virtual() : AppThreads.pool(threads);
            AccessLog log = accessLog == null ? null : new AccessLog(accessLog, errors);
            WsgiHandler handler = new WsgiHandler(app, maxBodySize, errors, multithread || threads != 0,
                    multiprocess, metrics, true, log, own);
            if (log != null) {
                log.start();
            }
            return handler;
        }
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
