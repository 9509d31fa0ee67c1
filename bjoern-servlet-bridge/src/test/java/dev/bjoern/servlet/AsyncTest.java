package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** AsyncContext with async on (start, complete from another thread, dispatch, timeout) and refused when off. */
class AsyncTest {
    /** Says which dispatches it saw. */
    static final class DispatchFilter implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            String seen = (String) request.getAttribute("filter");
            request.setAttribute("filter", (seen == null ? "" : seen + ",") + request.getDispatcherType());
            chain.doFilter(request, response);
        }
    }

    static final class AsyncServlet extends HttpServlet {
        final CountDownLatch completed = new CountDownLatch(1);
        final CountDownLatch mayComplete = new CountDownLatch(1);

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            switch (req.getPathInfo()) {
                case "/complete": {
                    AsyncContext async = req.startAsync();
                    async.addListener(listener());
                    new Thread(() -> {
                        try {
                            // Held until the test has seen another request pass meanwhile.
                            mayComplete.await(20, TimeUnit.SECONDS);
                            async.getResponse().getWriter().print("completed on " + Thread.currentThread().getName());
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        async.complete();
                    }, "worker").start();
                    return;
                }
                case "/dispatch":
                    if (req.getDispatcherType() == DispatcherType.REQUEST) {
                        AsyncContext async = req.startAsync();
                        new Thread(() -> {
                            req.setAttribute("result", "42");
                            async.dispatch();
                        }).start();
                    } else {
                        resp.getWriter().print("dispatched " + req.getDispatcherType() + " result="
                                + req.getAttribute("result") + " filter=" + req.getAttribute("filter")
                                + " started=" + req.isAsyncStarted());
                    }
                    return;
                case "/timeout": {
                    AsyncContext async = req.startAsync();
                    async.setTimeout(100);
                    async.addListener(new AsyncListener() {
                        @Override
                        public void onTimeout(AsyncEvent event) throws IOException {
                            event.getAsyncContext().getResponse().getWriter().print("timed out");
                            event.getAsyncContext().complete();
                        }

                        @Override
                        public void onComplete(AsyncEvent event) {
                        }

                        @Override
                        public void onError(AsyncEvent event) {
                        }

                        @Override
                        public void onStartAsync(AsyncEvent event) {
                        }
                    });
                    return;
                }
                case "/abandoned":
                    req.startAsync().setTimeout(100);
                    return;
                case "/dispatch-path":
                    req.startAsync().dispatch("/landed/caf%C3%A9-not-decoded");
                    return;
                case "/landed/caf%C3%A9-not-decoded":
                    resp.getWriter().print(req.getDispatcherType() + " " + req.getRequestURI() + " from "
                            + req.getAttribute(AsyncContext.ASYNC_REQUEST_URI));
                    return;
                case "/supported":
                    resp.getWriter().print("asyncSupported=" + req.isAsyncSupported());
                    return;
                default:
                    resp.getWriter().print("other");
            }
        }

        private AsyncListener listener() {
            return new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    completed.countDown();
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                }

                @Override
                public void onError(AsyncEvent event) {
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                }
            };
        }
    }

    private static ServletServer start(AsyncServlet servlet) throws Exception {
        return new ServletServer(ServletApplication.builder(servlet).async(true)
                .filter("dispatches", new DispatchFilter(), Map.of(),
                        EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), "/*")
                .build());
    }

    @Test
    void completeFromAnotherThreadEndsTheResponseAndOthersAreServedMeanwhile() throws Exception {
        AsyncServlet servlet = new AsyncServlet();
        try (ServletServer server = start(servlet)) {
            CompletableFuture<HttpResponse<String>> pending = ServletServer.CLIENT.sendAsync(
                    java.net.http.HttpRequest.newBuilder(server.uri("/complete")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("other", server.get("/other").body());
            servlet.mayComplete.countDown();
            HttpResponse<String> response = pending.get(20, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("completed on worker", response.body());
            assertTrue(servlet.completed.await(10, TimeUnit.SECONDS), "onComplete was not called");
        }
    }

    @Test
    void dispatchRunsServiceAgainAsAnAsyncDispatch() throws Exception {
        try (ServletServer server = start(new AsyncServlet())) {
            assertEquals("dispatched ASYNC result=42 filter=REQUEST,ASYNC started=false",
                    server.get("/dispatch").body());
        }
    }

    @Test
    void dispatchToAPathServesThatPathWithTheOriginalAsAttributes() throws Exception {
        try (ServletServer server = start(new AsyncServlet())) {
            assertEquals("ASYNC /landed/caf%25C3%25A9-not-decoded from /dispatch-path",
                    server.get("/dispatch-path").body());
        }
    }

    @Test
    void aListenerAnswersATimeout() throws Exception {
        try (ServletServer server = start(new AsyncServlet())) {
            HttpResponse<String> response = server.get("/timeout");
            assertEquals(200, response.statusCode());
            assertEquals("timed out", response.body());
        }
    }

    @Test
    void aTimeoutNobodyAnswersIsA500() throws Exception {
        try (ServletServer server = start(new AsyncServlet())) {
            HttpResponse<String> response = server.get("/abandoned");
            assertEquals(500, response.statusCode());
            assertTrue(response.body().contains("timed out"), response.body());
        }
    }

    @Test
    void asyncIsOffByDefaultAndStartAsyncThenThrows() throws Exception {
        HttpServlet servlet = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                try {
                    req.startAsync();
                    resp.getWriter().print("started");
                } catch (IllegalStateException e) {
                    resp.getWriter().print("supported=" + req.isAsyncSupported() + " " + e.getMessage());
                }
            }
        };
        try (ServletServer server = new ServletServer(ServletApplication.of(servlet))) {
            assertEquals("supported=false startAsync: asynchronous processing is off for this servlet; turn it on"
                    + " with ServletApplication.builder(servlet).async(true)", server.get("/").body());
        }
    }

    @Test
    void theAsyncTimeoutDefaultComesFromTheBuilder() throws Exception {
        HttpServlet servlet = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                req.startAsync(); // never completed: the builder's 150 ms decide
            }
        };
        try (ServletServer server = new ServletServer(ServletApplication.builder(servlet).async(true)
                .asyncTimeout(Duration.ofMillis(150)).build())) {
            assertEquals(500, server.get("/").statusCode());
        }
    }
}
