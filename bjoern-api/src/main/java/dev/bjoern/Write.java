package dev.bjoern;

import java.io.IOException;

/**
 * The write callable that {@link StartResponse} returns, for applications written against the imperative
 * style of PEP 3333. Bytes written go out, in order, before the chunks of the returned body.
 *
 * <p>The server runs the application on its IO thread and never blocks it, so {@code write} queues the
 * bytes and returns; they are sent as the client takes them. Prefer returning the body: written bytes are
 * held in memory until sent.
 */
@FunctionalInterface
public interface Write {
    /**
     * Queues {@code data} for sending; the array is not copied and must not be changed afterwards.
     *
     * @param data the bytes to send, not {@code null}; even an empty array commits the headers
     * @throws IOException if the response can no longer be written
     */
    void write(byte[] data) throws IOException;
}
