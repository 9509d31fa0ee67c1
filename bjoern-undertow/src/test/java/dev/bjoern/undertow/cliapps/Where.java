package dev.bjoern.undertow.cliapps;

import dev.bjoern.WsgiApplication;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Answers with where the request arrived, for the binding tests: one "KEY=value" line per key. */
public final class Where {
    public static final WsgiApplication app = (environ, startResponse) -> {
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
        String body = "SERVER_NAME=" + environ.get("SERVER_NAME") + "\nSERVER_PORT=" + environ.get("SERVER_PORT")
                + "\nREMOTE_ADDR=" + environ.get("REMOTE_ADDR") + "\nREMOTE_PORT=" + environ.get("REMOTE_PORT")
                + "\nwsgi.multithread=" + environ.get("wsgi.multithread") + "\nthread=" + Thread.currentThread().getName()
                + "\npid=" + ProcessHandle.current().pid() + "\n";
        return List.of(body.getBytes(StandardCharsets.UTF_8));
    };

    private Where() {
    }
}
