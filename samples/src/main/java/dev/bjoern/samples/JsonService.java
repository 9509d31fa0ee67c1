package dev.bjoern.samples;

import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.Bjoern;
import dev.bjoern.web.Request;
import dev.bjoern.web.SetCookie;
import dev.bjoern.web.Status;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** JSON in and out: GET /items?limit=N, GET /items/ID, POST /items (sets cookie last=ID), GET /items/last. */
public final class JsonService implements WsgiApplication {
    private static final Map.Entry<String, String> JSON = Map.entry("Content-Type", "application/json");
    private final Map<String, Map<String, Object>> items = new LinkedHashMap<>(); // one IO thread: no lock

    public Iterable<byte[]> call(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        Request request = Request.of(environ);
        String path = request.pathInfo();
        String id = path.equals("/items/last") ? request.cookie("last") : path.replaceFirst("^/items/", "");
        String allow = path.equals("/items") ? "GET, HEAD, POST" : items.containsKey(id) ? "GET, HEAD" : "";
        if (!List.of(allow.split(", ")).contains(request.method())) {
            return allow.isEmpty() ? json(startResponse, 404, List.of(), Map.of("error", "not found"))
                    : json(startResponse, 405, List.of(Map.entry("Allow", allow)), Map.of("error", "not allowed"));
        }
        try {
            if (request.method().equals("POST")) {
                Map<String, Object> item = JsonParser.object().from(request.text());
                String newId = String.valueOf(items.size() + 1);
                item.put("id", newId);
                items.put(newId, item);
                return json(startResponse, 201, List.of(SetCookie.of("last", newId).httpOnly().header()), item);
            }
            if (path.equals("/items")) {
                int limit = Integer.parseInt(request.queryParams().getOrDefault("limit", List.of("100")).get(0));
                return json(startResponse, 200, List.of(), items.values().stream().limit(limit).toList());
            }
        } catch (JsonParserException | IllegalArgumentException e) {
            return json(startResponse, 400, List.of(), Map.of("error", "bad request: " + e.getMessage()));
        }
        return json(startResponse, 200, List.of(), items.get(id));
    }

    private static List<byte[]> json(StartResponse startResponse, int code, List<Map.Entry<String, String>> headers,
            Object value) throws Exception {
        startResponse.call(Status.line(code), Stream.concat(Stream.of(JSON), headers.stream()).toList());
        return List.of(JsonWriter.string(value).getBytes(StandardCharsets.UTF_8));
    }

    public static void main(String[] args) throws Exception {
        Bjoern.run(new JsonService(), "127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 8000);
    }
}
