package dev.bjoern.test;

import static dev.bjoern.test.Bodies.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** BjoernExtension in an instance field: a server of its own for each test, stopped after it. */
class BjoernExtensionPerTestTest {
    private static final List<URI> SERVED = new CopyOnWriteArrayList<>();
    private static final AtomicInteger CALLS = new AtomicInteger();

    @RegisterExtension
    BjoernExtension server = BjoernExtension.of(Validator.wrap((environ, startResponse) -> {
        startResponse.call("200 OK", List.of());
        return List.of(bytes("call " + CALLS.incrementAndGet()));
    }));

    @RepeatedTest(2)
    void eachTestHasItsOwnServer() throws Exception {
        URI uri = server.uri();
        SERVED.add(uri);
        assertEquals("call " + (CALLS.get() + 1), BjoernExtensionTest.send(HttpRequest.newBuilder(uri)).body());
    }

    @AfterAll
    static void everyServerStopped() {
        assertEquals(2, SERVED.size());
        for (URI uri : SERVED) {
            BjoernExtensionTest.assertRefused(uri);
        }
    }
}
