package dev.bjoern;

import java.util.List;

/** The keys of {@code environ}, as SPEC.md lists them, and the constant values it fixes. */
public final class Environ {
    private Environ() {
    }

    public static final String REQUEST_METHOD = "REQUEST_METHOD";
    public static final String SCRIPT_NAME = "SCRIPT_NAME";
    public static final String PATH_INFO = "PATH_INFO";
    public static final String QUERY_STRING = "QUERY_STRING";
    public static final String CONTENT_TYPE = "CONTENT_TYPE";
    public static final String CONTENT_LENGTH = "CONTENT_LENGTH";
    public static final String SERVER_NAME = "SERVER_NAME";
    public static final String SERVER_PORT = "SERVER_PORT";
    public static final String SERVER_PROTOCOL = "SERVER_PROTOCOL";
    public static final String SERVER_SOFTWARE = "SERVER_SOFTWARE";
    public static final String REMOTE_ADDR = "REMOTE_ADDR";
    public static final String REMOTE_PORT = "REMOTE_PORT";
    public static final String REQUEST_URI = "REQUEST_URI";
    /** Request headers are {@code HTTP_} plus the upper-cased name with '-' as '_'. */
    public static final String HTTP_PREFIX = "HTTP_";

    public static final String WSGI_VERSION = "wsgi.version";
    public static final String WSGI_URL_SCHEME = "wsgi.url_scheme";
    public static final String WSGI_INPUT = "wsgi.input";
    public static final String WSGI_ERRORS = "wsgi.errors";
    public static final String WSGI_MULTITHREAD = "wsgi.multithread";
    public static final String WSGI_MULTIPROCESS = "wsgi.multiprocess";
    public static final String WSGI_RUN_ONCE = "wsgi.run_once";
    public static final String WSGI_INPUT_TERMINATED = "wsgi.input_terminated";
    public static final String WSGI_FILE_WRAPPER = "wsgi.file_wrapper";

    /** The value of {@code wsgi.version}: WSGI 1.0, as an immutable list {@code [1, 0]}. */
    public static final List<Integer> VERSION = List.of(1, 0);

    /**
     * The key of a request header in environ (SPEC.md 2): {@link #CONTENT_TYPE} and {@link #CONTENT_LENGTH} for
     * those two, else {@code HTTP_} plus the name with ASCII letters upper-cased and '-' as '_'
     * ({@code "X-Foo-Bar"} gives {@code "HTTP_X_FOO_BAR"}). A server leaves out a header whose name has a '_'.
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
