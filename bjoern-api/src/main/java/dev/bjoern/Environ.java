package dev.bjoern;

import java.util.List;

/**
 * The keys of {@code environ}, as SPEC.md lists them, and the constant values it fixes. The values of the
 * upper-case (CGI) keys are {@code String}s; SPEC.md section 2 has each key's type and whether it is required.
 */
public final class Environ {
    private Environ() {
    }

    /** The method token exactly as sent ({@code "GET"}); never empty. */
    public static final String REQUEST_METHOD = "REQUEST_METHOD";
    /** The mount prefix, percent-decoded; {@code ""} at the root. */
    public static final String SCRIPT_NAME = "SCRIPT_NAME";
    /** The request path after {@link #SCRIPT_NAME}, percent-decoded to ISO-8859-1 chars. */
    public static final String PATH_INFO = "PATH_INFO";
    /** The text after the first {@code ?} of the target, not decoded; always present, {@code ""} if none. */
    public static final String QUERY_STRING = "QUERY_STRING";
    /** The request's {@code Content-Type} as sent; present only when the request has one. */
    public static final String CONTENT_TYPE = "CONTENT_TYPE";
    /** The request's {@code Content-Length} as sent; present only when the request has one. */
    public static final String CONTENT_LENGTH = "CONTENT_LENGTH";
    /** The connection's local numeric IP ({@code "localhost"} on a unix socket). */
    public static final String SERVER_NAME = "SERVER_NAME";
    /** The connection's local port in decimal ({@code "80"} on a unix socket). */
    public static final String SERVER_PORT = "SERVER_PORT";
    /** The request line's version, {@code "HTTP/1.0"} or {@code "HTTP/1.1"}. */
    public static final String SERVER_PROTOCOL = "SERVER_PROTOCOL";
    /** The server's name and version ({@code "bjoern-java/0.1.0"}). */
    public static final String SERVER_SOFTWARE = "SERVER_SOFTWARE";
    /** The peer's numeric IP; {@code ""} on a unix socket. */
    public static final String REMOTE_ADDR = "REMOTE_ADDR";
    /** The peer's port in decimal; {@code ""} on a unix socket. */
    public static final String REMOTE_PORT = "REMOTE_PORT";
    /** The request target as received, not decoded (path, then {@code ?} and the query if non-empty). */
    public static final String REQUEST_URI = "REQUEST_URI";
    /** Request headers are {@code HTTP_} plus the upper-cased name with '-' as '_'. */
    public static final String HTTP_PREFIX = "HTTP_";

    /** {@code wsgi.version}: always {@link #VERSION}. */
    public static final String WSGI_VERSION = "wsgi.version";
    /** {@code wsgi.url_scheme}: {@code "http"}, or {@code "https"} on a TLS listener of a host Undertow. */
    public static final String WSGI_URL_SCHEME = "wsgi.url_scheme";
    /** {@code wsgi.input}: an {@code InputStream} over the whole request body, read before the call. */
    public static final String WSGI_INPUT = "wsgi.input";
    /** {@code wsgi.errors}: the server's error stream, a {@code PrintStream} the application must not close. */
    public static final String WSGI_ERRORS = "wsgi.errors";
    /** {@code wsgi.multithread}: a {@code Boolean}, true when the app may be called on several threads at once. */
    public static final String WSGI_MULTITHREAD = "wsgi.multithread";
    /** {@code wsgi.multiprocess}: a {@code Boolean}, true when other processes serve the same application. */
    public static final String WSGI_MULTIPROCESS = "wsgi.multiprocess";
    /** {@code wsgi.run_once}: {@code Boolean.FALSE}. */
    public static final String WSGI_RUN_ONCE = "wsgi.run_once";
    /** {@code wsgi.input_terminated}: {@code Boolean.TRUE}; reading {@code wsgi.input} to its end is safe. */
    public static final String WSGI_INPUT_TERMINATED = "wsgi.input_terminated";
    /** {@code wsgi.file_wrapper}: a {@link FileWrapper}, {@link FileWrapper#DEFAULT}. */
    public static final String WSGI_FILE_WRAPPER = "wsgi.file_wrapper";

    /** The value of {@code wsgi.version}: WSGI 1.0, as an immutable list {@code [1, 0]}. */
    public static final List<Integer> VERSION = List.of(1, 0);

    /**
     * The key of a request header in environ (SPEC.md 2): {@link #CONTENT_TYPE} and {@link #CONTENT_LENGTH} for
     * those two, else {@code HTTP_} plus the name with ASCII letters upper-cased and '-' as '_'
     * ({@code "X-Foo-Bar"} gives {@code "HTTP_X_FOO_BAR"}). A server leaves out a header whose name has a '_'.
     *
     * @param name a request header's name, as received
     * @return its key in environ
     */
    public static String headerKey(String name) {
        if (name.equalsIgnoreCase("Content-Type")) {
            return CONTENT_TYPE;
        }
        if (name.equalsIgnoreCase("Content-Length")) {
            return CONTENT_LENGTH;
        }
        StringBuilder key = new StringBuilder(HTTP_PREFIX.length() + name.length()).append(HTTP_PREFIX);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            key.append(c == '-' ? '_' : c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        return key.toString();
    }
}
