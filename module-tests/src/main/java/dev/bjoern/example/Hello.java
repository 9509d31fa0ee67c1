package dev.bjoern.example;

import dev.bjoern.WsgiApplication;
import dev.bjoern.servlet.ServletApplication;
import dev.bjoern.undertow.Bjoern;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Serves "/" itself and everything under "/servlet" through a servlet, on port 0; ends on SIGTERM. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) throws Exception {
        Bjoern.run(app(), "127.0.0.1", 0);
    }

    static WsgiApplication app() {
        WsgiApplication servlet = ServletApplication.builder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain");
                response.getWriter().print("servlet " + request.getPathInfo());
            }
        }).mapping("/servlet/*").build();
        return (environ, startResponse) -> {
            if (((String) environ.get("PATH_INFO")).startsWith("/servlet/")) {
                return servlet.call(environ, startResponse);
            }
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
            return List.of("hello from a module".getBytes(StandardCharsets.US_ASCII));
        };
    }
}
