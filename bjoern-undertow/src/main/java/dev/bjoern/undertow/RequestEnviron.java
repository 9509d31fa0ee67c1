package dev.bjoern.undertow;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Builds environ from an Undertow request, as SPEC.md says. */
final class RequestEnviron {
    static final String SERVER_SOFTWARE = "bjoern-java/" + version();

    /** Header name to environ key, filled as names are seen; bounded so that junk names cannot grow it. */
    private static final Map<HttpString, String> KEYS = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_KEYS = 512;
    /** Marks a header that environ leaves out (a name with '_', CVE-2015-0219). */
    private static final String DROPPED = "";

    private RequestEnviron() {
    }

    /** The slots that are the same for every request of a handler. */
    static Object[] template(PrintStream errors, boolean multithread, boolean multiprocess) {
        Object[] template = EnvironMap.template();
        template[EnvironMap.SERVER_SOFTWARE] = SERVER_SOFTWARE;
        template[EnvironMap.WSGI_VERSION] = Environ.VERSION;
        template[EnvironMap.WSGI_ERRORS] = errors;
        template[EnvironMap.WSGI_MULTITHREAD] = multithread;
        template[EnvironMap.WSGI_MULTIPROCESS] = multiprocess;
        template[EnvironMap.WSGI_RUN_ONCE] = Boolean.FALSE;
        template[EnvironMap.WSGI_INPUT_TERMINATED] = Boolean.TRUE;
        template[EnvironMap.FILE_WRAPPER] = FileWrapper.DEFAULT;
        return template;
    }

    /**
     * @param template from {@link #template}
     * @throws IllegalArgumentException when the path has a malformed percent-escape
     */
    static Map<String, Object> build(HttpServerExchange exchange, Peer peer, InputStream input, Object[] template) {
        EnvironMap environ = new EnvironMap(template);
        environ.set(EnvironMap.REQUEST_METHOD, exchange.getRequestMethod().toString());
        environ.set(EnvironMap.SCRIPT_NAME, path(exchange.getResolvedPath(), peer.decodedWith));
        environ.set(EnvironMap.PATH_INFO, path(exchange.getRelativePath(), peer.decodedWith));
        String query = exchange.getQueryString();
        environ.set(EnvironMap.QUERY_STRING, query);
        environ.set(EnvironMap.REQUEST_URI, query.isEmpty() ? exchange.getRequestURI()
                : exchange.getRequestURI() + '?' + query);
        environ.set(EnvironMap.SERVER_NAME, peer.serverName);
        environ.set(EnvironMap.SERVER_PORT, peer.serverPort);
        environ.set(EnvironMap.SERVER_PROTOCOL, exchange.getProtocol().toString());
        environ.set(EnvironMap.REMOTE_ADDR, peer.remoteAddr);
        environ.set(EnvironMap.REMOTE_PORT, peer.remotePort);
        environ.set(EnvironMap.WSGI_URL_SCHEME, exchange.getRequestScheme());
        environ.set(EnvironMap.WSGI_INPUT, input);
        for (HeaderValues values : exchange.getRequestHeaders()) {
            String key = key(values.getHeaderName());
            if (key != DROPPED) {
                environ.put(key, values.size() == 1 ? values.getFirst() : String.join(", ", values));
            }
        }
        return environ;
    }

    private static String key(HttpString name) {
        String key = KEYS.get(name);
        if (key == null) {
            key = keyOf(name.toString());
            if (KEYS.size() < MAX_CACHED_KEYS) {
                KEYS.put(name, key);
            }
        }
        return key;
    }

    private static String keyOf(String name) {
        if (name.indexOf('_') >= 0) {
            return DROPPED;
        }
        if (Headers.CONTENT_TYPE_STRING.equalsIgnoreCase(name)) {
            return Environ.CONTENT_TYPE;
        }
        if (Headers.CONTENT_LENGTH_STRING.equalsIgnoreCase(name)) {
            return Environ.CONTENT_LENGTH;
        }
        StringBuilder key = new StringBuilder(Environ.HTTP_PREFIX.length() + name.length()).append(Environ.HTTP_PREFIX);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            key.append(c == '-' ? '_' : c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        return key.toString();
    }

    /**
     * PATH_INFO and SCRIPT_NAME carry the path's bytes, percent-decoded, one char per byte (ISO-8859-1),
     * as PEP 3333 says. Our listener leaves the path raw; an Undertow that decoded it (a host that mounts
     * our handler) is undone back to bytes with the charset it used.
     */
    static String path(String path, Charset decodedWith) {
        if (decodedWith != null) {
            for (int i = 0; i < path.length(); i++) {
                if (path.charAt(i) >= 0x80) {
                    return new String(path.getBytes(decodedWith), StandardCharsets.ISO_8859_1);
                }
            }
            return path;
        }
        int escape = path.indexOf('%');
        if (escape < 0) {
            return path;
        }
        StringBuilder decoded = new StringBuilder(path.length()).append(path, 0, escape);
        for (int i = escape; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                int high = i + 2 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(path.charAt(i + 2), 16);
                if (low < 0) {
                    throw new IllegalArgumentException("malformed percent-escape in path \"" + path + "\"");
                }
                decoded.append((char) (high << 4 | low));
                i += 2;
            } else {
                decoded.append(c);
            }
        }
        return decoded.toString();
    }

    private static String version() {
        String version = RequestEnviron.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
