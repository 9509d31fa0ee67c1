package dev.bjoern.servlet.frameworks;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.BjoernServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Our server on 127.0.0.1 and a free port serving one application (a framework through the bridge), with
 * wsgi.errors captured, an HTTP client that keeps cookies, and raw requests for exact bytes.
 */
public final class BridgeServer implements AutoCloseable {
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private final BjoernServer server;
    private final WsgiApplication app;
    private final int port;
    /** Keeps cookies, for sessions; a new one per server. */
    public final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** Serves {@code app}; {@link #close()} closes it too when it is AutoCloseable (a ServletApplication is). */
    public BridgeServer(WsgiApplication app) throws IOException {
        this.app = app;
        server = BjoernServer.builder(app).host("127.0.0.1").port(0)
                .errors(new PrintStream(errors, true, StandardCharsets.UTF_8)).build().start();
        port = server.port();
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path));
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).build());
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<byte[]> sendForBytes(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends {@code request} as is on a new connection and returns every byte until the server closes it. */
    public String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(ISO_8859_1));
            out.flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            in.transferTo(received);
            return received.toString(ISO_8859_1);
        }
    }

    /** What the server and the application logged to wsgi.errors so far. */
    public String errors() {
        synchronized (errors) {
            return errors.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Whether wsgi.errors comes to contain {@code text} within 10 seconds: the servlet's thread may log an
     * error just after the response went out.
     */
    public boolean errorsWillContain(String text) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!errors().contains(text)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10); // polling a condition with a deadline
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (!errors().isEmpty()) {
            // In the test's report, for whoever reads a failure.
            System.out.println("wsgi.errors of the server on port " + port() + ":\n" + errors());
        }
        if (app instanceof AutoCloseable) {
            try {
                ((AutoCloseable) app).close();
            } catch (Exception e) {
                throw new IllegalStateException("the application did not close", e);
            }
        }
    }
}
