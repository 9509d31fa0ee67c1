package dev.bjoern.undertow.cliapps;

import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.Bjoern;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** An application that says on stdout when it is closed; its main serves it with Bjoern.run on any free port. */
public final class Closing implements WsgiApplication, AutoCloseable {
    public static final Closing app = new Closing();

    private Closing() {
    }

    @Override
    public Iterable<byte[]> call(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        if ("/stuck".equals(environ.get("PATH_INFO"))) {
            // A request that never ends: the drain's deadline passes with it still running here.
            System.err.println("stuck in a request");
            new java.util.concurrent.CountDownLatch(1).await();
        }
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
        return List.of("open".getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() {
        System.out.println("closed");
    }

    public static void main(String[] args) throws Exception {
        Bjoern.run(app, "127.0.0.1", 0);
        System.out.println("run returned");
    }
}
