package dev.bjoern.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextAttributeEvent;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.SessionTrackingMode;
import jakarta.servlet.descriptor.JspConfigDescriptor;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.EventListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one servlet context of a {@link ServletApplication}: attributes, init parameters, the default
 * encodings, the session settings and a small MIME table. There are no resources (no WAR), no
 * dispatchers, no other contexts and no registration at run time: those fail naming the feature.
 */
final class BridgeContext implements ServletContext {
    private static final Map<String, String> MIME_TYPES = Map.ofEntries(
            Map.entry("html", "text/html"), Map.entry("htm", "text/html"), Map.entry("txt", "text/plain"),
            Map.entry("css", "text/css"), Map.entry("js", "text/javascript"), Map.entry("mjs", "text/javascript"),
            Map.entry("json", "application/json"), Map.entry("xml", "application/xml"),
            Map.entry("pdf", "application/pdf"), Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"), Map.entry("wasm", "application/wasm"),
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("svg", "image/svg+xml"), Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"), Map.entry("woff", "font/woff"), Map.entry("woff2", "font/woff2"),
            Map.entry("csv", "text/csv"), Map.entry("mp4", "video/mp4"), Map.entry("mp3", "audio/mpeg"));

    private final String contextPath;
    private final PrintStream log;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final Map<String, String> initParameters = new LinkedHashMap<>();
    private final SessionCookieSettings sessionCookie = new SessionCookieSettings();
    private final List<ServletContextAttributeListener> attributeListeners = new ArrayList<>();
    private volatile int sessionTimeoutSeconds = 30 * 60;
    private volatile String requestEncoding;
    private volatile String responseEncoding;
    /** Set once the servlet is initialised: from then on the configuration is fixed. */
    private volatile boolean started;

    BridgeContext(String contextPath, PrintStream log) {
        this.contextPath = contextPath;
        this.log = log;
    }

    void listeners(List<EventListener> listeners) {
        for (EventListener listener : listeners) {
            if (listener instanceof ServletContextAttributeListener) {
                attributeListeners.add((ServletContextAttributeListener) listener);
            }
        }
    }

    void started() {
        started = true;
    }

    private void checkNotStarted(String what) {
        if (started) {
            throw new IllegalStateException(what + " after the servlet context was initialised");
        }
    }

    @Override
    public String getContextPath() {
        return contextPath;
    }

    @Override
    public ServletContext getContext(String uripath) {
        if (uripath != null && (uripath.equals(contextPath) || uripath.startsWith(contextPath + "/"))) {
            return this;
        }
        throw Unsupported.feature("ServletContext.getContext (cross-context access)",
                "share through this context's attributes, or call the other application over HTTP");
    }

    @Override
    public int getMajorVersion() {
        return 6;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    @Override
    public int getEffectiveMajorVersion() {
        return 6;
    }

    @Override
    public int getEffectiveMinorVersion() {
        return 1;
    }

    @Override
    public String getMimeType(String file) {
        int dot = file == null ? -1 : file.lastIndexOf('.');
        return dot < 0 ? null : MIME_TYPES.get(file.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    @Override
    public Set<String> getResourcePaths(String path) {
        return null;
    }

    @Override
    public URL getResource(String path) {
        return null;
    }

    @Override
    public InputStream getResourceAsStream(String path) {
        return null;
    }

    @Override
    public RequestDispatcher getRequestDispatcher(String path) {
        return new RequestDispatcher() {
            @Override
            public void forward(ServletRequest request, ServletResponse response) {
                throw Unsupported.feature("RequestDispatcher.forward",
                        "redirect with sendRedirect, or call the target's code from this servlet");
            }

            @Override
            public void include(ServletRequest request, ServletResponse response) {
                throw Unsupported.feature("RequestDispatcher.include",
                        "write the included content from this servlet");
            }
        };
    }

    /** No named servlets besides ours, and no default servlet: null, as for an unknown name. */
    @Override
    public RequestDispatcher getNamedDispatcher(String name) {
        return null;
    }

    @Override
    public void log(String msg) {
        log.println("bjoern-servlet: " + msg);
    }

    @Override
    public void log(String message, Throwable throwable) {
        log.println("bjoern-servlet: " + message);
        throwable.printStackTrace(log);
    }

    @Override
    public String getRealPath(String path) {
        return null;
    }

    @Override
    public String getServerInfo() {
        return "bjoern-servlet-bridge/0.1";
    }

    @Override
    public String getInitParameter(String name) {
        synchronized (initParameters) {
            return initParameters.get(name);
        }
    }

    @Override
    public Enumeration<String> getInitParameterNames() {
        synchronized (initParameters) {
            return Collections.enumeration(new ArrayList<>(initParameters.keySet()));
        }
    }

    @Override
    public boolean setInitParameter(String name, String value) {
        checkNotStarted("ServletContext.setInitParameter");
        synchronized (initParameters) {
            return initParameters.putIfAbsent(name, value) == null;
        }
    }

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
            removeAttribute(name);
            return;
        }
        Object old = attributes.put(name, value);
        for (ServletContextAttributeListener listener : attributeListeners) {
            if (old == null) {
                listener.attributeAdded(new ServletContextAttributeEvent(this, name, value));
            } else {
                listener.attributeReplaced(new ServletContextAttributeEvent(this, name, old));
            }
        }
    }

    @Override
    public void removeAttribute(String name) {
        Object old = attributes.remove(name);
        if (old != null) {
            for (ServletContextAttributeListener listener : attributeListeners) {
                listener.attributeRemoved(new ServletContextAttributeEvent(this, name, old));
            }
        }
    }

    @Override
    public String getServletContextName() {
        return contextPath.isEmpty() ? "ROOT" : contextPath.substring(1);
    }

    private static UnsupportedOperationException registration(String method) {
        return Unsupported.feature("ServletContext." + method + " (dynamic registration)",
                "register servlets, filters and listeners with ServletApplication.builder");
    }

    @Override
    public ServletRegistration.Dynamic addServlet(String servletName, String className) {
        throw registration("addServlet");
    }

    @Override
    public ServletRegistration.Dynamic addServlet(String servletName, Servlet servlet) {
        throw registration("addServlet");
    }

    @Override
    public ServletRegistration.Dynamic addServlet(String servletName, Class<? extends Servlet> servletClass) {
        throw registration("addServlet");
    }

    @Override
    public ServletRegistration.Dynamic addJspFile(String servletName, String jspFile) {
        throw registration("addJspFile");
    }

    @Override
    public <T extends Servlet> T createServlet(Class<T> clazz) {
        throw registration("createServlet");
    }

    @Override
    public ServletRegistration getServletRegistration(String servletName) {
        return null;
    }

    @Override
    public Map<String, ? extends ServletRegistration> getServletRegistrations() {
        return Map.of();
    }

    @Override
    public FilterRegistration.Dynamic addFilter(String filterName, String className) {
        throw registration("addFilter");
    }

    @Override
    public FilterRegistration.Dynamic addFilter(String filterName, Filter filter) {
        throw registration("addFilter");
    }

    @Override
    public FilterRegistration.Dynamic addFilter(String filterName, Class<? extends Filter> filterClass) {
        throw registration("addFilter");
    }

    @Override
    public <T extends Filter> T createFilter(Class<T> clazz) {
        throw registration("createFilter");
    }

    @Override
    public FilterRegistration getFilterRegistration(String filterName) {
        return null;
    }

    @Override
    public Map<String, ? extends FilterRegistration> getFilterRegistrations() {
        return Map.of();
    }

    @Override
    public SessionCookieConfig getSessionCookieConfig() {
        return sessionCookie;
    }

    @Override
    public void setSessionTrackingModes(Set<SessionTrackingMode> sessionTrackingModes) {
        if (!sessionTrackingModes.equals(Set.of(SessionTrackingMode.COOKIE))) {
            throw Unsupported.feature("session tracking by " + sessionTrackingModes, "track sessions by COOKIE");
        }
    }

    @Override
    public Set<SessionTrackingMode> getDefaultSessionTrackingModes() {
        return Set.of(SessionTrackingMode.COOKIE);
    }

    @Override
    public Set<SessionTrackingMode> getEffectiveSessionTrackingModes() {
        return Set.of(SessionTrackingMode.COOKIE);
    }

    @Override
    public void addListener(String className) {
        throw registration("addListener");
    }

    @Override
    public <T extends EventListener> void addListener(T t) {
        throw registration("addListener");
    }

    @Override
    public void addListener(Class<? extends EventListener> listenerClass) {
        throw registration("addListener");
    }

    @Override
    public <T extends EventListener> T createListener(Class<T> clazz) {
        throw registration("createListener");
    }

    @Override
    public JspConfigDescriptor getJspConfigDescriptor() {
        return null;
    }

    @Override
    public ClassLoader getClassLoader() {
        return Thread.currentThread().getContextClassLoader();
    }

    @Override
    public void declareRoles(String... roleNames) {
    }

    @Override
    public String getVirtualServerName() {
        return "bjoern";
    }

    @Override
    public int getSessionTimeout() {
        return sessionTimeoutSeconds / 60;
    }

    /** The sessions' inactivity timeout in seconds; 0 or less: sessions never time out. */
    int sessionTimeoutSeconds() {
        return sessionTimeoutSeconds;
    }

    void sessionTimeoutSeconds(int seconds) {
        sessionTimeoutSeconds = seconds;
    }

    @Override
    public void setSessionTimeout(int sessionTimeout) {
        checkNotStarted("ServletContext.setSessionTimeout");
        sessionTimeoutSeconds = sessionTimeout * 60;
    }

    @Override
    public String getRequestCharacterEncoding() {
        return requestEncoding;
    }

    @Override
    public void setRequestCharacterEncoding(String encoding) {
        checkNotStarted("ServletContext.setRequestCharacterEncoding");
        requestEncoding = encoding;
    }

    @Override
    public String getResponseCharacterEncoding() {
        return responseEncoding;
    }

    @Override
    public void setResponseCharacterEncoding(String encoding) {
        checkNotStarted("ServletContext.setResponseCharacterEncoding");
        responseEncoding = encoding;
    }
}
