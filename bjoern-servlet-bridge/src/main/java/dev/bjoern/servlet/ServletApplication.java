package dev.bjoern.servlet;

import dev.bjoern.Environ;
import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.annotation.MultipartConfig;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.EventListener;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Jakarta Servlet (6.1 API; plain servlets, filters, Jersey's ServletContainer, Spring's
 * DispatcherServlet) served as a {@link WsgiApplication}, by any server of the contract.
 *
 * <pre>{@code
 * try (ServletApplication app = ServletApplication.of(new MyServlet())) {
 *     Bjoern.run(app, "127.0.0.1", 8000);
 * }
 * }</pre>
 *
 * <p>Building one initialises the servlet (context listeners, then filters, then {@code init()}), once;
 * {@link #close()} destroys them, once. Each request is read from environ on the server's thread and then
 * served on the application's executor (up to 200 threads by default, see {@link Builder#executor}), so
 * that a servlet may block, and may stream a response of any size: the server pulls the body as the
 * client reads it, and a servlet writing faster waits on its own thread. The servlet is mapped at
 * {@code /*} unless the builder says {@code /prefix/*}. docs/servlet-bridge.md says what is supported.
 */
public final class ServletApplication implements WsgiApplication, AutoCloseable {
    /** The default response buffer: 8 KiB, as in Tomcat and Jetty. */
    public static final int DEFAULT_BUFFER_SIZE = 8192;
    /** The default async timeout: 30 seconds. */
    public static final Duration DEFAULT_ASYNC_TIMEOUT = Duration.ofSeconds(30);
    /** Threads of the default executor, at most. */
    public static final int DEFAULT_THREADS = 200;
    private static final int PIPE_AT_LEAST = 64 * 1024;
    /** Set while the server's thread hands a request to the executor: a direct executor shows here. */
    private static final ThreadLocal<Boolean> HANDING_OVER = new ThreadLocal<>();

    final BridgeContext context;
    final Servlet servlet;
    final String servletName;
    final List<FilterMapping> filters;
    final PathMapping mapping;
    final Sessions sessions;
    final MultipartConfigElement multipart;
    final boolean async;
    final long asyncTimeoutMillis;
    final int bufferSize;
    final Executor executor;
    final List<ServletRequestListener> requestListeners = new ArrayList<>();
    final AtomicLong requestIds = new AtomicLong();
    private final ExecutorService ownedExecutor;
    private final List<ServletContextListener> contextListeners = new ArrayList<>();
    private final long pipeLimit;
    private final Object lifecycle = new Object();
    private volatile boolean closed;

    private ServletApplication(Builder builder) {
        context = new BridgeContext(builder.contextPath, builder.log);
        builder.contextInitParameters.forEach(context::setInitParameter);
        builder.contextAttributes.forEach(context::setAttribute);
        context.listeners(builder.listeners);
        if (builder.requestEncoding != null) {
            context.setRequestCharacterEncoding(builder.requestEncoding);
        }
        if (builder.responseEncoding != null) {
            context.setResponseCharacterEncoding(builder.responseEncoding);
        }
        if (builder.sessionTimeout != null) {
            context.sessionTimeoutSeconds((int) Math.min(Integer.MAX_VALUE, builder.sessionTimeout.toSeconds()));
        }
        context.getSessionCookieConfig().setName(builder.sessionCookieName);
        servlet = builder.servlet;
        servletName = builder.servletName != null ? builder.servletName : servlet.getClass().getName();
        mapping = new PathMapping(builder.contextPath, builder.mapping);
        sessions = new Sessions(context, builder.listeners);
        multipart = builder.multipart != null ? builder.multipart : annotatedMultipart(servlet);
        async = builder.async;
        asyncTimeoutMillis = builder.asyncTimeout.toMillis();
        bufferSize = builder.bufferSize;
        pipeLimit = Math.max(bufferSize, PIPE_AT_LEAST);
        for (EventListener listener : builder.listeners) {
            if (listener instanceof ServletContextListener) {
                contextListeners.add((ServletContextListener) listener);
            }
            if (listener instanceof ServletRequestListener) {
                requestListeners.add((ServletRequestListener) listener);
            }
        }
        filters = List.copyOf(builder.filters);
        if (builder.executor != null) {
            executor = builder.executor;
            ownedExecutor = null;
        } else {
            ownedExecutor = ServletThreads.pool(DEFAULT_THREADS);
            executor = ownedExecutor;
        }
        start(new BridgeConfig(servletName, context, builder.initParameters));
    }

    /** Without a builder setting: the servlet's own @MultipartConfig, else parts in memory up to 64 KiB. */
    private static MultipartConfigElement annotatedMultipart(Servlet servlet) {
        MultipartConfig annotation = servlet.getClass().getAnnotation(MultipartConfig.class);
        return annotation != null ? new MultipartConfigElement(annotation) : new MultipartConfigElement("", -1, -1, 64 * 1024);
    }

    private void start(BridgeConfig servletConfig) {
        int filtersStarted = 0;
        int listenersStarted = 0;
        try {
            ServletContextEvent event = new ServletContextEvent(context);
            for (ServletContextListener listener : contextListeners) {
                listener.contextInitialized(event);
                listenersStarted++;
            }
            for (FilterMapping filter : filters) {
                filter.filter.init(new BridgeConfig(filter.name, context, filter.initParameters));
                filtersStarted++;
            }
            servlet.init(servletConfig);
            context.started();
        } catch (ServletException | RuntimeException e) {
            for (int i = filtersStarted - 1; i >= 0; i--) {
                filters.get(i).filter.destroy();
            }
            for (int i = listenersStarted - 1; i >= 0; i--) {
                contextListeners.get(i).contextDestroyed(new ServletContextEvent(context));
            }
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
            }
            throw new IllegalStateException("the servlet " + servletName + " failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * The servlet at {@code /*} with every default: its init() runs now.
     *
     * @param servlet the servlet to serve
     * @return the application, initialised; close it to destroy the servlet
     * @throws IllegalStateException when init() (or a filter's, or a listener's) fails; the cause is its exception
     */
    public static ServletApplication of(Servlet servlet) {
        return builder(servlet).build();
    }

    /**
     * A builder for {@code servlet}; nothing runs until {@link Builder#build()}.
     *
     * @param servlet the servlet to serve
     * @return a builder with every default
     */
    public static Builder builder(Servlet servlet) {
        return new Builder(servlet);
    }

    /**
     * Called by the server on its thread: copies environ (the servlet reads it from another thread), hands
     * the request to the executor and returns the body the servlet will fill. A request outside the mapping
     * is answered 404 here; one the executor refuses, 503.
     */
    @Override
    public Iterable<byte[]> call(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        Map<String, Object> copy = new HashMap<>(environ);
        Object scriptName = copy.getOrDefault(Environ.SCRIPT_NAME, "");
        Object pathInfo = copy.getOrDefault(Environ.PATH_INFO, "");
        Object target = copy.get(Environ.REQUEST_URI);
        PathMapping.Paths paths = mapping.map(scriptName.toString(), pathInfo.toString(),
                target == null ? null : target.toString());
        if (paths == null) {
            return plain(startResponse, 404);
        }
        if (closed) {
            return plain(startResponse, 503);
        }
        ResponsePipe pipe = new ResponsePipe(startResponse, pipeLimit);
        HANDING_OVER.set(Boolean.TRUE);
        try {
            executor.execute(new ServletCall(this, copy, paths, pipe));
        } catch (RejectedExecutionException e) {
            return plain(startResponse, 503);
        } finally {
            HANDING_OVER.remove();
        }
        return pipe;
    }

    private static Iterable<byte[]> plain(StartResponse startResponse, int status) throws Exception {
        byte[] body = (StatusLine.of(status) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        startResponse.call(StatusLine.of(status), List.of(Map.entry("Content-Type", "text/plain; charset=ISO-8859-1"),
                Map.entry("Content-Length", Integer.toString(body.length))));
        return List.of(body);
    }

    /** True on the server's thread inside {@link #call}: the executor must not run the servlet there. */
    static boolean handingOver() {
        return HANDING_OVER.get() != null;
    }

    /**
     * The servlet context, for code that sets it up from outside (say, attributes after the build).
     *
     * @return the one context of this application
     */
    public jakarta.servlet.ServletContext servletContext() {
        return context;
    }

    /**
     * Destroys the servlet, then the filters, then the context listeners and sessions, once; later requests
     * get 503. Requests still running are not waited for. An executor the application made is shut down;
     * one given to the builder is left to its owner. Call it after the server stopped.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            servlet.destroy();
        } finally {
            for (int i = filters.size() - 1; i >= 0; i--) {
                filters.get(i).filter.destroy();
            }
            sessions.destroyAll();
            ServletContextEvent event = new ServletContextEvent(context);
            for (int i = contextListeners.size() - 1; i >= 0; i--) {
                contextListeners.get(i).contextDestroyed(event);
            }
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
            }
        }
    }

    /**
     * Settings for a {@link ServletApplication}. Every setting has a default; {@link #build()} checks them
     * and initialises the servlet.
     */
    public static final class Builder {
        private final Servlet servlet;
        private String servletName;
        private final Map<String, String> initParameters = new LinkedHashMap<>();
        private String mapping = "/*";
        private String contextPath = "";
        private final List<FilterMapping> filters = new ArrayList<>();
        private final Map<String, Object> contextAttributes = new LinkedHashMap<>();
        private final Map<String, String> contextInitParameters = new LinkedHashMap<>();
        private final List<EventListener> listeners = new ArrayList<>();
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private String requestEncoding;
        private String responseEncoding;
        private Duration sessionTimeout;
        private String sessionCookieName = "JSESSIONID";
        private MultipartConfigElement multipart;
        private boolean async;
        private Duration asyncTimeout = DEFAULT_ASYNC_TIMEOUT;
        private Executor executor;
        private PrintStream log = System.err;

        private Builder(Servlet servlet) {
            this.servlet = Objects.requireNonNull(servlet, "servlet");
        }

        /**
         * The servlet's name (ServletConfig, HttpServletMapping); default its class name.
         *
         * @param name the name
         * @return this builder
         */
        public Builder servletName(String name) {
            this.servletName = Objects.requireNonNull(name, "servlet name");
            return this;
        }

        /**
         * An init parameter of the servlet (ServletConfig.getInitParameter).
         *
         * @param name the parameter's name
         * @param value its value
         * @return this builder
         */
        public Builder initParameter(String name, String value) {
            initParameters.put(Objects.requireNonNull(name, "init parameter name"),
                    Objects.requireNonNull(value, "init parameter value"));
            return this;
        }

        /**
         * The servlet's mapping: {@code "/*"} (the default) or {@code "/prefix/*"}. The default-servlet
         * mapping {@code "/"} is refused: Jersey would answer every request 404 under it.
         *
         * @param pattern {@code "/*"} or {@code "/prefix/*"}
         * @return this builder
         * @throws IllegalArgumentException for any other pattern
         */
        public Builder mapping(String pattern) {
            this.mapping = PathMapping.checkPattern(pattern);
            return this;
        }

        /**
         * A context path under the server's mount point (SCRIPT_NAME), {@code ""} (the default) or
         * {@code "/name"}: requests outside it are answered 404, and getContextPath() is SCRIPT_NAME plus it.
         *
         * @param contextPath {@code ""} or {@code "/name"}
         * @return this builder
         * @throws IllegalArgumentException for a path without a leading slash or with a trailing one
         */
        public Builder contextPath(String contextPath) {
            this.contextPath = PathMapping.checkContextPath(contextPath);
            return this;
        }

        /**
         * A filter for the URL patterns on REQUEST dispatches, named by its class; see
         * {@link #filter(String, Filter, Map, Set, String...)}.
         *
         * @param filter the filter
         * @param urlPatterns the patterns it applies to, at least one
         * @return this builder
         * @throws IllegalArgumentException for a malformed pattern or no pattern
         */
        public Builder filter(Filter filter, String... urlPatterns) {
            return filter(filter.getClass().getName(), filter, Map.of(), EnumSet.of(DispatcherType.REQUEST),
                    urlPatterns);
        }

        /**
         * A filter, applied in the order added, to requests whose path within the context matches one of
         * {@code urlPatterns} ({@code /*}, {@code /prefix/*}, {@code *.ext}, an exact path) on the given
         * dispatcher types (REQUEST and ASYNC occur here).
         *
         * @param name the filter's name (FilterConfig.getFilterName)
         * @param filter the filter
         * @param initParameters its init parameters (FilterConfig.getInitParameter)
         * @param dispatcherTypes the dispatches it applies to
         * @param urlPatterns the patterns it applies to, at least one
         * @return this builder
         * @throws IllegalArgumentException for a malformed pattern or no pattern
         */
        public Builder filter(String name, Filter filter, Map<String, String> initParameters,
                Set<DispatcherType> dispatcherTypes, String... urlPatterns) {
            if (urlPatterns.length == 0) {
                throw new IllegalArgumentException("filter " + name + " needs at least one URL pattern");
            }
            // The patterns are checked now, so that an error points at this call.
            filters.add(new FilterMapping(Objects.requireNonNull(name, "filter name"),
                    Objects.requireNonNull(filter, "filter"), new LinkedHashMap<>(initParameters),
                    List.of(urlPatterns), EnumSet.copyOf(dispatcherTypes)));
            return this;
        }

        /**
         * A servlet context attribute, set before anything is initialised.
         *
         * @param name the attribute's name
         * @param value its value, not null
         * @return this builder
         */
        public Builder contextAttribute(String name, Object value) {
            contextAttributes.put(Objects.requireNonNull(name, "attribute name"), Objects.requireNonNull(value, name));
            return this;
        }

        /**
         * A servlet context init parameter (ServletContext.getInitParameter).
         *
         * @param name the parameter's name
         * @param value its value
         * @return this builder
         */
        public Builder contextInitParameter(String name, String value) {
            contextInitParameters.put(Objects.requireNonNull(name, "init parameter name"),
                    Objects.requireNonNull(value, name));
            return this;
        }

        /**
         * A listener: ServletContextListener, ServletContextAttributeListener, ServletRequestListener,
         * HttpSessionListener, HttpSessionAttributeListener or HttpSessionIdListener.
         *
         * @param listener the listener; a context listener's contextInitialized runs at {@link #build()}
         * @return this builder
         * @throws IllegalArgumentException for a listener of none of these kinds
         */
        public Builder listener(EventListener listener) {
            if (!(listener instanceof ServletContextListener
                    || listener instanceof jakarta.servlet.ServletContextAttributeListener
                    || listener instanceof ServletRequestListener
                    || listener instanceof jakarta.servlet.http.HttpSessionListener
                    || listener instanceof jakarta.servlet.http.HttpSessionAttributeListener
                    || listener instanceof jakarta.servlet.http.HttpSessionIdListener)) {
                throw new IllegalArgumentException("listener must be a servlet context, request or session"
                        + " listener, got " + (listener == null ? "null" : listener.getClass().getName()));
            }
            listeners.add(listener);
            return this;
        }

        /**
         * The response buffer, default 8 KiB: a response that fits gets a Content-Length; the first
         * overflow commits the response.
         *
         * @param bytes the buffer's size in bytes
         * @return this builder
         * @throws IllegalArgumentException below 1
         */
        public Builder bufferSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("buffer size must be at least 1 byte, got " + bytes);
            }
            this.bufferSize = bytes;
            return this;
        }

        /**
         * The request encoding when the request names none (ServletContext.setRequestCharacterEncoding).
         *
         * @param charset a charset name the JVM knows
         * @return this builder
         * @throws java.nio.charset.UnsupportedCharsetException for a charset the JVM does not have
         */
        public Builder requestEncoding(String charset) {
            this.requestEncoding = Charset.forName(charset).name();
            return this;
        }

        /**
         * The response encoding when the servlet sets none; default ISO-8859-1, as Servlet 6.1 says.
         *
         * @param charset a charset name the JVM knows
         * @return this builder
         * @throws java.nio.charset.UnsupportedCharsetException for a charset the JVM does not have
         */
        public Builder responseEncoding(String charset) {
            this.responseEncoding = Charset.forName(charset).name();
            return this;
        }

        /**
         * Sessions end after this long without a request; default 30 minutes; zero: never.
         *
         * @param timeout the idle time, not negative
         * @return this builder
         * @throws IllegalArgumentException for a negative timeout
         */
        public Builder sessionTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("session timeout must not be negative, got " + timeout);
            }
            this.sessionTimeout = timeout;
            return this;
        }

        /**
         * The session cookie's name; default JSESSIONID.
         *
         * @param name the cookie's name
         * @return this builder
         */
        public Builder sessionCookieName(String name) {
            this.sessionCookieName = Objects.requireNonNull(name, "session cookie name");
            return this;
        }

        /**
         * Limits of getParts(): maxFileSize per part, maxRequestSize per body, the size past which a part
         * goes to a temporary file in location (the JVM's temporary folder when ""). Default: the servlet
         * class's {@code @MultipartConfig}, else no limits of its own (the server's body limit holds) and
         * parts past 64 KiB on disk.
         *
         * @param config the limits and the location
         * @return this builder
         */
        public Builder multipart(MultipartConfigElement config) {
            this.multipart = Objects.requireNonNull(config, "multipart config");
            return this;
        }

        /**
         * Asynchronous processing (AsyncContext: Spring's Callable and DeferredResult, Jersey's
         * {@code @Suspended}); off by default, when startAsync() throws IllegalStateException. The wait for
         * complete() or dispatch() holds one of the executor's threads, never the server's.
         *
         * @param enabled whether the servlet and its filters may start asynchronous processing
         * @return this builder
         */
        public Builder async(boolean enabled) {
            this.async = enabled;
            return this;
        }

        /**
         * The default AsyncContext timeout; default 30 seconds; zero: none.
         *
         * @param timeout the timeout, not negative
         * @return this builder
         * @throws IllegalArgumentException for a negative timeout
         */
        public Builder asyncTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("async timeout must not be negative, got " + timeout);
            }
            this.asyncTimeout = timeout;
            return this;
        }

        /**
         * Where service() runs. It must run tasks on threads other than the server's: a servlet may block,
         * and the server pulls the body while the servlet writes it. Default: up to 200 daemon threads,
         * an idle one reused before a new one starts, ending after 60 s idle, shut down by
         * {@link ServletApplication#close()}; an executor given here is not shut down by it.
         *
         * @param executor runs each request's service() on a thread of its own
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Where ServletContext.log writes; default System.err. Request errors go to environ's wsgi.errors.
         *
         * @param log the stream
         * @return this builder
         */
        public Builder log(PrintStream log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /**
         * Initialises the context listeners, the filters and the servlet, in that order.
         *
         * @return the application, ready to serve; close it to destroy the servlet
         * @throws IllegalStateException when one of them fails; what was started is destroyed again
         */
        public ServletApplication build() {
            return new ServletApplication(this);
        }
    }
}
