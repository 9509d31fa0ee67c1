package dev.bjoern.test;

import dev.bjoern.WsgiApplication;
import java.io.IOException;

/**
 * SPEC.md's clauses against TestClient, answering 500 as a server does; an application error after the commit,
 * which reaches the caller, is the kit's cut-off response.
 */
class TestClientConformanceTest extends ConformanceKit {
    @Override
    protected Served serve(WsgiApplication app) {
        TestClient client = TestClient.of(app).answering500();
        return (method, target, headers, body) -> {
            try {
                return client.request(method, target, headers, body);
            } catch (RuntimeException | Error e) {
                throw new IOException("the response was cut off: " + e, e);
            }
        };
    }
}
