package dev.bjoern.servlet;

import dev.bjoern.WsgiApplication;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Objects;

/**
 * The reverse of {@link ServletApplication}: a {@link WsgiApplication} served by a servlet container (Tomcat,
 * Jetty), by PEP 3333's rules as {@code bjoern-api/SPEC.md} states them.
 *
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler("/app");
 * context.addServlet(new ServletHolder(new WsgiServlet(app)), "/wsgi/*");
 * }</pre>
 *
 * <ul>
 *   <li>{@code SCRIPT_NAME} is the context path and the servlet path, {@code PATH_INFO} the rest of the path,
 *       both percent-decoded bytes as Latin-1 text; {@code REQUEST_URI} is the raw request URI with its query;
 *       {@code QUERY_STRING} is always present. Map the servlet at {@code "/*"} or {@code "/prefix/*"}; under
 *       the default mapping {@code "/"}, {@code SCRIPT_NAME} is the context path alone.
 *   <li>Request headers become {@code HTTP_*} keys, repeated fields joined with {@code ", "};
 *       {@code wsgi.input} is the request's input stream, {@code wsgi.multithread} is {@code true} and
 *       {@code wsgi.file_wrapper} is {@link dev.bjoern.FileWrapper#DEFAULT}.
 *   <li>start_response checks status and headers as SPEC.md section 4 says. The headers go to the container at
 *       the first non-empty chunk or the first write; each chunk and each write is flushed to the client before
 *       the next is pulled. A collection or file body without {@code Content-Length} gets one. Servlet 6 cannot
 *       set a reason phrase: the container sends the standard one.
 *   <li>HEAD, 204 and 304 responses get no body; a lazy body is pulled only until it has called start_response.
 *   <li>The body's (else its iterator's) {@code close()} is called exactly once.
 *   <li>An application error before the headers went out is an empty {@code 500}; after, it is rethrown as a
 *       {@link ServletException} and the container cuts the response off. Either way it is logged to
 *       {@code wsgi.errors} first. A client gone away is neither logged nor rethrown.
 * </ul>
 *
 * <p>The application runs on the container's request thread and may block there, unlike under the engine.
 */
public class WsgiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** The init parameter naming a {@link WsgiApplication} class with a public no-argument constructor. */
    public static final String APPLICATION_PARAMETER = "application";

    private transient WsgiApplication app;
    private final transient PrintStream errors;
    private transient String serverSoftware;

    /** For containers that create servlets themselves: the application is named by the init parameter. */
    public WsgiServlet() {
        this.errors = System.err;
    }

    /**
     * Serves {@code app}, with {@code wsgi.errors} on {@code System.err}.
     *
     * @param app the application
     */
    public WsgiServlet(WsgiApplication app) {
        this(app, System.err);
    }

    /**
     * Serves {@code app}, with {@code wsgi.errors} (and the log of application errors) on {@code errors}.
     *
     * @param app the application
     * @param errors the stream for {@code wsgi.errors}, shared by every request
     */
    public WsgiServlet(WsgiApplication app, PrintStream errors) {
        this.app = Objects.requireNonNull(app, "app");
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    @Override
    public void init() throws ServletException {
        serverSoftware = getServletContext().getServerInfo();
        if (app != null) {
            return;
        }
        String name = getInitParameter(APPLICATION_PARAMETER);
        if (name == null) {
            // Unavailable, not a plain failure: nothing but a new configuration can make this servlet work.
            throw new UnavailableException("WsgiServlet " + getServletName() + " needs the init parameter \""
                    + APPLICATION_PARAMETER + "\" naming a WsgiApplication class, or an application passed to its"
                    + " constructor");
        }
        try {
            Class<?> type = Class.forName(name, true, Thread.currentThread().getContextClassLoader());
            app = (WsgiApplication) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            UnavailableException unavailable = new UnavailableException("init parameter \"" + APPLICATION_PARAMETER
                    + "\" must name a WsgiApplication class with a public no-argument constructor, got \"" + name + "\"");
            unavailable.initCause(e);
            throw unavailable;
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        new WsgiCall(request, response, errors).run(app, WsgiEnviron.of(request, errors, serverSoftware));
    }
}
