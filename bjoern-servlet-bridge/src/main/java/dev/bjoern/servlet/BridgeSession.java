package dev.bjoern.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One in-memory session. Requests of one client may use it from several threads at once. */
final class BridgeSession implements HttpSession {
    private final Sessions sessions;
    private final long creationTime = System.currentTimeMillis();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private volatile String id;
    private volatile long lastAccessedTime = creationTime;
    private volatile int maxInactiveInterval;
    private volatile boolean isNew = true;
    private volatile boolean valid = true;

    BridgeSession(Sessions sessions, String id, int maxInactiveInterval) {
        this.sessions = sessions;
        this.id = id;
        this.maxInactiveInterval = maxInactiveInterval;
    }

    /** A request of this session's client arrived. */
    void access() {
        lastAccessedTime = System.currentTimeMillis();
        isNew = false;
    }

    boolean expired(long now) {
        return maxInactiveInterval > 0 && now - lastAccessedTime > maxInactiveInterval * 1000L;
    }

    boolean isValid() {
        return valid;
    }

    void id(String id) {
        this.id = id;
    }

    private void checkValid(String what) {
        if (!valid) {
            throw new IllegalStateException(what + " on an invalidated session");
        }
    }

    @Override
    public long getCreationTime() {
        checkValid("getCreationTime");
        return creationTime;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public long getLastAccessedTime() {
        checkValid("getLastAccessedTime");
        return lastAccessedTime;
    }

    @Override
    public ServletContext getServletContext() {
        return sessions.context();
    }

    @Override
    public void setMaxInactiveInterval(int interval) {
        maxInactiveInterval = interval;
    }

    @Override
    public int getMaxInactiveInterval() {
        return maxInactiveInterval;
    }

    @Override
    public Object getAttribute(String name) {
        checkValid("getAttribute");
        return attributes.get(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        checkValid("getAttributeNames");
        return Collections.enumeration(new ArrayList<>(attributes.keySet()));
    }

    @Override
    public void setAttribute(String name, Object value) {
        checkValid("setAttribute");
        if (value == null) {
            removeAttribute(name);
            return;
        }
        Object old = attributes.put(name, value);
        if (value instanceof HttpSessionBindingListener && value != old) {
            ((HttpSessionBindingListener) value).valueBound(new HttpSessionBindingEvent(this, name, value));
        }
        if (old instanceof HttpSessionBindingListener && old != value) {
            ((HttpSessionBindingListener) old).valueUnbound(new HttpSessionBindingEvent(this, name, old));
        }
        sessions.attributeChanged(this, name, value, old);
    }

    @Override
    public void removeAttribute(String name) {
        checkValid("removeAttribute");
        Object old = attributes.remove(name);
        if (old != null) {
            if (old instanceof HttpSessionBindingListener) {
                ((HttpSessionBindingListener) old).valueUnbound(new HttpSessionBindingEvent(this, name, old));
            }
            sessions.attributeChanged(this, name, null, old);
        }
    }

    @Override
    public void invalidate() {
        checkValid("invalidate");
        sessions.destroy(this);
    }

    /** Called once by Sessions: listeners have been told; the attributes go. */
    void invalidated() {
        for (String name : new ArrayList<>(attributes.keySet())) {
            removeAttribute(name);
        }
        valid = false;
    }

    @Override
    public boolean isNew() {
        checkValid("isNew");
        return isNew;
    }
}
