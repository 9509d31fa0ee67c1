package dev.bjoern.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected values are what CPython 3.11's wsgiref.util returns for the same environ. */
class EnvironsTest {
    static Map<String, Object> environ(String... keysAndValues) {
        Map<String, Object> environ = new HashMap<>();
        environ.put("wsgi.url_scheme", "http");
        environ.put("SERVER_NAME", "10.0.0.1");
        environ.put("SERVER_PORT", "80");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            environ.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return environ;
    }

    @Test
    void leavesOutTheSchemesDefaultPort() {
        assertEquals("http://10.0.0.1/", Environs.applicationUri(environ()));
        assertEquals("http://10.0.0.1:8080/", Environs.applicationUri(environ("SERVER_PORT", "8080")));
        assertEquals("https://10.0.0.1/",
                Environs.applicationUri(environ("wsgi.url_scheme", "https", "SERVER_PORT", "443")));
        assertEquals("https://10.0.0.1:80/", Environs.applicationUri(environ("wsgi.url_scheme", "https")));
    }

    @Test
    void prefersTheHostHeaderToServerNameAndPort() {
        assertEquals("http://example.com:8443/",
                Environs.applicationUri(environ("HTTP_HOST", "example.com:8443", "SERVER_PORT", "1")));
        assertEquals("http://10.0.0.1/", Environs.applicationUri(environ("HTTP_HOST", "")));
    }

    @Test
    void bracketsAnIpv6ServerName() {
        assertEquals("http://[::1]:8000/", Environs.applicationUri(environ("SERVER_NAME", "::1", "SERVER_PORT", "8000")));
        assertEquals("http://[::1]/", Environs.applicationUri(environ("SERVER_NAME", "[::1]")));
    }

    @Test
    void quotesScriptNameAndPathInfo() {
        Map<String, Object> environ = environ("SCRIPT_NAME", "/my app", "PATH_INFO", "/a b/c;d=e,f/\u00e9?#%",
                "QUERY_STRING", "q=a+b%20");
        assertEquals("http://10.0.0.1/my%20app", Environs.applicationUri(environ));
        assertEquals("http://10.0.0.1/my%20app/a%20b/c;d=e,f/%E9%3F%23%25?q=a+b%20",
                Environs.requestUri(environ, true));
        assertEquals("http://10.0.0.1/my%20app/a%20b/c;d=e,f/%E9%3F%23%25", Environs.requestUri(environ, false));
        assertEquals("http://10.0.0.1/s%3Bx%3D1", Environs.applicationUri(environ("SCRIPT_NAME", "/s;x=1")));
        assertEquals("http://10.0.0.1/x~y_z.-", Environs.requestUri(environ("PATH_INFO", "/x~y_z.-"), true));
    }

    @Test
    void joinsAnEmptyScriptNameAndPathInfoWithOneSlash() {
        assertEquals("http://10.0.0.1/", Environs.requestUri(environ("SCRIPT_NAME", "", "PATH_INFO", ""), true));
        assertEquals("http://10.0.0.1/", Environs.requestUri(environ("PATH_INFO", "/"), true));
        assertEquals("http://10.0.0.1/a/b", Environs.requestUri(environ("PATH_INFO", "/a/b"), true));
        assertEquals("http://10.0.0.1/s", Environs.requestUri(environ("SCRIPT_NAME", "/s", "PATH_INFO", ""), true));
        assertEquals("http://10.0.0.1/s/", Environs.requestUri(environ("SCRIPT_NAME", "/s", "PATH_INFO", "/"), true));
    }

    @Test
    void leavesOutAnEmptyQuery() {
        assertEquals("http://10.0.0.1/a", Environs.requestUri(environ("PATH_INFO", "/a", "QUERY_STRING", ""), true));
    }

    @Test
    void refusesAnEnvironWithoutScheme() {
        Map<String, Object> environ = environ();
        environ.remove("wsgi.url_scheme");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Environs.applicationUri(environ));
        assertEquals("environ must have a non-empty wsgi.url_scheme, as PEP 3333 requires", e.getMessage());
    }

    @Test
    void refusesTextBeyondIso88591() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Environs.requestUri(environ("PATH_INFO", "/\u20ac"), false));
        assertEquals("environ text must be ISO-8859-1 chars (SPEC.md 2), got \"/\u20ac\"", e.getMessage());
    }

    /** Shifts once; returns the segment, then SCRIPT_NAME and PATH_INFO after, joined with '|'. */
    static String shift(String scriptName, String pathInfo) {
        Map<String, Object> environ = new HashMap<>(Map.of("SCRIPT_NAME", scriptName, "PATH_INFO", pathInfo));
        String name = Environs.shiftPathInfo(environ);
        return name + "|" + environ.get("SCRIPT_NAME") + "|" + environ.get("PATH_INFO");
    }

    @Test
    void shiftsTheFirstSegment() {
        assertEquals("a|/a|/b", shift("", "/a/b"));
        assertEquals("a|/a|/b/", shift("", "/a/b/"));
        assertEquals("b|/a/b|/", shift("/a", "/b/"));
        assertEquals("a|/app/a|/", shift("/app", "/a/"));
    }

    @Test
    void shiftsTheEmptySegmentOfASlashAndEndsScriptNameWithSlash() {
        assertEquals("|/|", shift("", "/"));
        assertEquals("|/app/|", shift("/app", "/"));
    }

    @Test
    void shiftsNothingFromAnEmptyPathInfo() {
        assertEquals("null||", shift("", ""));
        assertEquals("null|/app|", shift("/app", ""));
    }

    @Test
    void skipsDotAndEmptySegments() {
        assertEquals("x|/x|", shift("", "/./x"));
        assertEquals("x|/x|", shift("", "//x"));
        assertEquals("x|/x|/y/", shift("", "/x/./y/"));
        assertEquals("a|/s/a|/b", shift("/s", "/a//b"));
    }

    @Test
    void consumesALastDotSegmentAndReturnsNull() {
        assertEquals("null||", shift("", "/."));
    }

    @Test
    void normalizesDotDotInScriptName() {
        assertEquals("..||", shift("/app", "/.."));
        assertEquals("..||/x", shift("", "/../x"));
        assertEquals("x|/s/x|/../y", shift("/s", "/x/../y"));
    }

    @Test
    void keepsExactlyTwoLeadingSlashesAsNormpathDoes() {
        assertEquals("a|/a|", shift("//", "/a"));
        assertEquals("a|//s/a|", shift("//s", "/a"));
        assertEquals("a|/s/a|", shift("///s", "/a"));
    }

    @Test
    void refusesAPathInfoWithoutLeadingSlash() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shift("", "x"));
        assertEquals("PATH_INFO must be empty or begin with '/', got \"x\"", e.getMessage());
    }

    @Test
    void leavesEnvironUnchangedWhenNothingShifts() {
        Map<String, Object> environ = new HashMap<>(Map.of("PATH_INFO", ""));
        assertNull(Environs.shiftPathInfo(environ));
        assertEquals(Map.of("PATH_INFO", ""), environ);
    }
}
