package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one header store, commit semantics, and filter URL patterns, as a client sees them. */
class ResponseHeadersTest {
    static final class HeaderServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
            switch (path) {
                case "/jersey-style":
                    // Jersey sets Content-Type and Content-Length as plain headers.
                    resp.setHeader("Content-Type", "application/json");
                    resp.setHeader("Content-Length", "2");
                    resp.addHeader("X-Out", "1");
                    resp.addHeader("X-Out", "2");
                    resp.setHeader("X-Gone", "soon");
                    resp.setHeader("X-Gone", null);
                    resp.setHeader("Connection", "keep-alive");
                    resp.getOutputStream().write("{}".getBytes(StandardCharsets.US_ASCII));
                    return;
                case "/spring-style":
                    // Spring clears what it set before sendError.
                    resp.setContentType("application/json");
                    resp.setHeader("Content-Type", null);
                    resp.sendError(400);
                    return;
                case "/commit": {
                    resp.getWriter().print("a");
                    resp.flushBuffer();
                    resp.setHeader("X-Late", "ignored");
                    resp.setStatus(418);
                    String refused;
                    try {
                        resp.reset();
                        refused = "reset allowed";
                    } catch (IllegalStateException e) {
                        refused = e.getMessage();
                    }
                    resp.getWriter().print(" committed=" + resp.isCommitted() + " " + refused);
                    return;
                }
                default:
                    resp.getWriter().print("filtered=" + resp.getHeader("X-Filter"));
            }
        }
    }

    /** Marks the response with its name. */
    static final class NamedFilter implements Filter {
        private final String name;

        NamedFilter(String name) {
            this.name = name;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            HttpServletResponse http = (HttpServletResponse) response;
            String seen = http.getHeader("X-Filter");
            http.setHeader("X-Filter", seen == null ? name : seen + "," + name);
            chain.doFilter(request, response);
        }
    }

    private static ServletServer start() throws Exception {
        return new ServletServer(ServletApplication.builder(new HeaderServlet())
                .filter(new NamedFilter("txt"), "*.txt")
                .filter(new NamedFilter("admin"), "/admin/*")
                .filter(new NamedFilter("exact"), "/exact")
                .build());
    }

    @Test
    void contentTypeAndLengthAreOrdinaryHeadersAndNullRemoves() throws Exception {
        try (ServletServer server = start()) {
            HttpResponse<String> response = server.get("/jersey-style");
            assertEquals("{}", response.body());
            assertEquals(List.of("application/json"), response.headers().allValues("Content-Type"));
            assertEquals(List.of("2"), response.headers().allValues("Content-Length"));
            assertEquals(List.of("1", "2"), response.headers().allValues("X-Out"));
            assertTrue(response.headers().firstValue("X-Gone").isEmpty());
            assertTrue(response.headers().firstValue("Connection").isEmpty(), "hop-by-hop headers are dropped");
        }
    }

    @Test
    void sendErrorAfterClearingTheContentTypeSendsTheErrorPage() throws Exception {
        try (ServletServer server = start()) {
            HttpResponse<String> response = server.get("/spring-style");
            assertEquals(400, response.statusCode());
            assertEquals("text/html;charset=UTF-8", response.headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @Test
    void afterTheCommitStatusAndHeadersStayAndResetIsRefused() throws Exception {
        try (ServletServer server = start()) {
            HttpResponse<String> response = server.get("/commit");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("X-Late").isEmpty());
            assertEquals("a committed=true reset after the response was committed", response.body());
        }
    }

    @Test
    void filtersRunForTheirUrlPatternsOnly() throws Exception {
        try (ServletServer server = start()) {
            assertEquals("filtered=txt", server.get("/notes/a.txt").body());
            assertEquals("filtered=null", server.get("/notes/a.txt.json").body());
            assertEquals("filtered=admin", server.get("/admin").body());
            assertEquals("filtered=txt,admin", server.get("/admin/list.txt").body(), "in the order added");
            assertEquals("filtered=null", server.get("/administrator").body());
            assertEquals("filtered=exact", server.get("/exact").body());
            assertEquals("filtered=null", server.get("/exact/more").body());
        }
    }
}
