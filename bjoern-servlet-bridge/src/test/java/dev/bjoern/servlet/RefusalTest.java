package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the bridge does not do fails with a message naming the feature; the messages are pinned here. */
class RefusalTest {
    interface Attempt {
        void run(HttpServletRequest req, HttpServletResponse resp) throws Exception;
    }

    static final class RefusingServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            List<Attempt> attempts = List.of(
                    (q, r) -> q.getRequestDispatcher("/other").forward(q, r),
                    (q, r) -> q.getRequestDispatcher("/other").include(q, r),
                    (q, r) -> q.login("user", "secret"),
                    (q, r) -> q.logout(),
                    (q, r) -> q.authenticate(r),
                    (q, r) -> q.upgrade(HttpUpgradeHandler.class),
                    (q, r) -> q.getInputStream().setReadListener(null),
                    (q, r) -> r.getOutputStream().setWriteListener(null),
                    (q, r) -> q.getServletContext().addServlet("late", new HttpServlet() { }),
                    (q, r) -> q.getServletContext().addFilter("late", (Filter) (a, b, c) -> { }),
                    (q, r) -> q.getServletContext().addListener(new jakarta.servlet.ServletRequestListener() { }),
                    (q, r) -> q.getServletContext().getContext("/elsewhere"));
            StringBuilder out = new StringBuilder();
            for (Attempt attempt : attempts) {
                try {
                    attempt.run(req, resp);
                    out.append("allowed\n");
                } catch (Exception e) {
                    out.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage()).append('\n');
                }
            }
            resp.getOutputStream().write(out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void outOfScopeFeaturesFailNamingTheFeature() throws Exception {
        try (ServletServer server = new ServletServer(ServletApplication.builder(new RefusingServlet())
                .contextPath("/shop").build())) {
            String suffix = " is not supported by the bjoern servlet bridge; ";
            String security = " (container security)" + suffix
                    + "authenticate in a filter of the application, as Spring Security does";
            String registration = " (dynamic registration)" + suffix
                    + "register servlets, filters and listeners with ServletApplication.builder";
            assertEquals(List.of(
                    "UnsupportedOperationException: RequestDispatcher.forward" + suffix
                            + "redirect with sendRedirect, or call the target's code from this servlet",
                    "UnsupportedOperationException: RequestDispatcher.include" + suffix
                            + "write the included content from this servlet",
                    "ServletException: HttpServletRequest.login" + security,
                    "ServletException: HttpServletRequest.logout" + security,
                    "ServletException: HttpServletRequest.authenticate" + security,
                    "UnsupportedOperationException: HttpServletRequest.upgrade (protocol upgrade)" + suffix
                            + "serve WebSocket with an Undertow handler mounted beside WsgiHandler",
                    "UnsupportedOperationException: ServletInputStream.setReadListener (non-blocking input)" + suffix
                            + "read the stream as usual: the body is in memory already and reading never waits",
                    "UnsupportedOperationException: ServletOutputStream.setWriteListener (non-blocking output)"
                            + suffix + "write as usual: the servlet has a thread of its own, never the server's",
                    "UnsupportedOperationException: ServletContext.addServlet" + registration,
                    "UnsupportedOperationException: ServletContext.addFilter" + registration,
                    "UnsupportedOperationException: ServletContext.addListener" + registration,
                    "UnsupportedOperationException: ServletContext.getContext (cross-context access)" + suffix
                            + "share through this context's attributes, or call the other application over HTTP"),
                    List.of(server.get("/shop/").body().split("\n")));
        }
    }

    @Test
    void theDefaultServletMappingIsRefusedAtBuildTime() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ServletApplication.builder(new RefusingServlet()).mapping("/"));
        assertEquals("the servlet mapping must be \"/*\" or \"/prefix/*\", got \"/\"", e.getMessage());
    }

    @Test
    void aServletWhoseInitFailsIsNotServed() {
        HttpServlet broken = new HttpServlet() {
            @Override
            public void init() {
                throw new IllegalStateException("no database");
            }
        };
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ServletApplication.builder(broken).servletName("broken").build());
        assertEquals("the servlet broken failed to start: no database", e.getMessage());
    }
}
