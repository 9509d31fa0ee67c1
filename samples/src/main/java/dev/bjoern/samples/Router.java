package dev.bjoern.samples;

import dev.bjoern.Environ;
import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.Bjoern;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a Flask-style app is written on the contract: routes with path parameters, 404 and 405, in one
 * small class. A route is a method, a pattern like {@code /hello/<name>}, and a handler of the
 * parameters. The router itself is a WsgiApplication, so middleware wraps it like any other.
 */
public final class Router implements WsgiApplication {
    /** A route's handler: the path parameters in, the response text out. */
    @FunctionalInterface
    public interface View {
        String render(Map<String, String> params, Map<String, Object> environ) throws Exception;
    }

    private record Route(String method, String[] parts, View view) {
    }

    private final List<Route> routes = new ArrayList<>();

    /** Adds a route; {@code <name>} in the pattern matches one path segment. */
    public Router route(String method, String pattern, View view) {
        routes.add(new Route(method, pattern.substring(1).split("/", -1), view));
        return this;
    }

    @Override
    public Iterable<byte[]> call(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        String path = (String) environ.get(Environ.PATH_INFO);
        String method = (String) environ.get(Environ.REQUEST_METHOD);
        String[] segments = (path.isEmpty() ? "/" : path).substring(1).split("/", -1);
        boolean pathMatched = false;
        for (Route route : routes) {
            Map<String, String> params = match(route.parts, segments);
            if (params == null) {
                continue;
            }
            pathMatched = true;
            if (route.method.equals(method) || route.method.equals("GET") && method.equals("HEAD")) {
                return text(startResponse, "200 OK", route.view.render(params, environ));
            }
        }
        return pathMatched ? text(startResponse, "405 Method Not Allowed", "method not allowed\n")
                : text(startResponse, "404 Not Found", "not found\n");
    }

    private static Map<String, String> match(String[] parts, String[] segments) {
        if (parts.length != segments.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].startsWith("<") && parts[i].endsWith(">")) {
                // PATH_INFO carries bytes as ISO-8859-1 chars; parameters are UTF-8 text.
                params.put(parts[i].substring(1, parts[i].length() - 1),
                        new String(segments[i].getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            } else if (!parts[i].equals(segments[i])) {
                return null;
            }
        }
        return params;
    }

    private static List<byte[]> text(StartResponse startResponse, String status, String body) throws Exception {
        startResponse.call(status, List.of(Map.entry("Content-Type", "text/plain; charset=utf-8")));
        return List.of(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The sample's routes. */
    public static final WsgiApplication app = new Router()
            .route("GET", "/", (params, environ) -> "try /hello/<name>\n")
            .route("GET", "/hello/<name>", (params, environ) -> "Hello, " + params.get("name") + "!\n")
            .route("POST", "/echo", (params, environ) ->
                    new String(((InputStream) environ.get(Environ.WSGI_INPUT)).readAllBytes(),
                            StandardCharsets.UTF_8));

    public static void main(String[] args) throws Exception {
        Bjoern.run(app, "127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 8000);
    }
}
