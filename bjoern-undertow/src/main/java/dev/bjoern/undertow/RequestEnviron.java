package dev.bjoern.undertow;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/** Builds environ from an Undertow request, as SPEC.md 2 and PROFILE.md 2 say. */
final class RequestEnviron {
    /** This build's version, from version.properties: {@code 0.1.0}. */
    static final String VERSION = version();
    static final String SERVER_SOFTWARE = "bjoern-java/" + VERSION;

    /** Header name to environ key, filled as names are seen; bounded so that junk names cannot grow it. */
    private static final Map<HttpString, String> KEYS = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_KEYS = 512;
    /** Marks a header that environ leaves out (a name with '_', CVE-2015-0219). */
    private static final String DROPPED = "";

    private RequestEnviron() {
    }

    /** The slots that are the same for every request of a handler. */
    static Object[] template(PrintStream errors, boolean multithread, boolean multiprocess, InputStream noBody) {
        Object[] template = EnvironMap.template();
        template[EnvironMap.SERVER_SOFTWARE] = SERVER_SOFTWARE;
        template[EnvironMap.WSGI_VERSION] = Environ.VERSION;
        template[EnvironMap.WSGI_ERRORS] = errors;
        template[EnvironMap.WSGI_MULTITHREAD] = multithread;
        template[EnvironMap.WSGI_MULTIPROCESS] = multiprocess;
        template[EnvironMap.WSGI_RUN_ONCE] = Boolean.FALSE;
        template[EnvironMap.WSGI_INPUT_TERMINATED] = Boolean.TRUE;
        template[EnvironMap.WSGI_FILE_WRAPPER] = FileWrapper.DEFAULT;
        // Replaced by the body when the request has one.
        template[EnvironMap.WSGI_INPUT] = noBody;
        return template;
    }

    /**
     * @param template from {@link #template}
     * @param targetPrefix the scheme and authority taken out of an absolute-form target before Undertow
     *     parsed it, or null
     * @throws IllegalArgumentException when the path has a malformed percent-escape
     */
    static Map<String, Object> build(HttpServerExchange exchange, Addresses addresses, Object[] template,
            String targetPrefix) {
        EnvironMap environ = new EnvironMap(template);
        environ.set(EnvironMap.REQUEST_METHOD, exchange.getRequestMethod().toString());
        Charset decodedWith = addresses.decodedWith(exchange.getConnection());
        String scriptName = scriptName(exchange.getResolvedPath(), decodedWith);
        environ.set(EnvironMap.SCRIPT_NAME, scriptName);
        environ.set(EnvironMap.PATH_INFO, pathInfo(exchange, scriptName, decodedWith));
        String query = exchange.getQueryString();
        environ.set(EnvironMap.QUERY_STRING, query);
        environ.setRequestUri(targetPrefix, exchange.getRequestURI(), query);
        environ.set(EnvironMap.SERVER_PROTOCOL, exchange.getProtocol().toString());
        environ.setAddresses(addresses, exchange.getConnection());
        environ.set(EnvironMap.WSGI_URL_SCHEME, exchange.getRequestScheme());
        environ.setHeaders(exchange.getRequestHeaders());
        return environ;
    }

    /** The request headers as environ keys: HTTP_*, CONTENT_TYPE, CONTENT_LENGTH. */
    static Map<String, Object> headers(HeaderMap headers) {
        Map<String, Object> keys = new HashMap<>();
        for (long at = headers.fastIterateNonEmpty(); at != -1L; at = headers.fiNextNonEmpty(at)) {
            HeaderValues values = headers.fiCurrent(at);
            String key = key(values.getHeaderName());
            if (key != DROPPED) {
                keys.put(key, values.size() == 1 ? values.getFirst() : String.join(", ", values));
            }
        }
        return keys;
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
        return Environ.headerKey(name);
    }

    /*
     * SCRIPT_NAME and PATH_INFO carry the path's bytes, percent-decoded, one char per byte (ISO-8859-1), as
     * PEP 3333 says. PATH_INFO is decoded here from the raw request target, so that every byte and every
     * ";parameter" survives even where the listener has decoded the path or cut parameters out of it (a host
     * Undertow that mounts our handler decodes UTF-8 and keeps %2F). SCRIPT_NAME is the mount prefix as the
     * listener matched it.
     */

    private static String scriptName(String resolvedPath, Charset decodedWith) {
        if (resolvedPath.isEmpty()) {
            return resolvedPath;
        }
        return asBytes(resolvedPath, decodedWith);
    }

    private static String pathInfo(HttpServerExchange exchange, String scriptName, Charset decodedWith) {
        String path = decode(rawPath(exchange.getRequestURI()));
        if (path.startsWith(scriptName)) {
            return path.substring(scriptName.length());
        }
        // The host matched a prefix we cannot find in the raw target: trust its remainder.
        return asBytes(exchange.getRelativePath(), decodedWith);
    }

    /** A path the listener matched, as environ carries it: decoded by us, or undone from its charset. */
    private static String asBytes(String path, Charset decodedWith) {
        return decodedWith == null ? decode(path) : new String(path.getBytes(decodedWith), StandardCharsets.ISO_8859_1);
    }

    /** The path of a request target: origin-form as is; absolute-form less its scheme and authority. */
    private static String rawPath(String target) {
        if (target.isEmpty() || target.charAt(0) == '/') {
            return target;
        }
        int authority = target.indexOf("://");
        if (authority < 0) {
            return target;
        }
        int path = target.indexOf('/', authority + 3);
        return path < 0 ? "" : target.substring(path);
    }

    /**
     * Percent-decodes, each escape to the char of its byte value; {@code +} stays {@code +}.
     *
     * @throws IllegalArgumentException for a malformed escape
     */
    static String decode(String path) {
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
        Properties properties = new Properties();
        try (InputStream in = RequestEnviron.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("bjoern-undertow is missing its version.properties");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }
}
