package dev.bjoern.samples.jersey;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bjoern.undertow.BjoernServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class JerseyHelloTest {
    @Test
    void greetsByNameWithANonAsciiPathAndQuery() throws Exception {
        try (BjoernServer server = BjoernServer.builder(JerseyHello.app()).port(0).build().start()) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/hello/caf%C3%A9?greeting=Hej")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("Hej, café!\n", response.body());
            assertEquals(404, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/nowhere")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
