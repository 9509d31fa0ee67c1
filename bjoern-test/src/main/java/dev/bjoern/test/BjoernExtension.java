package dev.bjoern.test;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.BjoernServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that serves an application on a real {@link BjoernServer}, on 127.0.0.1 and a free port,
 * and hands the test its address.
 *
 * <pre>{@code
 * @RegisterExtension
 * static BjoernExtension server = BjoernExtension.of(Validator.wrap(app));
 *
 * @Test
 * void greets() throws Exception {
 *     HttpResponse<String> response = HttpClient.newHttpClient().send(
 *             HttpRequest.newBuilder(server.uri().resolve("/hello")).build(), BodyHandlers.ofString());
 *     assertEquals("Hello", response.body());
 * }
 * }</pre>
 *
 * <p>In a static field the server starts before the class's first test and stops after its last (nested test
 * classes share it); in an instance field each test gets a server of its own, started before it and stopped
 * after it. Stopping is {@link BjoernServer#close()}: graceful, within the server's drain timeout. Needs
 * bjoern-undertow and junit-jupiter-api, which bjoern-test depends on only optionally.
 */
// Its signatures name the engine's and JUnit's types, which module-info requires static (optional) and so not
// transitive: a module that uses the extension requires dev.bjoern.undertow and org.junit.jupiter.api itself.
@SuppressWarnings("exports")
public final class BjoernExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final WsgiApplication app;
    private final Consumer<BjoernServer.Builder> settings;
    private volatile BjoernServer server;
    /** beforeAll calls not yet matched by afterAll: the class's, then each nested class's. */
    private int classes;
    /** Started for the current test alone (an instance field). */
    private boolean perTest;

    private BjoernExtension(WsgiApplication app, Consumer<BjoernServer.Builder> settings) {
        this.app = Objects.requireNonNull(app, "app");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * An extension that serves {@code app} with the server's defaults, on 127.0.0.1 and a free port.
     *
     * @param app the application to serve
     * @return the extension, to register with {@code @RegisterExtension}
     */
    public static BjoernExtension of(WsgiApplication app) {
        return of(app, builder -> { });
    }

    /**
     * An extension that serves {@code app} on a server built with more settings. The builder comes set to
     * 127.0.0.1 and port 0; {@code settings} may change anything ({@code b -> b.threads(4).errors(log)}). A
     * first listener without a TCP address (a unix socket) leaves {@link #uri()} without one.
     *
     * @param app the application to serve
     * @param settings applied to the server's builder before each start
     * @return the extension, to register with {@code @RegisterExtension}
     */
    public static BjoernExtension of(WsgiApplication app, Consumer<BjoernServer.Builder> settings) {
        return new BjoernExtension(app, settings);
    }

    /**
     * Where the server listens: {@code http://127.0.0.1:PORT/}, the port the one it bound. Resolve a path
     * against it: {@code server.uri().resolve("/items?id=7")}.
     *
     * @return the URI of the server's root
     * @throws IllegalStateException when no server is running (before the extension started it, or after it
     *     stopped it), or its first listener has no TCP address
     */
    public URI uri() {
        InetSocketAddress address = server().address();
        try {
            return new URI("http", null, address.getAddress().getHostAddress(), address.getPort(), "/", null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the server's address makes no URI: " + address, e);
        }
    }

    /**
     * The server, for what {@link #uri()} does not say ({@link BjoernServer#where()}, its port).
     *
     * @return the running server
     * @throws IllegalStateException when no server is running
     */
    public BjoernServer server() {
        BjoernServer running = server;
        if (running == null) {
            throw new IllegalStateException("no server is running: register BjoernExtension with"
                    + " @RegisterExtension and use it from a test, or from a @BeforeEach or @BeforeAll that runs"
                    + " after it started");
        }
        return running;
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) throws IOException {
        if (classes++ == 0) {
            start();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) throws IOException {
        if (--classes == 0) {
            stop();
        }
    }

    /** JUnit calls only this and {@link #afterEach} for an extension in an instance field. */
    @Override
    public synchronized void beforeEach(ExtensionContext context) throws IOException {
        if (server == null) {
            start();
            perTest = true;
        }
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) throws IOException {
        if (perTest) {
            perTest = false;
            stop();
        }
    }

    private void start() throws IOException {
        BjoernServer.Builder builder = BjoernServer.builder(app).host("127.0.0.1").port(0);
        settings.accept(builder);
        server = builder.build().start();
    }

    private void stop() throws IOException {
        BjoernServer running = server;
        server = null;
        if (running != null) {
            running.close();
        }
    }
}
