package dev.bjoern.undertow.host;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;

/** A plain Undertow on loopback, as a host configures one, with a handler mounted under {@code /app}. */
final class Host implements AutoCloseable {
    private final Undertow undertow;

    /**
     * @param ioThreads the host worker's IO threads
     * @param maxEntitySize the listener's MAX_ENTITY_SIZE, or -1 for Undertow's default (2 MiB)
     */
    Host(HttpHandler mounted, int ioThreads, long maxEntitySize) {
        Undertow.Builder builder = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(ioThreads)
                .setHandler(Handlers.path().addPrefixPath("/app", mounted));
        if (maxEntitySize >= 0) {
            builder.setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxEntitySize);
        }
        undertow = builder.build();
        undertow.start();
    }

    Host(HttpHandler mounted) {
        this(mounted, 1, -1);
    }

    int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
