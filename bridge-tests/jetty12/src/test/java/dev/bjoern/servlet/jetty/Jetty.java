package dev.bjoern.servlet.jetty;

import dev.bjoern.WsgiApplication;
import dev.bjoern.servlet.WsgiServlet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12 on 127.0.0.1 and a free port, with one context ({@code /ctx}) that serves an application
 * through {@link WsgiServlet} at {@code /wsgi/*} and at {@code /*}; wsgi.errors captured.
 */
final class Jetty implements AutoCloseable {
    static final String CONTEXT = "/ctx";
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

    Jetty(WsgiApplication app) throws Exception {
        this(app, false);
    }

    /**
     * @param anyPath let through the paths Jetty refuses by default with a 400 before any servlet runs (an
     *     escaped '/', dot segments, escapes that are not UTF-8): {@link UriCompliance#UNSAFE}, and ambiguous
     *     URIs decoded for the servlets
     */
    Jetty(WsgiApplication app, boolean anyPath) throws Exception {
        if (anyPath) {
            connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration()
                    .setUriCompliance(UriCompliance.UNSAFE);
        }
        PrintStream errorStream = new PrintStream(errors, true, StandardCharsets.UTF_8);
        start(new ServletHolder(new WsgiServlet(app, errorStream)), new ServletHolder(new WsgiServlet(app, errorStream)),
                anyPath);
    }

    /** Jetty creating the servlet itself, at {@code /wsgi/*}, as a deployment descriptor would have it. */
    Jetty(ServletHolder holder) throws Exception {
        start(holder, null, false);
    }

    private void start(ServletHolder wsgi, ServletHolder root, boolean anyPath) throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(CONTEXT);
        context.addServlet(wsgi, "/wsgi/*");
        if (root != null) {
            context.addServlet(root, "/*");
        }
        context.getServletHandler().setDecodeAmbiguousURIs(anyPath);
        server.setHandler(context);
        server.start();
    }

    int port() {
        return connector.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    String errors() {
        synchronized (errors) {
            return errors.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop", e);
        }
    }
}
