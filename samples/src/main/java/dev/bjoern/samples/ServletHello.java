package dev.bjoern.samples;

import dev.bjoern.servlet.ServletApplication;
import dev.bjoern.undertow.Bjoern;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A plain servlet behind a filter, served through the servlet bridge on http://127.0.0.1:8000/ until
 * Ctrl-C: {@code /hello?name=...} greets, the filter times every request (X-Response-Time).
 */
public final class ServletHello {
    /** Greets by the name parameter, in UTF-8. */
    public static final class HelloServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (!"/hello".equals(req.getPathInfo())) {
                resp.sendError(404, "try /hello?name=you");
                return;
            }
            String name = req.getParameter("name");
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().println("Hello, " + (name == null ? "World" : name) + "!");
        }
    }

    /** Says how long the rest of the chain took, in microseconds. */
    public static final class TimingFilter implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            long start = System.nanoTime();
            // Set before the chain runs (the body may commit the response); updated if it is still open.
            HttpServletResponse http = (HttpServletResponse) response;
            http.setHeader("X-Response-Time", "0us");
            chain.doFilter(request, response);
            http.setHeader("X-Response-Time", (System.nanoTime() - start) / 1000 + "us");
        }
    }

    /** The servlet with its filter on every path. */
    public static ServletApplication app() {
        return ServletApplication.builder(new HelloServlet()).filter(new TimingFilter(), "/*").build();
    }

    private ServletHello() {
    }

    /** Optional arguments: host and port. */
    public static void main(String[] args) throws Exception {
        // Serves /hello; Ctrl-C stops it, and the servlet and its filter are destroyed after the drain.
        Bjoern.run(app(), args.length > 0 ? args[0] : "127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 8000);
    }
}
