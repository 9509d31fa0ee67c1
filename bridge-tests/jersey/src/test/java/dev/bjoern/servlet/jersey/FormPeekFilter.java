package dev.bjoern.servlet.jersey;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** A servlet filter in front of Jersey that reads a form parameter, as logging or security filters do. */
public class FormPeekFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    static final String SEEN = "form-peek.name";

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("POST".equals(request.getMethod())) {
            request.setAttribute(SEEN, request.getParameter("name"));
        }
        chain.doFilter(request, response);
    }
}
