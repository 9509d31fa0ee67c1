package dev.bjoern.undertow;

import dev.bjoern.Environ;
import io.undertow.server.ServerConnection;
import io.undertow.util.HeaderMap;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * environ as a mutable map that costs one array per request. The keys every request has live in fixed
 * slots, filled from a template; the address text (SERVER_NAME, REMOTE_ADDR...), REQUEST_URI with a query
 * and the request headers (HTTP_*) are made when first read, since most applications read few of them; a
 * HashMap holds the headers and whatever middleware adds. Seen from outside it is an ordinary mutable Map.
 */
final class EnvironMap extends AbstractMap<String, Object> {
    static final int REQUEST_METHOD = 0;
    static final int SCRIPT_NAME = 1;
    static final int PATH_INFO = 2;
    static final int QUERY_STRING = 3;
    static final int REQUEST_URI = 4;
    static final int SERVER_NAME = 5;
    static final int SERVER_PORT = 6;
    static final int SERVER_PROTOCOL = 7;
    static final int SERVER_SOFTWARE = 8;
    static final int REMOTE_ADDR = 9;
    static final int REMOTE_PORT = 10;
    static final int WSGI_VERSION = 11;
    static final int WSGI_URL_SCHEME = 12;
    static final int WSGI_INPUT = 13;
    static final int WSGI_ERRORS = 14;
    static final int WSGI_MULTITHREAD = 15;
    static final int WSGI_MULTIPROCESS = 16;
    static final int WSGI_RUN_ONCE = 17;
    static final int WSGI_INPUT_TERMINATED = 18;
    static final int WSGI_FILE_WRAPPER = 19;
    private static final String[] KEYS = new String[20];
    /**
     * Slot numbers by a key's hash, in a table just large enough that no two keys share an entry: finding a
     * key's slot is one hash (cached in the String), one index and one comparison, by identity for the
     * constants applications pass.
     */
    private static final byte[] SLOTS;
    private static final int SLOT_MASK;
    /** Stands for a null value in a slot, where null means "no such key". */
    private static final Object NULL = new Object();
    /** Stands in the address slots until they are first read: most applications never look. */
    private static final Object ADDRESS = new Object();
    /** Stands in the REQUEST_URI slot until it is first read: joined from its parts only then. */
    private static final Object URI = new Object();

    static {
        KEYS[REQUEST_METHOD] = Environ.REQUEST_METHOD;
        KEYS[SCRIPT_NAME] = Environ.SCRIPT_NAME;
        KEYS[PATH_INFO] = Environ.PATH_INFO;
        KEYS[QUERY_STRING] = Environ.QUERY_STRING;
        KEYS[REQUEST_URI] = Environ.REQUEST_URI;
        KEYS[SERVER_NAME] = Environ.SERVER_NAME;
        KEYS[SERVER_PORT] = Environ.SERVER_PORT;
        KEYS[SERVER_PROTOCOL] = Environ.SERVER_PROTOCOL;
        KEYS[SERVER_SOFTWARE] = Environ.SERVER_SOFTWARE;
        KEYS[REMOTE_ADDR] = Environ.REMOTE_ADDR;
        KEYS[REMOTE_PORT] = Environ.REMOTE_PORT;
        KEYS[WSGI_VERSION] = Environ.WSGI_VERSION;
        KEYS[WSGI_URL_SCHEME] = Environ.WSGI_URL_SCHEME;
        KEYS[WSGI_INPUT] = Environ.WSGI_INPUT;
        KEYS[WSGI_ERRORS] = Environ.WSGI_ERRORS;
        KEYS[WSGI_MULTITHREAD] = Environ.WSGI_MULTITHREAD;
        KEYS[WSGI_MULTIPROCESS] = Environ.WSGI_MULTIPROCESS;
        KEYS[WSGI_RUN_ONCE] = Environ.WSGI_RUN_ONCE;
        KEYS[WSGI_INPUT_TERMINATED] = Environ.WSGI_INPUT_TERMINATED;
        KEYS[WSGI_FILE_WRAPPER] = Environ.WSGI_FILE_WRAPPER;
        int size = 32;
        while (!distinct(size)) {
            size *= 2;
        }
        SLOTS = new byte[size];
        SLOT_MASK = size - 1;
        Arrays.fill(SLOTS, (byte) -1);
        for (int i = 0; i < KEYS.length; i++) {
            SLOTS[spread(KEYS[i].hashCode()) & SLOT_MASK] = (byte) i;
        }
    }

    private static boolean distinct(int size) {
        boolean[] taken = new boolean[size];
        for (String key : KEYS) {
            int at = spread(key.hashCode()) & (size - 1);
            if (taken[at]) {
                return false;
            }
            taken[at] = true;
        }
        return true;
    }

    private static int spread(int hash) {
        return hash ^ hash >>> 16;
    }

    private final Object[] slots;
    private Map<String, Object> more;
    private Addresses addresses;
    private ServerConnection connection;
    /** The request headers, until they are first needed as HTTP_* keys in {@link #more}. */
    private HeaderMap headers;
    /** REQUEST_URI's parts until it is first read (see {@link #setRequestUri}). */
    private String uriPrefix;
    private String uriPath;
    private String uriQuery;

    /** A map holding {@code template}'s slots, made by {@link #template()} and filled with {@link #set}. */
    EnvironMap(Object[] template) {
        this.slots = template.clone();
    }

    /** Empty slots, to fill with the values that are the same for every request of a server. */
    static Object[] template() {
        return new Object[KEYS.length];
    }

    /** Fills a slot without looking its key up; {@code value} is not null. */
    void set(int slot, Object value) {
        slots[slot] = value;
    }

    /**
     * SERVER_NAME, SERVER_PORT, REMOTE_ADDR and REMOTE_PORT, made from {@code connection} when one of them
     * is first read. Their text costs more than the rest of environ together.
     */
    void setAddresses(Addresses addresses, ServerConnection connection) {
        this.addresses = addresses;
        this.connection = connection;
        slots[SERVER_NAME] = ADDRESS;
        slots[SERVER_PORT] = ADDRESS;
        slots[REMOTE_ADDR] = ADDRESS;
        slots[REMOTE_PORT] = ADDRESS;
    }

    /**
     * REQUEST_URI, joined when first read: {@code prefix} (an absolute-form target's scheme and authority,
     * or null), {@code path}, and {@code '?'} and {@code query} unless the query is empty.
     */
    void setRequestUri(String prefix, String path, String query) {
        if (prefix == null && query.isEmpty()) {
            slots[REQUEST_URI] = path;
            return;
        }
        uriPrefix = prefix;
        uriPath = path;
        uriQuery = query;
        slots[REQUEST_URI] = URI;
    }

    /**
     * The request headers as HTTP_*, CONTENT_TYPE and CONTENT_LENGTH, put in when any key beyond the slots
     * is first touched: an application that reads no header pays nothing for them.
     */
    void setHeaders(HeaderMap headers) {
        this.headers = headers;
    }

    /** The keys beyond the slots; null while there are none. */
    private Map<String, Object> more() {
        if (headers != null) {
            HeaderMap pending = headers;
            headers = null;
            more = RequestEnviron.headers(pending);
        }
        return more;
    }

    /** Fills an address slot that still waits for its first read. */
    void setAddress(int slot, String text) {
        if (slots[slot] == ADDRESS) {
            slots[slot] = text;
        }
    }

    /** A slot's value as the map shows it: null for absent, else never NULL or ADDRESS. */
    private Object value(int slot) {
        Object value = slots[slot];
        if (value == ADDRESS) {
            addresses.fill(this, connection);
            value = slots[slot];
        } else if (value == URI) {
            String uri = uriQuery.isEmpty() ? uriPath : uriPath + '?' + uriQuery;
            value = slots[slot] = uriPrefix == null ? uri : uriPrefix + uri;
        }
        return value == NULL ? null : value;
    }

    private static int slot(Object key) {
        if (!(key instanceof String)) {
            return -1;
        }
        int slot = SLOTS[spread(key.hashCode()) & SLOT_MASK];
        return slot >= 0 && (KEYS[slot] == key || KEYS[slot].equals(key)) ? slot : -1;
    }

    @Override
    public Object get(Object key) {
        int slot = slot(key);
        if (slot >= 0) {
            return value(slot);
        }
        Map<String, Object> more = more();
        return more == null ? null : more.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        int slot = slot(key);
        if (slot >= 0) {
            return slots[slot] != null;
        }
        Map<String, Object> more = more();
        return more != null && more.containsKey(key);
    }

    @Override
    public Object put(String key, Object value) {
        int slot = slot(key);
        if (slot < 0) {
            if (more() == null) {
                more = new HashMap<>();
            }
            return more.put(key, value);
        }
        Object old = value(slot);
        slots[slot] = value == null ? NULL : value;
        return old;
    }

    @Override
    public Object remove(Object key) {
        int slot = slot(key);
        if (slot < 0) {
            Map<String, Object> more = more();
            return more == null ? null : more.remove(key);
        }
        Object old = value(slot);
        slots[slot] = null;
        return old;
    }

    @Override
    public int size() {
        Map<String, Object> more = more();
        int size = more == null ? 0 : more.size();
        for (Object value : slots) {
            if (value != null) {
                size++;
            }
        }
        return size;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Entries();
            }

            @Override
            public int size() {
                return EnvironMap.this.size();
            }
        };
    }

    /** The filled slots in order, then the other keys. */
    private final class Entries implements Iterator<Entry<String, Object>> {
        private int next = advance(0);
        private int last = -1;
        private Iterator<Entry<String, Object>> rest;

        private int advance(int from) {
            while (from < slots.length && slots[from] == null) {
                from++;
            }
            return from;
        }

        @Override
        public boolean hasNext() {
            if (next < slots.length) {
                return true;
            }
            if (rest == null) {
                Map<String, Object> more = more();
                rest = more == null ? Map.<String, Object>of().entrySet().iterator() : more.entrySet().iterator();
            }
            return rest.hasNext();
        }

        @Override
        public Entry<String, Object> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (next >= slots.length) {
                last = -1;
                return rest.next();
            }
            int slot = last = next;
            next = advance(next + 1);
            return new SimpleEntry<>(KEYS[slot], get(KEYS[slot])) {
                @Override
                public Object setValue(Object value) {
                    put(KEYS[slot], value);
                    return super.setValue(value);
                }
            };
        }

        @Override
        public void remove() {
            if (last >= 0) {
                slots[last] = null;
                last = -1;
            } else if (rest != null) {
                rest.remove();
            } else {
                throw new IllegalStateException("next() was not called");
            }
        }
    }
}
