package dev.bjoern.test;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.WsgiApplication;
import dev.bjoern.server.ResponseRules;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Calls an application in-process, without a socket, as a server of the contract would: environ built as
 * SPEC.md section 2 says (every required key, {@code wsgi.input} over the body, {@code wsgi.errors} captured
 * for the test), and the response by the same rules a server applies ({@code dev.bjoern.server.ResponseCycle}):
 * the start_response checks, a computed Content-Length, no body for HEAD, 204 and 304, close() called once.
 *
 * <pre>{@code
 * TestClient client = TestClient.of(app);
 * TestResponse r = client.get("/items?id=7");
 * assertEquals(200, r.status());
 * }</pre>
 *
 * An exception from the application reaches the test, as it was thrown (a checked one in an
 * {@code IllegalStateException}); {@link #answering500} makes the client
 * answer an empty 500 instead, as a server does. The connection itself is not simulated: no Date or
 * Transfer-Encoding headers, no request limits, and Connection only on the empty 400 and 500 answers, which say
 * {@code Connection: close} as the engine's do.
 */
public final class TestClient {
    private final WsgiApplication app;
    private final boolean answer500;

    private TestClient(WsgiApplication app, boolean answer500) {
        this.app = app;
        this.answer500 = answer500;
    }

    /** @return a client of {@code app} */
    public static TestClient of(WsgiApplication app) {
        return new TestClient(Objects.requireNonNull(app, "app"), false);
    }

    /**
     * @return a client of the same application that answers an application error before the head went out
     *     with an empty 500, and logs it to {@code wsgi.errors}, as a server does. The head goes out once the
     *     application has returned and its first chunk is pulled (written bytes are held until then, as in the
     *     engine). An error after that still reaches the test: a server would cut the response off, which no
     *     status can say.
     */
    public TestClient answering500() {
        return new TestClient(app, true);
    }

    /** A GET of {@code target}, a path with an optional query, like {@code "/items?id=7"}. */
    public TestResponse get(String target) {
        return request("GET", target, List.of(), null);
    }

    /** A POST of {@code body} as UTF-8 text of {@code contentType}. */
    public TestResponse post(String target, String contentType, String body) {
        return post(target, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A POST of {@code body}, of {@code contentType}. */
    public TestResponse post(String target, String contentType, byte[] body) {
        return request("POST", target, List.of(Map.entry("Content-Type", contentType)), body);
    }

    /**
     * A request of any method.
     *
     * @param method the method token, like {@code "HEAD"}
     * @param target the path with an optional query; characters beyond ASCII are sent as their UTF-8 bytes
     * @param headers the request's headers in order; a Host is added when they have none, and a
     *     Content-Length when there is a body and they have none
     * @param body the body, or null for none
     * @throws IllegalArgumentException when the method is not a token or the target does not start with '/'
     */
    public TestResponse request(String method, String target, List<Map.Entry<String, String>> headers,
            byte[] body) {
        Objects.requireNonNull(headers, "headers");
        if (method == null || !ResponseRules.isToken(method)) {
            throw new IllegalArgumentException("the method must be an HTTP token, got " + ResponseRules.quote(method));
        }
        if (target == null || !target.startsWith("/")) {
            throw new IllegalArgumentException("the target must be a path starting with '/', got "
                    + ResponseRules.quote(target));
        }
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        PrintStream errors = new PrintStream(logged, true, StandardCharsets.UTF_8);
        String raw = new String(target.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        int query = raw.indexOf('?');
        String path = query < 0 ? raw : raw.substring(0, query);
        String pathInfo = percentDecoded(path);
        InProcessCall call = new InProcessCall(method, path, errors, answer500);
        if (pathInfo == null) {
            return call.refused(400);
        }
        Map<String, Object> environ = new HashMap<>();
        environ.put(Environ.REQUEST_METHOD, method);
        environ.put(Environ.SCRIPT_NAME, "");
        environ.put(Environ.PATH_INFO, pathInfo);
        environ.put(Environ.QUERY_STRING, query < 0 ? "" : raw.substring(query + 1));
        environ.put(Environ.REQUEST_URI, query < 0 || query == raw.length() - 1 ? path : raw);
        environ.put(Environ.SERVER_NAME, "127.0.0.1");
        environ.put(Environ.SERVER_PORT, "80");
        environ.put(Environ.SERVER_PROTOCOL, "HTTP/1.1");
        environ.put(Environ.SERVER_SOFTWARE, "bjoern-test");
        environ.put(Environ.REMOTE_ADDR, "127.0.0.1");
        environ.put(Environ.REMOTE_PORT, "49152");
        List<Map.Entry<String, String>> sent = new ArrayList<>(headers);
        if (TestResponse.first(sent, "Host") == null) {
            sent.add(Map.entry("Host", "localhost"));
        }
        if (body != null && TestResponse.first(sent, "Content-Length") == null
                && TestResponse.first(sent, "Transfer-Encoding") == null) {
            sent.add(Map.entry("Content-Length", Integer.toString(body.length)));
        }
        for (Map.Entry<String, String> header : sent) {
            // X_Foo must not pose as X-Foo (CVE-2015-0219).
            if (header.getKey().indexOf('_') < 0) {
                environ.merge(Environ.headerKey(header.getKey()), header.getValue().strip(),
                        (before, value) -> before + ", " + value);
            }
        }
        environ.put(Environ.WSGI_VERSION, Environ.VERSION);
        environ.put(Environ.WSGI_URL_SCHEME, "http");
        environ.put(Environ.WSGI_INPUT, new ByteArrayInputStream(body == null ? new byte[0] : body));
        environ.put(Environ.WSGI_ERRORS, errors);
        environ.put(Environ.WSGI_MULTITHREAD, false);
        environ.put(Environ.WSGI_MULTIPROCESS, false);
        environ.put(Environ.WSGI_RUN_ONCE, false);
        environ.put(Environ.WSGI_INPUT_TERMINATED, true);
        environ.put(Environ.WSGI_FILE_WRAPPER, FileWrapper.DEFAULT);
        return call.run(app, environ, logged);
    }

    /** Each {@code %XY} becomes the char U+00XY (SPEC.md 2); null for a malformed escape, which a server refuses. */
    private static String percentDecoded(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder decoded = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                int high = i + 2 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(path.charAt(i + 2), 16) : -1;
                if (low < 0) {
                    return null;
                }
                decoded.append((char) (high * 16 + low));
                i += 2;
            } else {
                decoded.append(c);
            }
        }
        return decoded.toString();
    }

}
