package dev.bjoern.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** A servlet behind a filter for the command line's tests; each says on stdout when it is destroyed. */
public final class CliServlet extends HttpServlet {
    /** The app spec {@code dev.bjoern.servlet.CliServlet:app}. */
    public static ServletApplication app() {
        Filter filter = new Filter() {
            @Override
            public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                    throws IOException, ServletException {
                chain.doFilter(request, response);
            }

            @Override
            public void destroy() {
                System.out.println("filter destroyed");
            }
        };
        return ServletApplication.builder(new CliServlet()).filter(filter, "/*").build();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.getWriter().print("served");
    }

    @Override
    public void destroy() {
        System.out.println("servlet destroyed");
    }
}
