package dev.bjoern.test;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.BjoernServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;

/** SPEC.md's clauses against the engine, BjoernServer, on 127.0.0.1 and a free port. */
class BjoernServerConformanceTest extends ConformanceKit {
    @Override
    protected Served serve(WsgiApplication app) throws Exception {
        // The kit's applications fail on purpose: their log is not this test's subject.
        BjoernServer server = settings(BjoernServer.builder(app).host("127.0.0.1").port(0)
                .errors(new PrintStream(OutputStream.nullOutputStream(), true))).build().start();
        return overHttp(URI.create("http://127.0.0.1:" + server.port() + "/"), server);
    }

    /** The server's settings beyond the defaults: none here. */
    BjoernServer.Builder settings(BjoernServer.Builder builder) {
        return builder;
    }
}
