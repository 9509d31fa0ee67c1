package dev.bjoern.undertow.cliapps;

import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import java.util.Map;

/** An application class the command line cannot construct: it needs a greeting. */
public class Greeter implements WsgiApplication {
    private final String greeting;

    public Greeter(String greeting) {
        this.greeting = greeting;
    }

    @Override
    public Iterable<byte[]> call(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        return Apps.text(greeting).call(environ, startResponse);
    }
}
