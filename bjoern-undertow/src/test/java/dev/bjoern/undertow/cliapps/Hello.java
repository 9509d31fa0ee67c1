package dev.bjoern.undertow.cliapps;

import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import java.util.Map;

/** An application class served by its bare name. */
public class Hello implements WsgiApplication {
    @Override
    public Iterable<byte[]> call(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        return Apps.text("from a class").call(environ, startResponse);
    }
}
