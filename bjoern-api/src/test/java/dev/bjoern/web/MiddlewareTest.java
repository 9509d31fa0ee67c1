package dev.bjoern.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bjoern.WsgiApplication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class MiddlewareTest {
    /** Records its name into the trace before and after calling the application inside. */
    static Middleware tracing(String name, List<String> trace) {
        return app -> (environ, startResponse) -> {
            trace.add(name + ">");
            Iterable<byte[]> body = app.call(environ, startResponse);
            trace.add("<" + name);
            return body;
        };
    }

    static List<String> run(Middleware middleware, List<String> trace) throws Exception {
        WsgiApplication app = (environ, startResponse) -> {
            trace.add("app");
            return List.of();
        };
        middleware.wrap(app).call(new HashMap<>(), (s, h, e) -> data -> { });
        return trace;
    }

    @Test
    void chainsWithTheFirstListedOutermost() throws Exception {
        List<String> trace = new ArrayList<>();
        Middleware chain = Middleware.chain(tracing("a", trace), tracing("b", trace), tracing("c", trace));
        assertEquals(List.of("a>", "b>", "c>", "app", "<c", "<b", "<a"), run(chain, trace));
    }

    @Test
    void andThenPutsTheCallerOutside() throws Exception {
        List<String> trace = new ArrayList<>();
        Middleware both = tracing("a", trace).andThen(tracing("b", trace));
        assertEquals(List.of("a>", "b>", "app", "<b", "<a"), run(both, trace));
    }

    @Test
    void chainsNothingToTheApplicationItself() {
        WsgiApplication app = (environ, startResponse) -> List.of();
        assertSame(app, Middleware.chain().wrap(app));
    }

    @Test
    void ignoresLaterChangesToTheArray() throws Exception {
        List<String> trace = new ArrayList<>();
        Middleware[] middleware = {tracing("a", trace)};
        Middleware chain = Middleware.chain(middleware);
        middleware[0] = tracing("z", trace);
        assertEquals(List.of("a>", "app", "<a"), run(chain, trace));
    }

    @Test
    void refusesANullMiddlewareNamingItsPosition() {
        Middleware a = app -> app;
        assertEquals("middleware 1 of the chain is null",
                assertThrows(NullPointerException.class, () -> Middleware.chain(a, null)).getMessage());
        assertEquals("inner middleware must not be null",
                assertThrows(NullPointerException.class, () -> a.andThen(null)).getMessage());
    }
}
