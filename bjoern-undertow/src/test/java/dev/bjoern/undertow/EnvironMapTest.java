package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** environ's map behaves as any mutable Map would: compared here, step by step, with a HashMap. */
class EnvironMapTest {
    private static EnvironMap environ() {
        Object[] template = EnvironMap.template();
        template[EnvironMap.WSGI_RUN_ONCE] = Boolean.FALSE;
        EnvironMap environ = new EnvironMap(template);
        environ.set(EnvironMap.REQUEST_METHOD, "GET");
        environ.put("HTTP_HOST", "example");
        environ.put("HTTP_ACCEPT", "*/*");
        return environ;
    }

    @Test
    void behavesLikeAHashMapOfTheSameEntries() {
        EnvironMap environ = environ();
        Map<String, Object> expected = new HashMap<>(Map.of("REQUEST_METHOD", "GET", "HTTP_HOST", "example",
                "HTTP_ACCEPT", "*/*", "wsgi.run_once", false));
        assertEquals(expected, environ);
        assertEquals(expected.hashCode(), environ.hashCode());
        assertEquals(4, environ.size());

        assertEquals("GET", environ.put("REQUEST_METHOD", "POST"));
        assertNull(environ.put("myapp.user", "ann"));
        assertNull(environ.put("PATH_INFO", null));
        assertTrue(environ.containsKey("PATH_INFO"), "a key put with a null value is present");
        assertNull(environ.get("PATH_INFO"));
        assertEquals("*/*", environ.remove("HTTP_ACCEPT"));
        assertEquals("example", environ.remove("HTTP_HOST"));
        assertFalse(environ.containsKey("HTTP_HOST"));
        assertNull(environ.get("SCRIPT_NAME"));
        assertNull(environ.get(42));

        expected.put("REQUEST_METHOD", "POST");
        expected.put("myapp.user", "ann");
        expected.put("PATH_INFO", null);
        expected.remove("HTTP_ACCEPT");
        expected.remove("HTTP_HOST");
        assertEquals(expected, environ);
        assertEquals(expected, new HashMap<>(environ));
    }

    @Test
    void entriesCanBeChangedAndRemovedWhileIterating() {
        EnvironMap environ = environ();
        for (Iterator<Map.Entry<String, Object>> entries = environ.entrySet().iterator(); entries.hasNext(); ) {
            Map.Entry<String, Object> entry = entries.next();
            if (entry.getKey().equals("REQUEST_METHOD")) {
                entry.setValue("HEAD");
            } else if (entry.getKey().startsWith("HTTP_")) {
                entries.remove();
            }
        }
        assertEquals(Map.of("REQUEST_METHOD", "HEAD", "wsgi.run_once", false), environ);
    }

    @Test
    void requestUriIsJoinedFromItsPartsWhenFirstReadAndReplaceableBefore() {
        EnvironMap environ = environ();
        environ.setRequestUri("http://example", "/p", "q=1");
        assertTrue(environ.containsKey("REQUEST_URI"));
        assertEquals("http://example/p?q=1", environ.get("REQUEST_URI"));
        assertEquals("http://example/p?q=1", new HashMap<>(environ).get("REQUEST_URI"));

        EnvironMap replaced = environ();
        replaced.setRequestUri(null, "/p", "q=1");
        assertEquals("/p?q=1", replaced.put("REQUEST_URI", "/x"), "put answers the value it replaced");
        assertEquals("/x", replaced.get("REQUEST_URI"));

        EnvironMap removed = environ();
        removed.setRequestUri(null, "/p", "");
        assertEquals("/p", removed.remove("REQUEST_URI"));
        assertFalse(removed.containsKey("REQUEST_URI"));
    }

    @Test
    void everySlotKeyIsFoundByAnEqualStringAsByTheConstant() {
        List<String> keys = List.of("REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "REQUEST_URI",
                "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "REMOTE_ADDR", "REMOTE_PORT",
                "wsgi.version", "wsgi.url_scheme", "wsgi.input", "wsgi.errors", "wsgi.multithread",
                "wsgi.multiprocess", "wsgi.run_once", "wsgi.input_terminated", "wsgi.file_wrapper");
        EnvironMap environ = new EnvironMap(EnvironMap.template());
        for (String key : keys) {
            environ.put(new String(key.toCharArray()), "value of " + key);
        }
        environ.put("HTTP_X", "x");
        assertEquals(keys.size() + 1, environ.size());
        for (String key : keys) {
            assertEquals("value of " + key, environ.get(key));
            assertEquals("value of " + key, environ.get(new String(key.toCharArray())));
        }
        assertNull(environ.get("REQUEST_METHOD_"));
        assertFalse(environ.containsKey("wsgi.versions"));
    }
}
