package dev.bjoern.undertow.cliapps;

import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Applications for the command line's tests, one per kind of app spec. */
public final class Apps {
    public static final WsgiApplication field = text("from a field");
    static final String notAnApp = "just text";
    final WsgiApplication instance = text("from an instance");

    private Apps() {
    }

    static WsgiApplication factory() {
        return text("from a factory");
    }

    /** Answers with the options it was given, one per line. */
    public static WsgiApplication withOptions(String[] options) {
        return text(String.join("\n", options));
    }

    /** Itself the application: echoes the request path. */
    static Iterable<byte[]> direct(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
        return List.of(("direct " + environ.get("PATH_INFO")).getBytes(StandardCharsets.ISO_8859_1));
    }

    static WsgiApplication nothing() {
        return null;
    }

    static String greet(int times) {
        return "hi".repeat(times);
    }

    static WsgiApplication broken() {
        throw new IllegalStateException("no database configured");
    }

    static WsgiApplication text(String body) {
        return (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain; charset=utf-8")));
            return List.of(body.getBytes(StandardCharsets.UTF_8));
        };
    }
}
