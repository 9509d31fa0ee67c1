package dev.bjoern.test;

import dev.bjoern.WsgiApplication;
import dev.bjoern.server.ResponseCycle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One request of {@link TestClient}: the contract's response cycle, its bytes kept in memory. */
final class InProcessCall extends ResponseCycle {
    private final String method;
    /** The raw path, without the query: what a server's log line names. */
    private final String path;
    private final PrintStream errors;
    private final boolean answer500;
    private List<Map.Entry<String, String>> headers = List.of();

    InProcessCall(String method, String path, PrintStream errors, boolean answer500) {
        this.method = method;
        this.path = path;
        this.errors = errors;
        this.answer500 = answer500;
    }

    TestResponse run(WsgiApplication app, Map<String, Object> environ, ByteArrayOutputStream logged) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<Map.Entry<String, String>> out = new ArrayList<>();
        // The head "goes out" once the framing is declared; before, written bytes are still held (as in the
        // engine), and a server answers 500.
        boolean declared = false;
        Throwable failed = null;
        try {
            take(app.call(environ, this), false);
            pullFirst();
            long length = declare();
            declared = true;
            out.addAll(headers);
            if (contentLength() < 0 && length >= 0) {
                out.add(Map.entry("Content-Length", Long.toString(length)));
            }
            for (byte[] chunk = next(); chunk != null; chunk = next()) {
                sent(chunk.length);
                body.writeBytes(chunk);
            }
            complete();
        } catch (Throwable t) {
            failed = t;
        }
        boolean answered500 = failed != null && answer500 && !declared;
        if (answered500) {
            end();
            log("error in application", failed);
        }
        // Closed before the response is made, so that its errors() has what close() logged.
        closeBody();
        if (answered500) {
            return refused(500, logged);
        }
        if (failed != null) {
            throw failure(failed);
        }
        return new TestResponse(status(), out, body.toByteArray(), logged(logged));
    }

    /** Answers as a server does a request it refuses or an application that failed: empty, and closed. */
    TestResponse refused(int code) {
        return refused(code, new ByteArrayOutputStream());
    }

    private TestResponse refused(int code, ByteArrayOutputStream logged) {
        String line = code == 400 ? "400 Bad Request" : "500 Internal Server Error";
        return new TestResponse(line, List.of(Map.entry("Content-Length", "0"), Map.entry("Connection", "close")),
                new byte[0], logged(logged));
    }

    private static String logged(ByteArrayOutputStream logged) {
        return logged.toString(StandardCharsets.UTF_8);
    }

    private static RuntimeException failure(Throwable t) {
        if (t instanceof Error) {
            throw (Error) t;
        }
        return t instanceof RuntimeException ? (RuntimeException) t
                : new IllegalStateException("the application threw " + t, t);
    }

    @Override
    protected void head(int code, String status, List<Map.Entry<String, String>> headers, boolean again) {
        this.headers = List.copyOf(headers);
    }

    @Override
    protected boolean headRequest() {
        return method.equals("HEAD");
    }

    @Override
    protected String request() {
        return method + " " + path;
    }

    @Override
    protected PrintStream errors() {
        return errors;
    }
}
