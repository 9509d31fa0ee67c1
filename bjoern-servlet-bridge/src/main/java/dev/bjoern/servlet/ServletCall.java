package dev.bjoern.servlet;

import dev.bjoern.Environ;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One request through the servlet, run on the bridge's executor: the filter chain and service(), with
 * async cycles when the servlet starts them, then the end of the response. Errors end here too: before
 * the commit a 500, after it an aborted response.
 */
final class ServletCall implements Runnable {
    final ServletApplication app;
    final BridgeRequest request;
    final BridgeResponse response;
    private final ResponsePipe pipe;
    private final Map<String, Object> environ;
    private volatile BridgeAsync async;
    /** The cycle whose dispatch is running: a startAsync now restarts it. */
    private volatile BridgeAsync dispatchedFrom;
    /** True while service() runs for this request (startAsync is only legal then). */
    private volatile boolean inService;
    private boolean ended;

    ServletCall(ServletApplication app, Map<String, Object> environ, PathMapping.Paths paths, ResponsePipe pipe) {
        this.app = app;
        this.environ = environ;
        this.pipe = pipe;
        this.request = new BridgeRequest(this, environ, paths);
        this.response = new BridgeResponse(pipe, app.bufferSize, "HEAD".equals(environ.get(Environ.REQUEST_METHOD)),
                app.context.getResponseCharacterEncoding());
    }

    @Override
    public void run() {
        if (ServletApplication.handingOver()) {
            // A servlet on the server's thread would block it, and a response larger than the queue would
            // wait for a reader that is that very thread.
            fail(new IllegalStateException("the executor ran the servlet on the server's thread; give"
                    + " ServletApplication.builder an executor that runs tasks on threads of its own"));
            return;
        }
        ServletRequestEvent event = new ServletRequestEvent(app.context, request);
        BridgeAsync cycle = null;
        try {
            for (ServletRequestListener listener : app.requestListeners) {
                listener.requestInitialized(event);
            }
            service(DispatcherType.REQUEST);
            while ((cycle = async) != null) {
                BridgeAsync.Outcome outcome = cycle.await();
                if (outcome == BridgeAsync.Outcome.DISPATCH) {
                    async = null;
                    request.asyncDispatch(cycle.dispatchPath());
                    dispatchedFrom = cycle;
                    service(DispatcherType.ASYNC);
                    dispatchedFrom = null;
                    if (async == null) {
                        cycle.completed();
                    }
                } else {
                    async = null;
                    cycle.completed();
                }
            }
            // The request is over before the client hears so: its listeners ran, its files are gone.
            end(event);
            response.finish();
        } catch (Throwable error) {
            BridgeAsync failed = cycle != null ? cycle : async;
            if (failed != null) {
                failed.failed(error);
            }
            end(event);
            fail(error);
        }
    }

    private void end(ServletRequestEvent event) {
        if (ended) {
            return;
        }
        ended = true;
        for (ServletRequestListener listener : app.requestListeners) {
            try {
                listener.requestDestroyed(event);
            } catch (RuntimeException e) {
                log("error in a ServletRequestListener", e);
            }
        }
        for (Part part : request.parsedParts()) {
            try {
                ((BridgePart) part).deleteTemporary();
            } catch (IOException e) {
                log("cannot delete a multipart temporary file", e);
            }
        }
    }

    private void service(DispatcherType type) throws Exception {
        request.dispatcherType(type);
        inService = true;
        try {
            if (app.filters.isEmpty()) {
                app.servlet.service(request, response);
            } else {
                new Chain(matchingFilters(type), app.servlet).doFilter(request, response);
            }
        } finally {
            inService = false;
        }
    }

    private List<Filter> matchingFilters(DispatcherType type) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        List<Filter> filters = new ArrayList<>(app.filters.size());
        for (FilterMapping mapping : app.filters) {
            if (mapping.matches(path, type)) {
                filters.add(mapping.filter);
            }
        }
        return filters;
    }

    private void fail(Throwable error) {
        if (pipe.isClosed()) {
            return; // the client went away: writes failed because nobody reads; not the servlet's fault
        }
        log("error in servlet", error);
        if (!response.isCommitted()) {
            try {
                response.failBeforeCommit();
                return;
            } catch (Throwable again) {
                error.addSuppressed(again);
            }
        }
        pipe.fail(error);
    }

    /** The async timeout passed and no listener ended the request: a 500 if the response is still open. */
    void timedOut() {
        if (!response.isCommitted()) {
            try {
                response.sendError(500, "the asynchronous operation timed out");
            } catch (IOException | IllegalStateException e) {
                // Committed meanwhile by another thread: what was sent stands.
            }
        }
    }

    AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        if (!app.async) {
            throw new IllegalStateException("startAsync: asynchronous processing is off for this servlet;"
                    + " turn it on with ServletApplication.builder(servlet).async(true)");
        }
        if (!inService) {
            throw new IllegalStateException("startAsync outside of service(): call it while the request is"
                    + " being dispatched");
        }
        BridgeAsync previous = async;
        if (previous != null) {
            throw new IllegalStateException("startAsync: asynchronous processing was already started for this"
                    + " dispatch");
        }
        BridgeAsync next = new BridgeAsync(this, request, response,
                request == this.request && response == this.response, app.asyncTimeoutMillis);
        async = next;
        BridgeAsync restarted = dispatchedFrom;
        if (restarted != null) {
            dispatchedFrom = null;
            restarted.restarted(next);
        }
        return next;
    }

    boolean isAsyncStarted() {
        return async != null;
    }

    AsyncContext asyncContext() {
        BridgeAsync current = async;
        if (current == null) {
            throw new IllegalStateException("getAsyncContext: asynchronous processing was not started");
        }
        return current;
    }

    void log(String what, Throwable error) {
        Object errors = environ.get(Environ.WSGI_ERRORS);
        PrintStream out = errors instanceof PrintStream ? (PrintStream) errors : System.err;
        synchronized (out) {
            out.println("bjoern-servlet: " + what + " for " + request.getMethod() + " " + request.getRequestURI());
            error.printStackTrace(out);
        }
    }
}
