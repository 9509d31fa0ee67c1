package dev.bjoern.undertow.cliapps;

import dev.bjoern.WsgiApplication;

/** Says, on the thread that serves a request, which loader is the thread's context loader. */
public final class Loaders {
    public static final WsgiApplication app = (environ, startResponse) -> Apps.text(
            Thread.currentThread().getContextClassLoader() == Loaders.class.getClassLoader()
                    ? "context loader: the app's" : "context loader: another")
            .call(environ, startResponse);

    private Loaders() {
    }
}
