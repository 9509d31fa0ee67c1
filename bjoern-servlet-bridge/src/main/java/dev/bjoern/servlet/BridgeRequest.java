package dev.bjoern.servlet;

import dev.bjoern.Environ;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.security.Principal;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The servlet's request, read from a copy of environ taken on the server's thread: paths by
 * {@link PathMapping}, headers from the HTTP_* keys, parameters from the query and a form body, the body
 * from wsgi.input.
 */
final class BridgeRequest implements HttpServletRequest {
    private static final String SECURITY = "authenticate in a filter of the application, as Spring Security does";
    private final ServletCall call;
    private final ServletApplication app;
    private final Map<String, Object> environ;
    private PathMapping.Paths paths;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final String requestId;
    private DispatcherType dispatcherType = DispatcherType.REQUEST;
    private String characterEncoding;
    private Map<String, String[]> parameters;
    private List<Part> parts;
    private RequestInput input;
    private BufferedReader reader;
    private Cookie[] cookies;
    private BridgeSession session;
    private String requestedSessionId;
    private boolean requestedSessionIdRead;

    BridgeRequest(ServletCall call, Map<String, Object> environ, PathMapping.Paths paths) {
        this.call = call;
        this.app = call.app;
        this.environ = environ;
        this.paths = paths;
        this.requestId = Long.toString(app.requestIds.incrementAndGet());
    }

    private String env(String key) {
        Object value = environ.get(key);
        return value == null ? null : value.toString();
    }

    void dispatcherType(DispatcherType type) {
        dispatcherType = type;
    }

    /** An async dispatch: to {@code path} when given (the original paths become attributes), else as it was. */
    void asyncDispatch(String path) {
        if (path == null) {
            return;
        }
        if (getAttribute(AsyncContext.ASYNC_REQUEST_URI) == null) {
            setAttribute(AsyncContext.ASYNC_REQUEST_URI, paths.requestUri());
            setAttribute(AsyncContext.ASYNC_CONTEXT_PATH, paths.contextPath());
            setAttribute(AsyncContext.ASYNC_SERVLET_PATH, paths.servletPath());
            setAttribute(AsyncContext.ASYNC_PATH_INFO, paths.pathInfo());
            setAttribute(AsyncContext.ASYNC_QUERY_STRING, getQueryString());
            setAttribute(AsyncContext.ASYNC_MAPPING, getHttpServletMapping());
        }
        int query = path.indexOf('?');
        paths = app.mapping.within(paths, query < 0 ? path : path.substring(0, query));
    }

    // ---- paths

    @Override
    public String getMethod() {
        return env(Environ.REQUEST_METHOD);
    }

    @Override
    public String getRequestURI() {
        return paths.requestUri();
    }

    @Override
    public StringBuffer getRequestURL() {
        StringBuffer url = new StringBuffer(getScheme()).append("://");
        String host = env("HTTP_HOST");
        if (host != null && !host.isEmpty()) {
            url.append(host);
        } else {
            String name = env(Environ.SERVER_NAME);
            url.append(name != null && name.indexOf(':') >= 0 ? "[" + name + "]" : name);
            url.append(':').append(env(Environ.SERVER_PORT));
        }
        return url.append(getRequestURI());
    }

    @Override
    public String getContextPath() {
        return paths.contextPath();
    }

    @Override
    public String getServletPath() {
        return paths.servletPath();
    }

    @Override
    public String getPathInfo() {
        return paths.pathInfo();
    }

    @Override
    public String getPathTranslated() {
        return null;
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
        return app.mapping.mapping(app.servletName, paths);
    }

    @Override
    public String getQueryString() {
        String query = env(Environ.QUERY_STRING);
        return query == null || query.isEmpty() ? null : query;
    }

    // ---- headers

    /** The environ key of a header: CONTENT_TYPE, CONTENT_LENGTH, or HTTP_ and the name upper-cased. */
    @Override
    public String getHeader(String name) {
        return name == null ? null : env(Environ.headerKey(name));
    }

    /** A repeated header arrives as one value joined with ", " (the contract joins them): one element. */
    @Override
    public Enumeration<String> getHeaders(String name) {
        String value = getHeader(name);
        return Collections.enumeration(value == null ? List.of() : List.of(value));
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = new ArrayList<>();
        for (String key : environ.keySet()) {
            if (key.startsWith(Environ.HTTP_PREFIX)) {
                names.add(headerName(key.substring(Environ.HTTP_PREFIX.length())));
            } else if (key.equals(Environ.CONTENT_TYPE)) {
                names.add("Content-Type");
            } else if (key.equals(Environ.CONTENT_LENGTH)) {
                names.add("Content-Length");
            }
        }
        return Collections.enumeration(names);
    }

    /** ACCEPT_LANGUAGE becomes Accept-Language. */
    private static String headerName(String key) {
        StringBuilder name = new StringBuilder(key.length());
        boolean upper = true;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '_') {
                name.append('-');
                upper = true;
            } else {
                name.append(upper ? c : Character.toLowerCase(c));
                upper = false;
            }
        }
        return name.toString();
    }

    @Override
    public long getDateHeader(String name) {
        String value = getHeader(name);
        if (value == null) {
            return -1;
        }
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("header " + name + " is not an HTTP date: \"" + value + "\"");
        }
    }

    @Override
    public int getIntHeader(String name) {
        String value = getHeader(name);
        return value == null ? -1 : Integer.parseInt(value.trim());
    }

    @Override
    public String getContentType() {
        return env(Environ.CONTENT_TYPE);
    }

    @Override
    public int getContentLength() {
        long length = getContentLengthLong();
        return length > Integer.MAX_VALUE ? -1 : (int) length;
    }

    @Override
    public long getContentLengthLong() {
        String length = env(Environ.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public Cookie[] getCookies() {
        Cookie[] all = cookies();
        return all.length == 0 ? null : all.clone();
    }

    /** The request's cookies, parsed once; empty when it has none. */
    private Cookie[] cookies() {
        if (cookies == null) {
            cookies = HeaderValues.cookies(env("HTTP_COOKIE"));
        }
        return cookies;
    }

    @Override
    public Locale getLocale() {
        return getLocales().nextElement();
    }

    @Override
    public Enumeration<Locale> getLocales() {
        return Collections.enumeration(HeaderValues.locales(env("HTTP_ACCEPT_LANGUAGE")));
    }

    // ---- encoding, parameters, body

    @Override
    public String getCharacterEncoding() {
        if (characterEncoding != null) {
            return characterEncoding;
        }
        String fromType = HeaderValues.charset(getContentType());
        return fromType != null ? fromType : app.context.getRequestCharacterEncoding();
    }

    @Override
    public void setCharacterEncoding(String encoding) throws UnsupportedEncodingException {
        if (parameters != null || reader != null) {
            return; // too late, as the spec says: ignored
        }
        if (encoding != null) {
            try {
                Charset.forName(encoding);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                throw new UnsupportedEncodingException(encoding);
            }
        }
        characterEncoding = encoding;
    }

    private Charset charset() {
        String encoding = getCharacterEncoding();
        try {
            return encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    private Map<String, String[]> parameters() {
        if (parameters == null) {
            Map<String, List<String>> all = Parameters.newMap();
            Parameters.parse(getQueryString(), StandardCharsets.UTF_8, all);
            String type = getContentType();
            // Servlet 6.1, 3.1.1: only a POST's body holds parameters.
            String mediaType = type == null || !"POST".equals(getMethod()) ? "" : type.toLowerCase(Locale.ROOT);
            if (mediaType.startsWith("application/x-www-form-urlencoded") && input == null && reader == null) {
                try {
                    byte[] body = input().readAllBytes();
                    Parameters.parse(new String(body, StandardCharsets.ISO_8859_1), charset(), all);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            } else if (mediaType.startsWith("multipart/form-data") && (parts != null || input == null && reader == null)) {
                addFormFields(all);
            }
            Map<String, String[]> map = new LinkedHashMap<>();
            all.forEach((name, values) -> map.put(name, values.toArray(new String[0])));
            parameters = Collections.unmodifiableMap(map);
        }
        return parameters;
    }

    /**
     * The text fields of a form upload, which are parameters too (Spring reads them so): in the part's own
     * charset, else the request's, else UTF-8, what browsers send.
     */
    private void addFormFields(Map<String, List<String>> all) {
        try {
            for (Part part : getParts()) {
                if (part.getSubmittedFileName() != null) {
                    continue;
                }
                String charset = HeaderValues.charset(part.getContentType());
                if (charset == null) {
                    charset = getCharacterEncoding();
                }
                try (InputStream in = part.getInputStream()) {
                    all.computeIfAbsent(part.getName(), n -> new ArrayList<>(1))
                            .add(new String(in.readAllBytes(), charset == null ? "UTF-8" : charset));
                }
            }
        } catch (IOException | ServletException e) {
            throw new IllegalStateException("multipart/form-data parameters: " + e.getMessage(), e);
        }
    }

    @Override
    public String getParameter(String name) {
        String[] values = parameters().get(name);
        return values == null ? null : values[0];
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(parameters().keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        String[] values = parameters().get(name);
        return values == null ? null : values.clone();
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return parameters();
    }

    private RequestInput input() {
        if (input == null) {
            Object body = environ.get(Environ.WSGI_INPUT);
            input = new RequestInput(body instanceof InputStream ? (InputStream) body : InputStream.nullInputStream());
        }
        return input;
    }

    @Override
    public ServletInputStream getInputStream() {
        if (reader != null) {
            throw new IllegalStateException("getInputStream after getReader was called on this request");
        }
        return input();
    }

    @Override
    public BufferedReader getReader() {
        if (reader == null) {
            if (input != null) {
                throw new IllegalStateException("getReader after getInputStream was called on this request");
            }
            reader = new BufferedReader(new InputStreamReader(input(), charset()));
        }
        return reader;
    }

    @Override
    public Collection<Part> getParts() throws IOException, ServletException {
        if (parts == null) {
            String type = getContentType();
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
                throw new ServletException("getParts needs a multipart/form-data request, got Content-Type "
                        + (type == null ? "none" : "\"" + type + "\""));
            }
            if (app.multipart == null) {
                throw new IllegalStateException("getParts: multipart is off; turn it on with"
                        + " ServletApplication.builder(...).multipart(...)");
            }
            parts = Multipart.parse(input(), type, app.multipart);
        }
        return parts;
    }

    /** The parts getParts() made, whose temporary files go when the call ends; empty if it was not asked. */
    List<Part> parsedParts() {
        return parts == null ? List.of() : parts;
    }

    @Override
    public Part getPart(String name) throws IOException, ServletException {
        for (Part part : getParts()) {
            if (part.getName().equals(name)) {
                return part;
            }
        }
        return null;
    }

    // ---- attributes

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        return Collections.enumeration(new ArrayList<>(attributes.keySet()));
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    @Override
    public void removeAttribute(String name) {
        attributes.remove(name);
    }

    // ---- connection

    @Override
    public String getProtocol() {
        return env(Environ.SERVER_PROTOCOL);
    }

    @Override
    public String getScheme() {
        String scheme = env(Environ.WSGI_URL_SCHEME);
        return scheme == null ? "http" : scheme;
    }

    @Override
    public boolean isSecure() {
        return "https".equals(getScheme());
    }

    @Override
    public String getServerName() {
        String host = env("HTTP_HOST");
        if (host == null || host.isEmpty()) {
            return env(Environ.SERVER_NAME);
        }
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    @Override
    public int getServerPort() {
        String host = env("HTTP_HOST");
        if (host == null || host.isEmpty()) {
            return port(env(Environ.SERVER_PORT));
        }
        int colon = host.lastIndexOf(':');
        if (colon > host.lastIndexOf(']')) {
            return port(host.substring(colon + 1));
        }
        return isSecure() ? 443 : 80;
    }

    private static int port(String port) {
        try {
            return port == null ? -1 : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String getRemoteAddr() {
        return env(Environ.REMOTE_ADDR);
    }

    @Override
    public String getRemoteHost() {
        return getRemoteAddr();
    }

    @Override
    public int getRemotePort() {
        return port(env(Environ.REMOTE_PORT));
    }

    @Override
    public String getLocalName() {
        return env(Environ.SERVER_NAME);
    }

    @Override
    public String getLocalAddr() {
        return env(Environ.SERVER_NAME);
    }

    @Override
    public int getLocalPort() {
        return port(env(Environ.SERVER_PORT));
    }

    @Override
    public String getRequestId() {
        return requestId;
    }

    @Override
    public String getProtocolRequestId() {
        return "";
    }

    @Override
    public ServletConnection getServletConnection() {
        String id = getRemoteAddr() + ":" + getRemotePort();
        boolean secure = isSecure();
        String protocol = getProtocol();
        return new ServletConnection() {
            @Override
            public String getConnectionId() {
                return id;
            }

            @Override
            public String getProtocol() {
                return "HTTP/1.0".equals(protocol) ? "http/1.0" : "http/1.1";
            }

            @Override
            public String getProtocolConnectionId() {
                return "";
            }

            @Override
            public boolean isSecure() {
                return secure;
            }
        };
    }

    @Override
    public ServletContext getServletContext() {
        return app.context;
    }

    @Override
    public DispatcherType getDispatcherType() {
        return dispatcherType;
    }

    // ---- sessions

    @Override
    public HttpSession getSession() {
        return getSession(true);
    }

    @Override
    public HttpSession getSession(boolean create) {
        if (session != null && session.isValid()) {
            return session;
        }
        session = null;
        // Spring asks on every request: without a session cookie this is a map lookup and no more.
        if (getRequestedSessionId() != null) {
            for (Cookie cookie : cookies()) {
                if (cookie.getName().equals(app.sessions.cookieName())) {
                    BridgeSession found = app.sessions.find(cookie.getValue());
                    if (found != null) {
                        found.access();
                        session = found;
                        return found;
                    }
                }
            }
        }
        if (!create) {
            return null;
        }
        if (call.response.isCommitted()) {
            throw new IllegalStateException("getSession(true) after the response was committed: the session"
                    + " cookie can no longer be sent");
        }
        session = app.sessions.create();
        call.response.addCookie(app.sessions.cookie(session.getId(), getContextPath()));
        return session;
    }

    @Override
    public String changeSessionId() {
        HttpSession current = getSession(false);
        if (current == null) {
            throw new IllegalStateException("changeSessionId: this request has no session");
        }
        String id = app.sessions.changeId(session);
        call.response.addCookie(app.sessions.cookie(id, getContextPath()));
        return id;
    }

    @Override
    public String getRequestedSessionId() {
        if (!requestedSessionIdRead) {
            requestedSessionIdRead = true;
            for (Cookie cookie : cookies()) {
                if (cookie.getName().equals(app.sessions.cookieName())) {
                    requestedSessionId = cookie.getValue();
                    break;
                }
            }
        }
        return requestedSessionId;
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        String id = getRequestedSessionId();
        return id != null && app.sessions.find(id) != null;
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        return getRequestedSessionId() != null;
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
        return false;
    }

    // ---- async

    @Override
    public AsyncContext startAsync() {
        return call.startAsync(this, call.response);
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        return call.startAsync(request, response);
    }

    @Override
    public boolean isAsyncStarted() {
        return call.isAsyncStarted();
    }

    @Override
    public boolean isAsyncSupported() {
        return app.async;
    }

    @Override
    public AsyncContext getAsyncContext() {
        return call.asyncContext();
    }

    // ---- security and the rest: not here

    @Override
    public String getAuthType() {
        return null;
    }

    @Override
    public String getRemoteUser() {
        return null;
    }

    @Override
    public boolean isUserInRole(String role) {
        return false;
    }

    @Override
    public Principal getUserPrincipal() {
        return null;
    }

    @Override
    public boolean authenticate(HttpServletResponse response) throws ServletException {
        throw new ServletException(Unsupported.message("HttpServletRequest.authenticate (container security)",
                SECURITY));
    }

    @Override
    public void login(String username, String password) throws ServletException {
        throw new ServletException(Unsupported.message("HttpServletRequest.login (container security)", SECURITY));
    }

    @Override
    public void logout() throws ServletException {
        throw new ServletException(Unsupported.message("HttpServletRequest.logout (container security)", SECURITY));
    }

    @Override
    public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) {
        throw Unsupported.feature("HttpServletRequest.upgrade (protocol upgrade)",
                "serve WebSocket with an Undertow handler mounted beside WsgiHandler");
    }

    @Override
    public RequestDispatcher getRequestDispatcher(String path) {
        return app.context.getRequestDispatcher(path);
    }
}
