package dev.bjoern.undertow.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.WsgiHandler;
import io.undertow.Handlers;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A mounted handler whose application blocks, called on threads of the handler's: the host's other handlers
 * and its one IO thread go on serving meanwhile.
 */
class BlockingMountedHandlerTest {
    @Test
    void aBlockedCallHoldsNeitherTheHostsIoThreadNorItsOtherHandlers() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WsgiApplication app = (environ, startResponse) -> {
            called.countDown();
            release.await();
            startResponse.call("200 OK", List.of(), null);
            return List.of(("slow on " + Thread.currentThread().getName() + " multithread="
                    + environ.get("wsgi.multithread")).getBytes());
        };
        try (WsgiHandler mounted = WsgiHandler.builder(app).threads(2).build()) {
            Undertow host = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1)
                    .setHandler(Handlers.path().addPrefixPath("/app", mounted).addPrefixPath("/health",
                            exchange -> exchange.getResponseSender().send("ok")))
                    .build();
            host.start();
            try {
                int port = ((InetSocketAddress) host.getListenerInfo().get(0).getAddress()).getPort();
                try (RawClient slow = new RawClient(port); RawClient health = new RawClient(port)) {
                    slow.send("GET /app/slow HTTP/1.1\r\nHost: test\r\n\r\n");
                    assertTrue(called.await(10, TimeUnit.SECONDS));
                    assertEquals("ok", health.send("GET /health HTTP/1.1\r\nHost: test\r\n\r\n").read().body());
                    release.countDown();
                    assertEquals("slow on bjoern app-1 multithread=true", slow.read().body());
                }
            } finally {
                host.stop();
            }
        }
    }
}
