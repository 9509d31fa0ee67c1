package dev.bjoern.web;

import dev.bjoern.WsgiApplication;
import java.util.Objects;

/**
 * Wraps an application in another that handles the request before it, after it, or instead of it: PEP 3333's
 * middleware as a function from application to application.
 *
 * <pre>{@code
 * WsgiApplication served = Middleware.chain(ProxyHeaders.defaults(), logging, auth).wrap(app);
 * // a request goes through the proxy headers, then logging, then auth, then app
 * }</pre>
 */
@FunctionalInterface
public interface Middleware {
    /**
     * Wraps {@code app}.
     *
     * @param app the application to call inside
     * @return the wrapped application
     */
    WsgiApplication wrap(WsgiApplication app);

    /**
     * This middleware outside {@code inner}: a request goes through this one first, then {@code inner}.
     * {@code a.andThen(b).wrap(app)} is {@code a.wrap(b.wrap(app))}, the order of {@link #chain}. (The reverse
     * of {@code Function.andThen} on the wrap functions, since it follows the request, not the wrapping.)
     *
     * @param inner the middleware nearer the application
     * @return the two as one
     * @throws NullPointerException if inner is null
     */
    default Middleware andThen(Middleware inner) {
        Objects.requireNonNull(inner, "inner middleware must not be null");
        return app -> wrap(inner.wrap(app));
    }

    /**
     * Several middleware as one, the first listed outermost: {@code chain(a, b, c).wrap(app)} is
     * {@code a.wrap(b.wrap(c.wrap(app)))}, so a request goes through a, b, c, then app, and the response back
     * through c, b, a. {@code chain()} wraps nothing and returns the application itself.
     *
     * @param middleware outermost first
     * @return the middleware as one; later changes to the array do not affect it
     * @throws NullPointerException naming the position of a null middleware
     */
    static Middleware chain(Middleware... middleware) {
        Middleware[] outermostFirst = middleware.clone();
        for (int i = 0; i < outermostFirst.length; i++) {
            Objects.requireNonNull(outermostFirst[i], "middleware " + i + " of the chain is null");
        }
        return app -> {
            WsgiApplication wrapped = app;
            for (int i = outermostFirst.length - 1; i >= 0; i--) {
                wrapped = outermostFirst[i].wrap(wrapped);
            }
            return wrapped;
        };
    }
}
