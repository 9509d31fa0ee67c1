package dev.bjoern.test;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.WsgiHandler;
import io.undertow.Undertow;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;

/** SPEC.md's clauses against WsgiHandler, the root handler of a plain Undertow on 127.0.0.1 and a free port. */
class MountedHandlerConformanceTest extends ConformanceKit {
    @Override
    protected Served serve(WsgiApplication app) throws Exception {
        WsgiHandler handler = WsgiHandler.builder(app)
                .errors(new PrintStream(OutputStream.nullOutputStream(), true)).build();
        Undertow undertow = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(handler).build();
        undertow.start();
        int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        return overHttp(URI.create("http://127.0.0.1:" + port + "/"), () -> {
            undertow.stop();
            handler.close();
        });
    }
}
