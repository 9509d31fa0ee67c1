package dev.bjoern.test;

import static dev.bjoern.server.ResponseRules.quote;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.server.ResponseRules;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The server's side of SPEC 2: what environ must hold when the application is called. */
final class EnvironCheck {
    /** SPEC 2's table: every required key and its type, in the table's order. */
    private static final List<Map.Entry<String, Class<?>>> REQUIRED = List.of(
            Map.entry(Environ.REQUEST_METHOD, String.class),
            Map.entry(Environ.SCRIPT_NAME, String.class),
            Map.entry(Environ.PATH_INFO, String.class),
            Map.entry(Environ.QUERY_STRING, String.class),
            Map.entry(Environ.SERVER_NAME, String.class),
            Map.entry(Environ.SERVER_PORT, String.class),
            Map.entry(Environ.SERVER_PROTOCOL, String.class),
            Map.entry(Environ.SERVER_SOFTWARE, String.class),
            Map.entry(Environ.REMOTE_ADDR, String.class),
            Map.entry(Environ.REMOTE_PORT, String.class),
            Map.entry(Environ.REQUEST_URI, String.class),
            Map.entry(Environ.WSGI_VERSION, List.class),
            Map.entry(Environ.WSGI_URL_SCHEME, String.class),
            Map.entry(Environ.WSGI_INPUT, InputStream.class),
            Map.entry(Environ.WSGI_ERRORS, PrintStream.class),
            Map.entry(Environ.WSGI_MULTITHREAD, Boolean.class),
            Map.entry(Environ.WSGI_MULTIPROCESS, Boolean.class),
            Map.entry(Environ.WSGI_RUN_ONCE, Boolean.class),
            Map.entry(Environ.WSGI_INPUT_TERMINATED, Boolean.class),
            Map.entry(Environ.WSGI_FILE_WRAPPER, FileWrapper.class));

    private EnvironCheck() {
    }

    static void check(Map<String, Object> environ) {
        if (environ == null) {
            throw new AssertionError("SPEC 2: the server called the application without an environ");
        }
        for (Map.Entry<?, ?> entry : environ.entrySet()) {
            keyAndValue(entry.getKey(), entry.getValue());
        }
        for (Map.Entry<String, Class<?>> required : REQUIRED) {
            Object value = environ.get(required.getKey());
            if (value == null) {
                throw new AssertionError("SPEC 2: environ lacks the required key " + required.getKey());
            }
            type(required.getKey(), value, required.getValue());
        }
        type(Environ.CONTENT_TYPE, environ.get(Environ.CONTENT_TYPE), String.class);
        type(Environ.CONTENT_LENGTH, environ.get(Environ.CONTENT_LENGTH), String.class);
        values(environ);
    }

    /**
     * Every key a String; no null value; HTTP_* values Strings; the values of CGI keys (those without a dot:
     * not {@code wsgi.*}, nor a namespaced key middleware added) ISO-8859-1 text, as PEP 3333's native strings.
     */
    private static void keyAndValue(Object key, Object value) {
        if (!(key instanceof String)) {
            throw new AssertionError("SPEC 2: environ keys must be Strings, got " + describe(key));
        }
        String name = (String) key;
        if (value == null) {
            throw new AssertionError("SPEC 2: environ maps " + name + " to null; an optional key is absent,"
                    + " not null");
        }
        if (name.startsWith(Environ.HTTP_PREFIX)) {
            type(name, value, String.class);
            if (name.equals("HTTP_CONTENT_TYPE") || name.equals("HTTP_CONTENT_LENGTH")) {
                throw new AssertionError("SPEC 2: environ must not have " + name + "; the header is "
                        + name.substring(Environ.HTTP_PREFIX.length()));
            }
        }
        if (value instanceof String && name.indexOf('.') < 0 && !latin1((String) value)) {
            throw new AssertionError("SPEC 2: environ " + name + " must be ISO-8859-1 text (one char per byte),"
                    + " got " + quote((String) value));
        }
    }

    private static void type(String key, Object value, Class<?> type) {
        if (value != null && !type.isInstance(value)) {
            throw new AssertionError("SPEC 2: environ " + key + " must be a " + type.getName() + ", got "
                    + describe(value));
        }
    }

    /** The values SPEC 2 fixes, once the types are known right. */
    private static void values(Map<String, Object> environ) {
        String method = (String) environ.get(Environ.REQUEST_METHOD);
        if (!ResponseRules.isToken(method)) {
            throw bad(Environ.REQUEST_METHOD, "a method token (never empty)", method);
        }
        String scriptName = (String) environ.get(Environ.SCRIPT_NAME);
        if (!scriptName.isEmpty() && !scriptName.startsWith("/")) {
            throw bad(Environ.SCRIPT_NAME, "\"\" or begin with \"/\"", scriptName);
        }
        String pathInfo = (String) environ.get(Environ.PATH_INFO);
        if (!pathInfo.isEmpty() && !pathInfo.startsWith("/") && !pathInfo.equals("*")) {
            throw bad(Environ.PATH_INFO, "\"\", \"*\" or begin with \"/\"", pathInfo);
        }
        String contentLength = (String) environ.get(Environ.CONTENT_LENGTH);
        if (contentLength != null && !digits(contentLength)) {
            throw bad(Environ.CONTENT_LENGTH, "decimal digits", contentLength);
        }
        String serverName = (String) environ.get(Environ.SERVER_NAME);
        if (serverName.isEmpty()) {
            throw bad(Environ.SERVER_NAME, "non-empty", serverName);
        }
        String serverPort = (String) environ.get(Environ.SERVER_PORT);
        if (!digits(serverPort)) {
            throw bad(Environ.SERVER_PORT, "decimal digits", serverPort);
        }
        String remotePort = (String) environ.get(Environ.REMOTE_PORT);
        if (!remotePort.isEmpty() && !digits(remotePort)) {
            throw bad(Environ.REMOTE_PORT, "decimal digits, or \"\" on a unix socket", remotePort);
        }
        String protocol = (String) environ.get(Environ.SERVER_PROTOCOL);
        if (!protocol.equals("HTTP/1.0") && !protocol.equals("HTTP/1.1")) {
            throw bad(Environ.SERVER_PROTOCOL, "\"HTTP/1.0\" or \"HTTP/1.1\"", protocol);
        }
        Object version = environ.get(Environ.WSGI_VERSION);
        if (!Environ.VERSION.equals(version)) {
            throw new AssertionError("SPEC 2: environ wsgi.version must be [1, 0], got " + version);
        }
        String scheme = (String) environ.get(Environ.WSGI_URL_SCHEME);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw bad(Environ.WSGI_URL_SCHEME, "\"http\" or \"https\"", scheme);
        }
        if (!environ.get(Environ.WSGI_RUN_ONCE).equals(Boolean.FALSE)) {
            throw new AssertionError("SPEC 2: environ wsgi.run_once must be false");
        }
        if (!environ.get(Environ.WSGI_INPUT_TERMINATED).equals(Boolean.TRUE)) {
            throw new AssertionError("SPEC 2: environ wsgi.input_terminated must be true");
        }
    }

    private static AssertionError bad(String key, String expected, String got) {
        return new AssertionError("SPEC 2: environ " + key + " must be " + expected + ", got " + quote(got));
    }


    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static boolean latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Object value) {
        return value == null ? "null" : "a " + value.getClass().getName();
    }
}
