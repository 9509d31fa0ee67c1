package dev.bjoern;

import java.util.Map;

/**
 * A web application in the shape of PEP 3333 (WSGI): called once per request with the request's
 * {@code environ} and a {@link StartResponse} callback, it returns the response body as byte chunks.
 *
 * <p>The server iterates the returned body lazily, one chunk at a time as the client takes them; if the
 * body or its iterator is {@link AutoCloseable}, {@code close()} is called exactly once when the response
 * is complete or aborted. SPEC.md is the authority on every detail: this jar carries it as
 * {@code META-INF/SPEC.md}, and the project has it at
 * <a href="https://github.com/bjoern-java/bjoern-java/blob/main/bjoern-api/SPEC.md">bjoern-api/SPEC.md</a>.
 */
@FunctionalInterface
public interface WsgiApplication {
    /**
     * Handles one request.
     *
     * @param environ the request, keyed as SPEC.md says; mutable, so middleware may add keys
     * @param startResponse to be called with the status and headers before the first non-empty chunk
     *     is produced (it may be called from inside the body's iterator)
     * @return the body; never {@code null}
     * @throws Exception anything: before the headers went out it becomes a {@code 500}, after them the
     *     connection is closed
     */
    Iterable<byte[]> call(Map<String, Object> environ, StartResponse startResponse) throws Exception;
}
