package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void servesHelloWorldWithContentLength() throws Exception {
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
            return List.of("Hello, World!".getBytes());
        }); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(200, response.status());
            assertEquals("13", response.header("Content-Length"));
            assertEquals("Hello, World!", response.text());
        }
    }
}
