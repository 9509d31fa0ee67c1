package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import sun.misc.Signal;

/** bjoern's run(statsd=...) after listen: the counts arrive once SIGTERM stopped the server. */
@Timeout(60)
class BjoernStatsdTest {
    @Test
    void runWithStatsdAfterListenSendsEveryCountOnSigterm() throws Exception {
        try (UdpLines udp = new UdpLines()) {
            BjoernServer bound = Bjoern.listen(Traffic.APP, "127.0.0.1", 0);
            Statsd statsd = Statsd.of(Map.of("enable", true, "port", udp.port(), "ns", "bjoern"));
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    Bjoern.run(statsd);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (RawHttp http = new RawHttp(bound.port())) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(200, http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
                }
            }
            Signal.raise(new Signal("TERM"));
            running.get(30, TimeUnit.SECONDS);
            assertEquals(4, udp.lines().stream().filter(line -> line.startsWith("bjoern.resp.done.keepalive:"))
                    .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1, line.indexOf('|'))))
                    .sum());
        }
    }
}
