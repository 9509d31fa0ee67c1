package dev.bjoern.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory session store: ids from SecureRandom, the JSESSIONID cookie (HttpOnly, path = the context
 * path or /), an inactivity timeout checked when a session is looked up and swept at most once a minute
 * when sessions are created, and the session listeners. Sessions live as long as the application; they
 * are not shared between JVMs.
 */
final class Sessions {
    private static final long SWEEP_EVERY_MILLIS = 60_000;

    private final Map<String, BridgeSession> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final BridgeContext context;
    private final List<HttpSessionListener> lifecycle = new ArrayList<>();
    private final List<HttpSessionAttributeListener> attributes = new ArrayList<>();
    private final List<HttpSessionIdListener> ids = new ArrayList<>();
    private volatile long lastSweep = System.currentTimeMillis();

    Sessions(BridgeContext context, List<EventListener> listeners) {
        this.context = context;
        for (EventListener listener : listeners) {
            if (listener instanceof HttpSessionListener) {
                lifecycle.add((HttpSessionListener) listener);
            }
            if (listener instanceof HttpSessionAttributeListener) {
                attributes.add((HttpSessionAttributeListener) listener);
            }
            if (listener instanceof HttpSessionIdListener) {
                ids.add((HttpSessionIdListener) listener);
            }
        }
    }

    ServletContext context() {
        return context;
    }

    String cookieName() {
        return context.getSessionCookieConfig().getName();
    }

    /** The live session with this id, or null (an expired one is destroyed on the way). */
    BridgeSession find(String id) {
        BridgeSession session = sessions.get(id);
        if (session != null && session.expired(System.currentTimeMillis())) {
            destroy(session);
            return null;
        }
        return session;
    }

    BridgeSession create() {
        sweep();
        BridgeSession session = new BridgeSession(this, newId(), context.sessionTimeoutSeconds());
        sessions.put(session.getId(), session);
        HttpSessionEvent event = new HttpSessionEvent(session);
        for (HttpSessionListener listener : lifecycle) {
            listener.sessionCreated(event);
        }
        return session;
    }

    String changeId(BridgeSession session) {
        String old = session.getId();
        String id = newId();
        session.id(id);
        sessions.put(id, session);
        sessions.remove(old, session);
        HttpSessionEvent event = new HttpSessionEvent(session);
        for (HttpSessionIdListener listener : ids) {
            listener.sessionIdChanged(event, old);
        }
        return id;
    }

    void destroy(BridgeSession session) {
        if (sessions.remove(session.getId(), session)) {
            HttpSessionEvent event = new HttpSessionEvent(session);
            for (HttpSessionListener listener : lifecycle) {
                listener.sessionDestroyed(event);
            }
            session.invalidated();
        }
    }

    void destroyAll() {
        for (BridgeSession session : new ArrayList<>(sessions.values())) {
            destroy(session);
        }
    }

    void attributeChanged(BridgeSession session, String name, Object value, Object old) {
        if (attributes.isEmpty()) {
            return;
        }
        for (HttpSessionAttributeListener listener : attributes) {
            if (old == null) {
                listener.attributeAdded(new HttpSessionBindingEvent(session, name, value));
            } else if (value == null) {
                listener.attributeRemoved(new HttpSessionBindingEvent(session, name, old));
            } else {
                listener.attributeReplaced(new HttpSessionBindingEvent(session, name, old));
            }
        }
    }

    /** The session cookie for {@code id}, as the context's SessionCookieConfig says. */
    Cookie cookie(String id, String contextPath) {
        jakarta.servlet.SessionCookieConfig config = context.getSessionCookieConfig();
        Cookie cookie = new Cookie(config.getName(), id);
        cookie.setPath(config.getPath() != null ? config.getPath() : contextPath.isEmpty() ? "/" : contextPath);
        if (config.getDomain() != null) {
            cookie.setDomain(config.getDomain());
        }
        cookie.setHttpOnly(config.isHttpOnly());
        cookie.setSecure(config.isSecure());
        if (config.getMaxAge() >= 0) {
            cookie.setMaxAge(config.getMaxAge());
        }
        config.getAttributes().forEach((name, value) -> {
            if (cookie.getAttribute(name) == null) {
                cookie.setAttribute(name, value);
            }
        });
        return cookie;
    }

    private String newId() {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private void sweep() {
        long now = System.currentTimeMillis();
        if (now - lastSweep < SWEEP_EVERY_MILLIS) {
            return;
        }
        lastSweep = now;
        for (BridgeSession session : sessions.values()) {
            if (session.expired(now)) {
                destroy(session);
            }
        }
    }
}
