package dev.bjoern.samples;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.Bjoern;
import dev.bjoern.web.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Answers every request with its environ, one key per line, and the request body's size. */
public final class EnvironEcho {
    public static final WsgiApplication app = (environ, startResponse) -> {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(environ).forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        // Read after the listing: Request.body() keeps what it read in environ.
        text.append("(request body: ").append(Request.of(environ).body().length).append(" bytes)\n");
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain; charset=utf-8")));
        return List.of(text.toString().getBytes(StandardCharsets.UTF_8));
    };

    private EnvironEcho() {
    }

    public static void main(String[] args) throws Exception {
        Bjoern.run(app, "127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 8000);
    }
}
