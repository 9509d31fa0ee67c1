package dev.bjoern.web;

import dev.bjoern.StartResponse;
import java.util.List;
import java.util.Map;

/**
 * A redirect: the status and headers to give start_response.
 *
 * <pre>{@code
 * return Redirect.to(303, "/orders/7").send(startResponse);
 * }</pre>
 */
public final class Redirect {
    private final String status;
    private final List<Map.Entry<String, String>> headers;

    private Redirect(String status, List<Map.Entry<String, String>> headers) {
        this.status = status;
        this.headers = headers;
    }

    /**
     * A redirect to {@code location}. 303 makes the client follow with a GET (after a form POST); 307 and 308
     * keep the method and body; 302 and 301 are the historical forms, which clients may turn into a GET; 301
     * and 308 are permanent (cached).
     *
     * @param code 301, 302, 303, 307 or 308
     * @param location an absolute URL or a path, in ASCII without control characters (percent-encode the rest)
     * @return the redirect
     * @throws IllegalArgumentException for another code, or an empty or null location or one with other
     *     characters
     */
    public static Redirect to(int code, String location) {
        if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
            throw new IllegalArgumentException("redirect code must be 301, 302, 303, 307 or 308, got " + code);
        }
        if (location == null || location.isEmpty() || !isVisibleAscii(location)) {
            throw new IllegalArgumentException("redirect location must be non-empty ASCII without spaces or control"
                    + " characters (percent-encode the rest), got " + HttpSyntax.quote(location));
        }
        return new Redirect(Status.line(code), List.of(Map.entry("Location", location)));
    }

    /**
     * The status line.
     *
     * @return {@code "303 See Other"} and the like
     */
    public String status() {
        return status;
    }

    /**
     * The headers.
     *
     * @return {@code Location} alone; unmodifiable
     */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /**
     * Calls start_response with this status and these headers.
     *
     * @param startResponse the request's start_response
     * @return an empty body, to return from the application
     * @throws Exception as {@link StartResponse#call(String, List)}
     */
    public Iterable<byte[]> send(StartResponse startResponse) throws Exception {
        startResponse.call(status, headers);
        return List.of();
    }

    private static boolean isVisibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) <= 0x20 || s.charAt(i) >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
