package dev.bjoern;

import java.util.List;
import java.util.Map;

/**
 * The {@code start_response} callable of PEP 3333: sets the response status and headers.
 *
 * <p>The status is a 3-digit code from 200 to 599, a space and a reason ({@code "200 OK"}); headers are
 * name/value pairs in order ({@code Map.entry("Content-Type", "text/plain")}). A status of another shape,
 * a header name that is not an HTTP token, or a value with control characters (CR, LF, NUL...) is refused
 * with an {@link IllegalArgumentException}: it never reaches the wire. Nothing is sent until the first
 * non-empty body chunk (or the first {@link Write#write}).
 */
@FunctionalInterface
public interface StartResponse {
    /**
     * Sets status and headers.
     *
     * @param status a code from 200 to 599, a space and a reason ({@code "404 Not Found"})
     * @param headers the response headers in order, as name/value pairs; names that are HTTP tokens, values
     *     without control characters
     * @param excInfo {@code null} on the first call. A second call must pass the error being handled: before
     *     the headers went out it replaces status and headers; after, {@code excInfo} itself is rethrown (a
     *     Throwable that is neither an Exception nor an Error wrapped in an {@link IllegalStateException})
     *     and the response will be cut off.
     * @return the write callable, whose bytes precede the returned body's
     * @throws IllegalArgumentException for a malformed status or header; nothing of the call is applied
     * @throws IllegalStateException for a second call without {@code excInfo}
     * @throws Exception {@code excInfo}, rethrown when the headers went out already
     */
    Write call(String status, List<Map.Entry<String, String>> headers, Throwable excInfo) throws Exception;

    /**
     * The first, ordinary call: {@code call(status, headers, null)}.
     *
     * @param status a code from 200 to 599, a space and a reason ({@code "200 OK"})
     * @param headers the response headers in order, as name/value pairs
     * @return the write callable, whose bytes precede the returned body's
     * @throws IllegalArgumentException for a malformed status or header
     * @throws IllegalStateException when start_response was called already
     * @throws Exception as {@link #call(String, List, Throwable)}
     */
    default Write call(String status, List<Map.Entry<String, String>> headers) throws Exception {
        return call(status, headers, null);
    }
}
