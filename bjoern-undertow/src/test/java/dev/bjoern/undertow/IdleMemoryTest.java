package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What an idle keep-alive connection keeps of the response it last sent. */
class IdleMemoryTest {
    @Test
    void anIdleConnectionDoesNotHoldALargeBodyItSent() throws Exception {
        AtomicReference<WeakReference<byte[]>> sent = new AtomicReference<>();
        try (TestServer server = TestServer.start((environ, startResponse) -> {
            byte[] body = new byte[1 << 20];
            sent.set(new WeakReference<>(body));
            startResponse.call("200 OK", List.of());
            return List.of(body);
        }); RawHttp client = server.connect()) {
            RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(1 << 20, response.body.length);
            // The connection stays open and idle; nothing of ours or Undertow's may still reach the body.
            for (int i = 0; i < 50 && sent.get().get() != null; i++) {
                System.gc();
            }
            assertTrue(sent.get().get() == null, "the idle connection still holds the 1 MiB body it sent");
        }
    }
}
