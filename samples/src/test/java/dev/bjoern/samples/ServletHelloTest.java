package dev.bjoern.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.servlet.ServletApplication;
import dev.bjoern.test.TestClient;
import dev.bjoern.test.TestResponse;
import dev.bjoern.test.Validator;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ServletHelloTest {
    @Test
    void greetsThroughTheBridgeBehindItsFilter() throws Exception {
        try (ServletApplication app = ServletHello.app()) {
            TestClient client = TestClient.of(Validator.wrap(app));
            TestResponse response = client.get("/hello?name=J%C3%B6rg");
            assertEquals(200, response.status());
            assertEquals("Hello, Jörg!\n", response.text());
            assertTrue(response.header("X-Response-Time").matches("[0-9]+us"), response.header("X-Response-Time"));
            assertEquals("Hello, World!\n", client.get("/hello").text());
            assertEquals(404, client.get("/").status());
        }
    }

    @Test
    void mainServesOnTheGivenHostAndPort() throws Exception {
        try (SampleProcess sample = new SampleProcess(ServletHello.class, "127.0.0.1", "0")) {
            HttpResponse<byte[]> response = sample.get("/hello?name=you");
            assertEquals("Hello, you!\n", new String(response.body()));
            assertEquals(0, sample.stop());
        }
    }
}
