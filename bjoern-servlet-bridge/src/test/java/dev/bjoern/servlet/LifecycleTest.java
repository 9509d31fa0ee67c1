package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** init once, destroy on close, the builder's settings as the servlet sees them, and the executor's thread. */
class LifecycleTest {
    static final List<String> events = new CopyOnWriteArrayList<>();

    static final class ConfiguredServlet extends HttpServlet {
        @Override
        public void init(ServletConfig config) throws ServletException {
            super.init(config);
            events.add("init " + config.getServletName() + " greeting=" + config.getInitParameter("greeting"));
        }

        @Override
        public void destroy() {
            events.add("destroy");
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            var context = req.getServletContext();
            resp.getWriter().print("context=" + context.getContextPath()
                    + " param=" + context.getInitParameter("region")
                    + " attribute=" + context.getAttribute("answer")
                    + " requestEncoding=" + req.getCharacterEncoding()
                    + " responseEncoding=" + resp.getCharacterEncoding()
                    + " buffer=" + resp.getBufferSize()
                    + " mime=" + context.getMimeType("a.json")
                    + " thread=" + Thread.currentThread().getName().replaceAll("[0-9]+$", "N"));
        }
    }

    @Test
    void initRunsOnceAtBuildAndDestroyOnceOnClose() throws Exception {
        events.clear();
        ServletContextListener listener = new ServletContextListener() {
            @Override
            public void contextInitialized(ServletContextEvent sce) {
                events.add("context up");
            }

            @Override
            public void contextDestroyed(ServletContextEvent sce) {
                events.add("context down");
            }
        };
        ServletApplication app = ServletApplication.builder(new ConfiguredServlet()).servletName("configured")
                .initParameter("greeting", "hi").listener(listener).build();
        assertEquals(List.of("context up", "init configured greeting=hi"), events);
        try (ServletServer server = new ServletServer(app)) {
            server.get("/");
            server.get("/");
        }
        app.close();
        assertEquals(List.of("context up", "init configured greeting=hi", "destroy", "context down"), events);
    }

    @Test
    void theServletSeesTheBuildersSettings() throws Exception {
        try (ServletServer server = new ServletServer(ServletApplication.builder(new ConfiguredServlet())
                .contextPath("/app").contextInitParameter("region", "eu").contextAttribute("answer", 42)
                .requestEncoding("UTF-8").responseEncoding("UTF-8").bufferSize(16384).build())) {
            assertEquals("context=/app param=eu attribute=42 requestEncoding=UTF-8 responseEncoding=UTF-8"
                    + " buffer=16384 mime=application/json thread=bjoern-servlet-N", server.get("/app/x").body());
            assertEquals(404, server.get("/x").statusCode());
        }
    }

    @Test
    void theDefaultExecutorReusesIdleThreads() throws Exception {
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpServlet servlet = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                threads.add(Thread.currentThread().getName());
                resp.getWriter().print("ok");
            }
        };
        try (ServletServer server = new ServletServer(ServletApplication.of(servlet))) {
            for (int i = 0; i < 50; i++) {
                assertEquals("ok", server.get("/").body());
            }
        }
        // One request at a time: a thread per request would make 50.
        assertTrue(threads.size() < 10, "threads used: " + threads);
    }

    @Test
    void afterCloseRequestsAre503() throws Exception {
        try (ServletServer server = new ServletServer(ServletApplication.of(new ConfiguredServlet()))) {
            server.app.close();
            assertEquals(503, server.get("/").statusCode());
        }
    }

    @Test
    void anExecutorRunningTasksOnTheServersThreadIsRefused() throws Exception {
        try (ServletServer server = new ServletServer(ServletApplication.builder(new ConfiguredServlet())
                .executor(Runnable::run).build())) {
            assertEquals(500, server.get("/").statusCode());
            assertTrue(server.errors().contains("the executor ran the servlet on the server's thread"),
                    server.errors());
        }
    }

    @Test
    void aClientThatGoesAwayStopsTheServletWriting() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        HttpServlet endless = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                byte[] block = new byte[64 * 1024];
                try {
                    OutputStream out = resp.getOutputStream();
                    while (true) {
                        out.write(block);
                    }
                } catch (IOException gone) {
                    stopped.countDown();
                }
            }
        };
        try (ServletServer server = new ServletServer(ServletApplication.of(endless))) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getInputStream().readNBytes(1 << 20);
            }
            assertTrue(stopped.await(20, TimeUnit.SECONDS), "the servlet never learnt that the client had gone");
        }
    }
}
