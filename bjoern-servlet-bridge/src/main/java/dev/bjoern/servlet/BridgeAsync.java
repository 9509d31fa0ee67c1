package dev.bjoern.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * "Blocking async": the servlet's thread, after service() returned with async started, waits here for
 * complete(), dispatch() or the timeout, then carries on (re-running service for a dispatch). That thread
 * is one of the bridge's, never the server's IO thread: the server goes on serving meanwhile.
 */
final class BridgeAsync implements AsyncContext {
    /** What ended the wait. */
    enum Outcome { COMPLETE, DISPATCH }

    private final ServletCall call;
    private final ServletRequest request;
    private final ServletResponse response;
    private final boolean original;
    /** Iterated over a snapshot: a listener may add another while it runs. */
    private final List<Registered> listeners = new CopyOnWriteArrayList<>();
    private long timeout;
    // Guarded by this.
    private Outcome outcome;
    private String dispatchPath;

    BridgeAsync(ServletCall call, ServletRequest request, ServletResponse response, boolean original, long timeout) {
        this.call = call;
        this.request = request;
        this.response = response;
        this.original = original;
        this.timeout = timeout;
    }

    @Override
    public ServletRequest getRequest() {
        return request;
    }

    @Override
    public ServletResponse getResponse() {
        return response;
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return original;
    }

    @Override
    public void dispatch() {
        end(Outcome.DISPATCH, null, "dispatch");
    }

    @Override
    public void dispatch(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("AsyncContext.dispatch needs a path starting with \"/\", got "
                    + (path == null ? "null" : "\"" + path + "\""));
        }
        end(Outcome.DISPATCH, path, "dispatch");
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        if (context != call.app.context) {
            throw Unsupported.feature("AsyncContext.dispatch to another servlet context",
                    "dispatch(path) within this context");
        }
        dispatch(path);
    }

    @Override
    public void complete() {
        end(Outcome.COMPLETE, null, "complete");
    }

    private synchronized void end(Outcome how, String path, String what) {
        if (outcome != null) {
            throw new IllegalStateException("AsyncContext." + what + " after " + outcome.name().toLowerCase()
                    + " was already called");
        }
        outcome = how;
        dispatchPath = path;
        notifyAll();
    }

    /**
     * Waits, on the servlet's thread, until complete or dispatch is called, or the timeout passes: then the
     * listeners' onTimeout run, and if none of them ended the request it is completed with a 500.
     */
    Outcome await() throws InterruptedException {
        synchronized (this) {
            long deadline = System.nanoTime() + timeout * 1_000_000L;
            while (outcome == null) {
                long left = deadline - System.nanoTime();
                if (timeout > 0 && left <= 0) {
                    break;
                }
                if (timeout > 0) {
                    wait(Math.max(1, left / 1_000_000L));
                } else {
                    wait();
                }
            }
            if (outcome != null) {
                return outcome;
            }
        }
        for (Registered listener : listeners) {
            try {
                listener.listener().onTimeout(event(listener, null));
            } catch (Exception e) {
                call.log("error in an AsyncListener's onTimeout", e);
            }
        }
        synchronized (this) {
            if (outcome == null) {
                outcome = Outcome.COMPLETE;
                call.timedOut();
            }
            return outcome;
        }
    }

    synchronized String dispatchPath() {
        return dispatchPath;
    }

    /** The async cycle is over: onComplete for every listener. */
    void completed() {
        for (Registered listener : listeners) {
            try {
                listener.listener().onComplete(event(listener, null));
            } catch (Exception e) {
                call.log("error in an AsyncListener's onComplete", e);
            }
        }
    }

    /** An error during the async cycle: onError for every listener. */
    void failed(Throwable error) {
        for (Registered listener : listeners) {
            try {
                listener.listener().onError(event(listener, error));
            } catch (Exception e) {
                call.log("error in an AsyncListener's onError", e);
            }
        }
    }

    /** startAsync again, in an async dispatch: the listeners hear onStartAsync and must register anew. */
    void restarted(AsyncContext next) {
        List<Registered> old = List.copyOf(listeners);
        listeners.clear();
        for (Registered listener : old) {
            try {
                listener.listener().onStartAsync(new AsyncEvent(next, listener.request(),
                        listener.response()));
            } catch (Exception e) {
                call.log("error in an AsyncListener's onStartAsync", e);
            }
        }
    }

    private AsyncEvent event(Registered listener, Throwable error) {
        return new AsyncEvent(this, listener.request(), listener.response(), error);
    }

    /** Runs on the bridge's executor, not on the server's thread. */
    @Override
    public void start(Runnable run) {
        call.app.executor.execute(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
        addListener(listener, request, response);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
        listeners.add(new Registered(listener, request, response));
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> clazz) throws ServletException {
        try {
            return clazz.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ServletException("cannot create the AsyncListener " + clazz.getName(), e);
        }
    }

    @Override
    public void setTimeout(long timeout) {
        this.timeout = timeout;
    }

    @Override
    public long getTimeout() {
        return timeout;
    }

    /** A listener with the request and response it was added with. */
    private record Registered(AsyncListener listener, ServletRequest request, ServletResponse response) {
    }
}
