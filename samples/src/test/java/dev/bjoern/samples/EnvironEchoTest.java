package dev.bjoern.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.test.TestClient;
import dev.bjoern.test.TestResponse;
import dev.bjoern.test.Validator;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironEchoTest {
    @Test
    void listsEveryKeyOnceInOrderAndTheBodySize() {
        TestResponse response = TestClient.of(Validator.wrap(EnvironEcho.app)).request("PUT", "/some/path?x=1",
                List.of(Map.entry("X-Trace", "abc")), "hello".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, response.status());
        List<String> lines = response.text().lines().toList();
        assertTrue(lines.contains("REQUEST_METHOD = PUT"), response.text());
        assertTrue(lines.contains("PATH_INFO = /some/path"), response.text());
        assertTrue(lines.contains("QUERY_STRING = x=1"), response.text());
        assertTrue(lines.contains("HTTP_X_TRACE = abc"), response.text());
        assertTrue(lines.contains("CONTENT_LENGTH = 5"), response.text());
        assertEquals("(request body: 5 bytes)", lines.get(lines.size() - 1));
        List<String> keys = lines.subList(0, lines.size() - 1).stream().map(line -> line.split(" = ", 2)[0]).toList();
        assertEquals(keys.stream().sorted().distinct().toList(), keys, "one line per key, sorted");
        assertFalse(keys.contains("bjoern.web.body"), "the body is read after the listing: " + keys);
    }

    @Test
    void mainServesOnTheGivenPort() throws Exception {
        try (SampleProcess sample = new SampleProcess(EnvironEcho.class, "0")) {
            HttpResponse<byte[]> response = sample.get("/x?y=1");
            assertTrue(new String(response.body()).contains("SERVER_PORT = " + response.uri().getPort() + "\n"));
            assertEquals(0, sample.stop());
        }
    }
}
