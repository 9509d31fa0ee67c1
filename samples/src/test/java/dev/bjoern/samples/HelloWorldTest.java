package dev.bjoern.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bjoern.test.TestClient;
import dev.bjoern.test.TestResponse;
import dev.bjoern.test.Validator;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class HelloWorldTest {
    @Test
    void saysHelloWithAComputedContentLength() {
        TestResponse response = TestClient.of(Validator.wrap(HelloWorld.app)).get("/");
        assertEquals(200, response.status());
        assertEquals("text/plain", response.header("Content-Type"));
        assertEquals("13", response.header("Content-Length"));
        assertEquals("Hello, World!", response.text());
    }

    @Test
    void mainServesOnTheGivenHostAndPortUntilSigterm() throws Exception {
        try (SampleProcess sample = new SampleProcess(HelloWorld.class, "127.0.0.1", "0")) {
            HttpResponse<byte[]> response = sample.get("/");
            assertEquals(200, response.statusCode());
            assertEquals("Hello, World!", new String(response.body()));
            assertEquals(0, sample.stop());
        }
    }
}
