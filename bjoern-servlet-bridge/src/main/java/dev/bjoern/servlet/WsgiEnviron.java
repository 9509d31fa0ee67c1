package dev.bjoern.servlet;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

/** The environ of PEP 3333 for a request that a servlet container received, for {@link WsgiServlet}. */
final class WsgiEnviron {
    private WsgiEnviron() {
    }

    static Map<String, Object> of(HttpServletRequest request, PrintStream errors, String serverSoftware)
            throws IOException {
        Map<String, Object> environ = new HashMap<>(64);
        environ.put(Environ.REQUEST_METHOD, request.getMethod());
        paths(request, environ);
        String query = request.getQueryString();
        environ.put(Environ.QUERY_STRING, query == null ? "" : query);
        environ.put(Environ.REQUEST_URI, request.getRequestURI() + (query == null || query.isEmpty() ? "" : "?" + query));
        environ.put(Environ.SERVER_NAME, address(request.getLocalAddr()));
        environ.put(Environ.SERVER_PORT, Integer.toString(request.getLocalPort()));
        environ.put(Environ.SERVER_PROTOCOL, request.getProtocol());
        environ.put(Environ.SERVER_SOFTWARE, serverSoftware);
        environ.put(Environ.REMOTE_ADDR, address(request.getRemoteAddr()));
        environ.put(Environ.REMOTE_PORT, Integer.toString(request.getRemotePort()));
        headers(request, environ);
        environ.put(Environ.WSGI_VERSION, Environ.VERSION);
        environ.put(Environ.WSGI_URL_SCHEME, request.getScheme());
        environ.put(Environ.WSGI_INPUT, request.getInputStream());
        environ.put(Environ.WSGI_ERRORS, errors);
        // A container calls servlets from many threads at once, and the application with them.
        environ.put(Environ.WSGI_MULTITHREAD, Boolean.TRUE);
        environ.put(Environ.WSGI_MULTIPROCESS, Boolean.FALSE);
        environ.put(Environ.WSGI_RUN_ONCE, Boolean.FALSE);
        // The container de-chunks and ends the input stream at the end of the body.
        environ.put(Environ.WSGI_INPUT_TERMINATED, Boolean.TRUE);
        environ.put(Environ.WSGI_FILE_WRAPPER, FileWrapper.DEFAULT);
        return environ;
    }

    /**
     * SCRIPT_NAME is the context path and the servlet path, PATH_INFO the rest, both percent-decoded bytes as
     * Latin-1 text (PEP 3333). The container decoded the servlet path as UTF-8 and may have normalized it;
     * PATH_INFO is therefore cut from the raw request URI when that URI still begins with SCRIPT_NAME, so
     * that bytes which are not UTF-8 survive, and taken from {@code getPathInfo()} otherwise. The default
     * servlet ({@code "/"}) puts the whole path in its servlet path; for a WSGI application mounted there
     * SCRIPT_NAME is the context path alone, as under {@code "/*"}.
     */
    private static void paths(HttpServletRequest request, Map<String, Object> environ) {
        HttpServletMapping mapping = request.getHttpServletMapping();
        boolean asDefault = mapping != null && mapping.getMappingMatch() == MappingMatch.DEFAULT;
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        if (asDefault) {
            pathInfo = servletPath;
            servletPath = "";
        }
        String scriptName = decode(request.getContextPath()) + PathMapping.latin1(servletPath);
        String whole = decode(request.getRequestURI());
        String rest = null;
        if (whole.startsWith(scriptName)) {
            rest = whole.substring(scriptName.length());
            if (!rest.isEmpty() && rest.charAt(0) != '/') {
                rest = null; // a path parameter on the servlet path's last segment: the URI does not split here
            }
        }
        if (rest == null || !rest.isEmpty() && pathInfo == null) {
            rest = pathInfo == null ? "" : PathMapping.latin1(pathInfo); // the container decoded it as UTF-8
        }
        environ.put(Environ.SCRIPT_NAME, scriptName);
        environ.put(Environ.PATH_INFO, rest);
    }

    /** HTTP_* keys, repeated fields joined with ", "; CONTENT_TYPE and CONTENT_LENGTH without the prefix. */
    private static void headers(HttpServletRequest request, Map<String, Object> environ) {
        Enumeration<String> names = request.getHeaderNames();
        while (names != null && names.hasMoreElements()) {
            String name = names.nextElement();
            if (name.indexOf('_') >= 0) {
                continue; // X_Foo must not pose as X-Foo (CVE-2015-0219)
            }
            String key = Environ.headerKey(name);
            if (environ.containsKey(key)) {
                continue; // the same name in another case: getHeaders already gave every field of it
            }
            StringBuilder joined = new StringBuilder();
            for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
                if (joined.length() > 0) {
                    joined.append(", ");
                }
                joined.append(latin1(values.nextElement()));
            }
            environ.put(key, joined.toString());
        }
    }

    /** Percent-escapes to the chars U+0000..U+00FF, as the server's PATH_INFO; a malformed escape is kept. */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        StringBuilder decoded = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            int high;
            int low;
            if (c == '%' && i + 2 < raw.length() && (high = Character.digit(raw.charAt(i + 1), 16)) >= 0
                    && (low = Character.digit(raw.charAt(i + 2), 16)) >= 0) {
                decoded.append((char) (high << 4 | low));
                i += 2;
            } else {
                decoded.append(c);
            }
        }
        return decoded.toString();
    }

    /** A header value as environ's Latin-1 text: unchanged unless the container decoded it as UTF-8. */
    private static String latin1(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return text;
    }

    /** Containers may bracket IPv6 addresses; environ has them bare, as InetAddress.getHostAddress() writes them. */
    private static String address(String address) {
        if (address == null) {
            return "";
        }
        return address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    }
}
