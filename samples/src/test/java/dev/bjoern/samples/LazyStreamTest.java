package dev.bjoern.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bjoern.WsgiApplication;
import dev.bjoern.test.TestClient;
import dev.bjoern.test.TestResponse;
import dev.bjoern.test.Validator;
import dev.bjoern.web.Middleware;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LazyStreamTest {
    /** What the server saw: whether start_response had been called when the app returned, and each chunk. */
    private final AtomicBoolean startedBeforeReturn = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final List<String> chunks = new ArrayList<>();

    private final Middleware recording = app -> (environ, startResponse) -> {
        Iterable<byte[]> body = app.call(environ, (status, headers, excInfo) -> {
            started.set(true);
            return startResponse.call(status, headers, excInfo);
        });
        startedBeforeReturn.set(started.get());
        return () -> new Iterator<>() {
            private final Iterator<byte[]> inner = body.iterator();

            @Override
            public boolean hasNext() {
                return inner.hasNext();
            }

            @Override
            public byte[] next() {
                byte[] chunk = inner.next();
                chunks.add(new String(chunk));
                return chunk;
            }
        };
    };

    private TestResponse get(String target) {
        WsgiApplication app = Middleware.chain(Validator::wrap, recording).wrap(LazyStream.app);
        return TestClient.of(app).get(target);
    }

    @Test
    void sendsOneChunkPerLineAndStartsTheResponseFromInsideTheBody() {
        TestResponse response = get("/?x=1&lines=3");
        assertEquals(200, response.status());
        assertEquals(List.of("line 1 of 3\n", "line 2 of 3\n", "line 3 of 3\n"), chunks);
        assertEquals("line 1 of 3\nline 2 of 3\nline 3 of 3\n", response.text());
        assertFalse(startedBeforeReturn.get(), "start_response is called only once the body is pulled");
        assertNull(response.header("Content-Length"), "a lazy body has no length known in advance");
    }

    @Test
    void sendsTenLinesByDefaultAndNoneForZero() {
        assertEquals(10, get("/").text().lines().count());
        assertEquals("", get("/?lines=0").text());
    }

    @Test
    void refusesALineCountThatIsNotANumberInRange() {
        for (String lines : List.of("many", "-1", "1000001", "", "1e3")) {
            TestResponse response = get("/?lines=" + lines);
            assertEquals(400, response.status(), lines);
            assertEquals("lines must be a number from 0 to 1000000\n", response.text());
        }
    }

    @Test
    void mainServesChunkedOnTheGivenPort() throws Exception {
        try (SampleProcess sample = new SampleProcess(LazyStream.class, "0")) {
            HttpResponse<byte[]> response = sample.get("/?lines=2");
            assertEquals("line 1 of 2\nline 2 of 2\n", new String(response.body()));
            assertEquals("chunked", response.headers().firstValue("Transfer-Encoding").orElse(null));
            assertEquals(0, sample.stop());
        }
    }
}
