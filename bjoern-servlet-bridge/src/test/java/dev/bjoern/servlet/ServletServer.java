package dev.bjoern.servlet;

import dev.bjoern.undertow.BjoernServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A ServletApplication served by our server on 127.0.0.1 and a free port, wsgi.errors captured. */
final class ServletServer implements AutoCloseable {
    static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    final ServletApplication app;
    final BjoernServer server;
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

    ServletServer(ServletApplication app) throws Exception {
        this.app = app;
        this.server = BjoernServer.builder(app).port(0)
                .errors(new PrintStream(errors, true, StandardCharsets.UTF_8)).build().start();
    }

    int port() {
        return server.port();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    String errors() {
        synchronized (errors) {
            return errors.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            server.close();
        } finally {
            app.close();
        }
    }
}
