package dev.bjoern.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bjoern.WsgiApplication;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** README's "Helpers" example, verbatim, run on environ maps. */
class ReadmeExampleTest {
    static final WsgiApplication APP = (environ, startResponse) -> {
        Request request = Request.of(environ);
        String name = request.query("name");                      // "?name=J%C3%B6rn" gives "Jörn"
        if (name == null) {
            return Redirect.to(303, "/hello?name=world").send(startResponse);
        }
        String greeting = request.cookie("greeted") == null ? "Hello, " : "Hello again, ";
        startResponse.call(Status.line(200), List.of(Map.entry("Content-Type", "text/plain; charset=utf-8"),
                SetCookie.of("greeted", "1").path("/").httpOnly().sameSite(SetCookie.SameSite.LAX).header()));
        return List.of((greeting + name + "\n").getBytes(UTF_8));
    };

    /** Calls APP; returns the status, the headers and the body, one per line. */
    static String call(String query, String cookie) throws Exception {
        Map<String, Object> environ = RequestTest.environ("PATH_INFO", "/hello", "QUERY_STRING", query);
        if (cookie != null) {
            environ.put("HTTP_COOKIE", cookie);
        }
        List<String> response = new ArrayList<>();
        Iterable<byte[]> body = APP.call(new HashMap<>(environ), (status, headers, excInfo) -> {
            response.add(status);
            headers.forEach(h -> response.add(h.getKey() + ": " + h.getValue()));
            return data -> { };
        });
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] chunk : body) {
            bytes.write(chunk);
        }
        response.add(bytes.toString(UTF_8));
        return String.join("\n", response);
    }

    @Test
    void greetsByTheDecodedName() throws Exception {
        assertEquals("200 OK\nContent-Type: text/plain; charset=utf-8\n"
                + "Set-Cookie: greeted=1; Path=/; HttpOnly; SameSite=Lax\nHello, Jörn\n", call("name=J%C3%B6rn", null));
    }

    @Test
    void greetsAgainWithTheCookie() throws Exception {
        assertEquals("Hello again, world\n", call("name=world", "greeted=1").split("\n", 4)[3]);
    }

    @Test
    void redirectsWithoutAName() throws Exception {
        assertEquals("303 See Other\nLocation: /hello?name=world\n", call("", null));
    }
}
