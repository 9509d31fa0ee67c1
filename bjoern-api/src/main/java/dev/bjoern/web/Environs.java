package dev.bjoern.web;

import dev.bjoern.Environ;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code wsgiref.util} over environ: the URL of the application and of the request, rebuilt as PEP
 * 3333's "URL Reconstruction" does, and {@code shift_path_info} for dispatching on path segments.
 */
public final class Environs {
    private Environs() {
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * The application's base URL, as {@code wsgiref.util.application_uri}: {@code wsgi.url_scheme}, then
     * {@code HTTP_HOST} when non-empty, else {@code SERVER_NAME} with {@code :SERVER_PORT} unless the port is
     * the scheme's default (443 for https, 80 otherwise), then {@code SCRIPT_NAME} percent-encoded ({@code "/"}
     * when empty). Beyond wsgiref, an IPv6 {@code SERVER_NAME} ({@code "::1"}, SPEC.md 2) is put in brackets.
     *
     * @param environ a request's environ
     * @return {@code "http://example.com/app"}, or {@code "http://example.com/"} at the root
     * @throws IllegalArgumentException if environ lacks {@code wsgi.url_scheme}, or {@code SERVER_NAME} or
     *     {@code SERVER_PORT} when they are needed
     */
    public static String applicationUri(Map<String, Object> environ) {
        String scheme = required(environ, Environ.WSGI_URL_SCHEME);
        StringBuilder url = new StringBuilder(scheme).append("://");
        String host = text(environ, Environ.HTTP_PREFIX + "HOST");
        if (!host.isEmpty()) {
            url.append(host);
        } else {
            String name = required(environ, Environ.SERVER_NAME);
            String port = required(environ, Environ.SERVER_PORT);
            url.append(name.indexOf(':') >= 0 && !name.startsWith("[") ? "[" + name + "]" : name);
            if (!port.equals(scheme.equals("https") ? "443" : "80")) {
                url.append(':').append(port);
            }
        }
        String scriptName = text(environ, Environ.SCRIPT_NAME);
        return url.append(quote(scriptName.isEmpty() ? "/" : scriptName, "/")).toString();
    }

    /**
     * The request's URL, as {@code wsgiref.util.request_uri}: {@link #applicationUri}, then {@code PATH_INFO}
     * percent-encoded (keeping {@code / ; = ,}), then {@code ?QUERY_STRING} as sent when asked for and
     * non-empty.
     *
     * @param environ a request's environ
     * @param includeQuery whether to add the query
     * @return {@code "http://example.com/app/items?id=7"}
     * @throws IllegalArgumentException as {@link #applicationUri}
     */
    public static String requestUri(Map<String, Object> environ, boolean includeQuery) {
        StringBuilder url = new StringBuilder(applicationUri(environ));
        String pathInfo = quote(text(environ, Environ.PATH_INFO), "/;=,");
        // applicationUri ended in the "/" that stands for an empty SCRIPT_NAME: PATH_INFO's own "/" replaces it.
        url.append(text(environ, Environ.SCRIPT_NAME).isEmpty() && !pathInfo.isEmpty()
                ? pathInfo.substring(1) : pathInfo);
        String query = text(environ, Environ.QUERY_STRING);
        if (includeQuery && !query.isEmpty()) {
            url.append('?').append(query);
        }
        return url.toString();
    }

    /**
     * Moves the first segment of {@code PATH_INFO} to the end of {@code SCRIPT_NAME} and returns it, exactly as
     * {@code wsgiref.util.shift_path_info}: empty and {@code "."} segments before the last are dropped
     * ({@code "//x"} and {@code "/./x"} shift {@code "x"}); {@code SCRIPT_NAME} is normalized as by
     * {@code posixpath.normpath} (so {@code ".."} climbs out of it) and loses a trailing {@code /}, except that
     * shifting the empty segment of {@code "/"} returns {@code ""} and appends {@code /} to it, so that an
     * application can tell {@code /x} from {@code /x/}. A last segment {@code "."} is consumed and null returned.
     * {@code "/a/b"} gives {@code "a"}, with {@code SCRIPT_NAME} {@code "/a"} and {@code PATH_INFO} {@code "/b"}.
     *
     * @param environ a request's environ, changed in place
     * @return the segment shifted, as environ's text; null when {@code PATH_INFO} was empty (environ unchanged)
     *     or the segment was {@code "."}
     * @throws IllegalArgumentException if {@code PATH_INFO} is neither empty nor begins with {@code /}
     */
    public static String shiftPathInfo(Map<String, Object> environ) {
        String pathInfo = text(environ, Environ.PATH_INFO);
        if (pathInfo.isEmpty()) {
            return null;
        }
        if (pathInfo.charAt(0) != '/') {
            throw new IllegalArgumentException(
                    "PATH_INFO must be empty or begin with '/', got " + HttpSyntax.quote(pathInfo));
        }
        String[] parts = pathInfo.split("/", -1);
        List<String> rest = new ArrayList<>();
        rest.add("");
        for (int i = 1; i < parts.length - 1; i++) {
            if (!parts[i].isEmpty() && !parts[i].equals(".")) {
                rest.add(parts[i]);
            }
        }
        // The last segment is kept even when empty: it is what tells "/x/" from "/x".
        rest.add(parts[parts.length - 1]);
        String name = rest.remove(1);

        String scriptName = normpath(text(environ, Environ.SCRIPT_NAME) + "/" + name);
        if (scriptName.endsWith("/")) {
            scriptName = scriptName.substring(0, scriptName.length() - 1);
        }
        if (name.isEmpty() && !scriptName.endsWith("/")) {
            scriptName += "/";
        }
        environ.put(Environ.SCRIPT_NAME, scriptName);
        environ.put(Environ.PATH_INFO, String.join("/", rest));
        return name.equals(".") ? null : name;
    }

    /** Python's posixpath.normpath: no empty or "." segments, ".." resolved, "//" kept at the start only. */
    static String normpath(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        // POSIX leaves the meaning of exactly two leading slashes to the system, so normpath keeps them.
        int leadingSlashes = path.startsWith("//") && !path.startsWith("///") ? 2 : path.startsWith("/") ? 1 : 0;
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            boolean climbs = segment.equals("..");
            boolean last = !segments.isEmpty() && segments.get(segments.size() - 1).equals("..");
            if (!climbs || (leadingSlashes == 0 && segments.isEmpty()) || last) {
                segments.add(segment);
            } else if (!segments.isEmpty()) {
                segments.remove(segments.size() - 1);
            }
        }
        String normal = "/".repeat(leadingSlashes) + String.join("/", segments);
        return normal.isEmpty() ? "." : normal;
    }

    /** Python's urllib.parse.quote(s, safe, encoding="latin1"): environ's chars are the bytes to escape. */
    static String quote(String s, String safe) {
        StringBuilder quoted = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (HttpSyntax.isAlphaNumeric(c) || "_.-~".indexOf(c) >= 0 || safe.indexOf(c) >= 0) {
                quoted.append(c);
            } else if (c > 0xff) {
                throw new IllegalArgumentException("environ text must be ISO-8859-1 chars (SPEC.md 2), got "
                        + HttpSyntax.quote(s));
            } else {
                quoted.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return quoted.toString();
    }

    private static String required(Map<String, Object> environ, String key) {
        String value = text(environ, key);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("environ must have a non-empty " + key + ", as PEP 3333 requires");
        }
        return value;
    }

    private static String text(Map<String, Object> environ, String key) {
        String value = string(environ, key);
        return value == null ? "" : value;
    }

    /** A text key's value, null when absent; other helpers read environ through this too. */
    static String string(Map<String, Object> environ, String key) {
        Object value = environ.get(key);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new IllegalArgumentException(
                "environ " + key + " must be a String, got " + value.getClass().getName());
    }
}
