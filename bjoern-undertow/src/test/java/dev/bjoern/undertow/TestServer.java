package dev.bjoern.undertow;

import dev.bjoern.WsgiApplication;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/** A server on 127.0.0.1 and a free port, with wsgi.errors captured. */
final class TestServer implements AutoCloseable {
    final BjoernServer server;
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

    private TestServer(WsgiApplication app, UnaryOperator<BjoernServer.Builder> settings) throws Exception {
        server = settings.apply(BjoernServer.builder(app).port(0)
                .errors(new PrintStream(errors, true, StandardCharsets.UTF_8))).build().start();
    }

    static TestServer start(WsgiApplication app) throws Exception {
        return new TestServer(app, b -> b);
    }

    static TestServer start(WsgiApplication app, UnaryOperator<BjoernServer.Builder> settings) throws Exception {
        return new TestServer(app, settings);
    }

    int port() {
        return server.port();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    RawHttp connect() throws Exception {
        return new RawHttp(port());
    }

    /** What the server logged to wsgi.errors so far. */
    String errors() {
        synchronized (errors) {
            return errors.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
