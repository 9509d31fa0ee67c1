package dev.bjoern.test;

import dev.bjoern.FileBody;
import dev.bjoern.WsgiApplication;
import java.util.Objects;

/**
 * Checks both sides of the contract while an application runs, as Python's {@code wsgiref.validate} and Ring's
 * lint do: put it between a server and an application, and a broken rule of SPEC.md throws an
 * {@link AssertionError} whose message names it ({@code "SPEC 4: start_response status must be ..., got
 * \"200\""}). A correct application behind a correct server behaves exactly as without it.
 *
 * <pre>{@code
 * WsgiApplication checked = Validator.wrap(app);
 * }</pre>
 *
 * <p>The server's side, checked when the server calls: environ holds every required key of SPEC 2 with its
 * type and no null value, the values SPEC 2 fixes (a method token, SCRIPT_NAME and PATH_INFO, decimal ports,
 * the protocol, {@code wsgi.version} {@code [1, 0]}, the URL scheme, {@code wsgi.run_once} false,
 * {@code wsgi.input_terminated} true), CGI values as ISO-8859-1 text, no {@code HTTP_CONTENT_TYPE} or
 * {@code HTTP_CONTENT_LENGTH}; start_response returns the same write callable every time and, once the headers
 * are committed, throws the {@code excInfo} it is given; the body's {@code iterator()} is called once (twice
 * for a {@code Collection}), it is not used after {@code close()}, a pending body is not pulled before its
 * {@code onReady} ran, and {@code close()} is called exactly once: a second call throws; a body never closed is
 * reported on {@code wsgi.errors} when it is garbage-collected (nothing else knows that the response ended).
 *
 * <p>The application's side: start_response's status and headers as {@code dev.bjoern.server.ResponseRules}
 * checks them (with its message, and its {@link IllegalArgumentException} as the cause), called once without
 * {@code excInfo}; start_response and write used only on the thread running the application or its body's
 * iterator, while it runs; write given bytes; a non-null body; no null chunk; start_response before the first
 * non-empty chunk, and before the body ends; a body exactly as long as the Content-Length it gave (HEAD, 204 and
 * 304 excepted); a pending body running {@code onReady} exactly once after answering false, never after true.
 *
 * <p>What the server sees is the application's body in the same shape: a {@code List} that is
 * {@code RandomAccess} stays one, any other {@code Collection} stays a {@code Collection} (the server computes
 * Content-Length for both), an iterator that is a {@link dev.bjoern.PendingBody} stays one. The body seen is
 * always {@link AutoCloseable}: its {@code close()} closes the application's body if that is closeable, else its
 * iterator if that is. A file-backed {@link FileBody} is handed to the server as it is, so that it still goes out
 * zero-copy with a computed Content-Length: it is checked when the application returns it (start_response called,
 * a given Content-Length within the file) but its {@code close()} is not watched. A {@code FileBody} over another
 * stream is iterated by every server and is checked as any lazy body.
 */
public final class Validator {
    private Validator() {
    }

    /**
     * Wraps an application so that every call checks the rules above.
     *
     * @param app the application to check
     * @return an application that behaves as {@code app}, and throws {@link AssertionError} (or, from a pending
     *     body's {@code onReady}, throws it on the thread that runs it) when either side breaks a rule
     */
    public static WsgiApplication wrap(WsgiApplication app) {
        Objects.requireNonNull(app, "app");
        return (environ, startResponse) -> {
            EnvironCheck.check(environ);
            if (startResponse == null) {
                throw new AssertionError("SPEC 1: the server called the application without a start_response");
            }
            return new CheckedCall(environ, startResponse).run(app, environ);
        };
    }
}
