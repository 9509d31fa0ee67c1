package dev.bjoern.samples;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.Bjoern;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** bjoern's hello world: "Hello, World!" on http://127.0.0.1:8000/ until Ctrl-C. */
public final class HelloWorld {
    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    public static final WsgiApplication app = (environ, startResponse) -> {
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
        return List.of(HELLO);
    };

    private HelloWorld() {
    }

    /** Optional arguments: host and port. */
    public static void main(String[] args) throws Exception {
        // One line goes to stderr, "bjoern: serving on http://127.0.0.1:8000/"; Ctrl-C stops it.
        Bjoern.run(app, args.length > 0 ? args[0] : "127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 8000);
    }
}
