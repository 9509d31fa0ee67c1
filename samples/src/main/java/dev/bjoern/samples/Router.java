package dev.bjoern.samples;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.Bjoern;
import dev.bjoern.web.Request;
import dev.bjoern.web.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a Flask-style app is written on the contract: routes with path parameters, 404 and 405, in one
 * small class. A route is a method, a pattern like {@code /hello/<name>}, and a view of the parameters and
 * the request; a GET route answers HEAD too. A path no route matches is 404; a path whose routes take
 * other methods is 405, with an Allow header naming those methods in the order their routes were added
 * (HEAD after GET). The router itself is a WsgiApplication, so middleware wraps it like any other.
 */
public final class Router implements WsgiApplication {
    /** A route's view: the path parameters and the request in, the response text out. */
    @FunctionalInterface
    public interface View {
        String render(Map<String, String> params, Request request) throws Exception;
    }

    private record Route(String method, String[] parts, View view) {
    }

    private static final Map.Entry<String, String> TEXT = Map.entry("Content-Type", "text/plain; charset=utf-8");

    private final List<Route> routes = new ArrayList<>();

    /** Adds a route; {@code <name>} in the pattern matches one path segment. */
    public Router route(String method, String pattern, View view) {
        routes.add(new Route(method, pattern.substring(1).split("/", -1), view));
        return this;
    }

    @Override
    public Iterable<byte[]> call(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        Request request = Request.of(environ);
        String method = request.method();
        // Not request.path(): routes are relative to where the router is mounted (SCRIPT_NAME).
        String path = request.pathInfo();
        String[] segments = (path.isEmpty() ? "/" : path).substring(1).split("/", -1);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = match(route.parts, segments);
            if (params == null) {
                continue;
            }
            if (route.method.equals(method) || route.method.equals("GET") && method.equals("HEAD")) {
                return text(startResponse, 200, route.view.render(params, request));
            }
            allowed.add(route.method);
            if (route.method.equals("GET")) {
                allowed.add("HEAD");
            }
        }
        if (allowed.isEmpty()) {
            return text(startResponse, 404, "not found\n");
        }
        startResponse.call(Status.line(405), List.of(TEXT, Map.entry("Allow", String.join(", ", allowed))));
        return List.of("method not allowed\n".getBytes(UTF_8));
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
                        new String(segments[i].getBytes(ISO_8859_1), UTF_8));
            } else if (!parts[i].equals(segments[i])) {
                return null;
            }
        }
        return params;
    }

    private static List<byte[]> text(StartResponse startResponse, int code, String body) throws Exception {
        startResponse.call(Status.line(code), List.of(TEXT));
        return List.of(body.getBytes(UTF_8));
    }

    /** The sample's routes. */
    public static final WsgiApplication app = new Router()
            .route("GET", "/", (params, request) -> "try /hello/<name>\n")
            .route("GET", "/hello/<name>", (params, request) -> "Hello, " + params.get("name") + "!\n")
            .route("POST", "/echo", (params, request) -> request.text());

    public static void main(String[] args) throws Exception {
        Bjoern.run(app, "127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 8000);
    }
}
