package dev.bjoern.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bjoern.WsgiApplication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where werkzeug's ProxyFix has the same rule, the expected values are what werkzeug 3.1 gives. */
class ProxyHeadersTest {
    static Map<String, Object> environ(String... headers) {
        Map<String, Object> environ = new HashMap<>();
        environ.put("REMOTE_ADDR", "10.0.0.9");
        environ.put("wsgi.url_scheme", "http");
        environ.put("HTTP_HOST", "internal:8000");
        environ.put("SERVER_NAME", "10.0.0.1");
        environ.put("SERVER_PORT", "8000");
        environ.put("SCRIPT_NAME", "");
        for (int i = 0; i < headers.length; i += 2) {
            environ.put(headers[i], headers[i + 1]);
        }
        return environ;
    }

    /** The rewritten keys, in a fixed order, joined with '|'. */
    static String rewritten(Map<String, Object> environ) {
        return environ.get("REMOTE_ADDR") + "|" + environ.get("wsgi.url_scheme") + "|" + environ.get("HTTP_HOST")
                + "|" + environ.get("SERVER_NAME") + "|" + environ.get("SERVER_PORT") + "|"
                + environ.get("SCRIPT_NAME");
    }

    static String apply(ProxyHeaders proxy, String... headers) {
        Map<String, Object> environ = environ(headers);
        proxy.apply(environ);
        return rewritten(environ);
    }

    static final String UNCHANGED = "10.0.0.9|http|internal:8000|10.0.0.1|8000|";

    @Test
    void trustsOneHopForForAndProtoByDefault() {
        assertEquals("3.3.3.3|https|internal:8000|10.0.0.1|8000|", apply(ProxyHeaders.defaults(),
                "HTTP_X_FORWARDED_FOR", "1.1.1.1, 2.2.2.2, 3.3.3.3", "HTTP_X_FORWARDED_PROTO", "https",
                "HTTP_X_FORWARDED_HOST", "example.com", "HTTP_X_FORWARDED_PORT", "443",
                "HTTP_X_FORWARDED_PREFIX", "/app"));
    }

    @Test
    void takesTheTrustedValueFromTheRightWhenThereAreMoreHops() {
        assertEquals("2.2.2.2|http|internal:8000|10.0.0.1|8000|", apply(ProxyHeaders.defaults().forwardedFor(2),
                "HTTP_X_FORWARDED_FOR", "1.1.1.1, 2.2.2.2,3.3.3.3"));
        assertEquals("10.0.0.9|https|internal:8000|10.0.0.1|8000|",
                apply(ProxyHeaders.defaults().forwardedProto(2), "HTTP_X_FORWARDED_PROTO", "https, http"));
        assertEquals("10.0.0.9|https|internal:8000|10.0.0.1|8000|",
                apply(ProxyHeaders.defaults(), "HTTP_X_FORWARDED_PROTO", "http, https"));
    }

    @Test
    void leavesEnvironUnchangedWhenThereAreFewerValuesThanHops() {
        assertEquals(UNCHANGED, apply(ProxyHeaders.defaults().forwardedFor(3).forwardedProto(2),
                "HTTP_X_FORWARDED_FOR", "2.2.2.2, 3.3.3.3", "HTTP_X_FORWARDED_PROTO", "https"));
    }

    @Test
    void countsNoEmptyListElements() {
        assertEquals(UNCHANGED, apply(ProxyHeaders.defaults().forwardedFor(2), "HTTP_X_FORWARDED_FOR", " , 3.3.3.3,"));
        assertEquals(UNCHANGED, apply(ProxyHeaders.defaults(), "HTTP_X_FORWARDED_FOR", ""));
    }

    @Test
    void ignoresAHeaderWithZeroHops() {
        assertEquals(UNCHANGED, apply(ProxyHeaders.defaults().forwardedFor(0).forwardedProto(0),
                "HTTP_X_FORWARDED_FOR", "1.1.1.1", "HTTP_X_FORWARDED_PROTO", "https"));
    }

    @Test
    void rewritesHostAndServerNameFromTheForwardedHost() {
        ProxyHeaders proxy = ProxyHeaders.defaults().forwardedHost(1);
        assertEquals("10.0.0.9|http|example.com|example.com|8000|",
                apply(proxy, "HTTP_X_FORWARDED_HOST", "example.com"));
        assertEquals("10.0.0.9|http|example.com:8443|example.com|8443|",
                apply(proxy, "HTTP_X_FORWARDED_HOST", "example.com:8443"));
    }

    @Test
    void unbracketsAnIpv6ForwardedHostForServerName() {
        ProxyHeaders proxy = ProxyHeaders.defaults().forwardedHost(1);
        assertEquals("10.0.0.9|http|[2001:db8::1]:8443|2001:db8::1|8443|",
                apply(proxy, "HTTP_X_FORWARDED_HOST", "[2001:db8::1]:8443"));
        assertEquals("10.0.0.9|http|[2001:db8::1]|2001:db8::1|8000|",
                apply(proxy, "HTTP_X_FORWARDED_HOST", "[2001:db8::1]"));
    }

    @Test
    void appliesTheForwardedPortAfterTheHost() {
        assertEquals("10.0.0.9|http|example.com:443|example.com|443|",
                apply(ProxyHeaders.defaults().forwardedHost(1).forwardedPort(1),
                        "HTTP_X_FORWARDED_HOST", "example.com:1", "HTTP_X_FORWARDED_PORT", "443"));
        assertEquals("10.0.0.9|http|internal:443|10.0.0.1|443|",
                apply(ProxyHeaders.defaults().forwardedPort(1), "HTTP_X_FORWARDED_PORT", "443"));
        assertEquals("10.0.0.9|http|[::1]:443|10.0.0.1|443|", apply(ProxyHeaders.defaults().forwardedPort(1),
                "HTTP_HOST", "[::1]", "HTTP_X_FORWARDED_PORT", "443"));
    }

    @Test
    void setsScriptNameFromTheForwardedPrefixAsSpecHasIt() {
        ProxyHeaders proxy = ProxyHeaders.defaults().forwardedPrefix(1);
        assertEquals("/app", rewrittenScriptName(proxy, "/app"));
        assertEquals("/my app/\u00c3\u00a9", rewrittenScriptName(proxy, "/my%20app/%C3%A9/"));
        assertEquals("/app", rewrittenScriptName(proxy, "app"));
        assertEquals("", rewrittenScriptName(proxy, "/"));
        assertEquals("/100%", rewrittenScriptName(proxy, "/100%"));
    }

    static String rewrittenScriptName(ProxyHeaders proxy, String prefix) {
        Map<String, Object> environ = environ("HTTP_X_FORWARDED_PREFIX", prefix);
        proxy.apply(environ);
        return (String) environ.get("SCRIPT_NAME");
    }

    @Test
    void keepsTheOriginalsUnderTheirOwnKeys() {
        Map<String, Object> environ = environ("HTTP_X_FORWARDED_FOR", "1.1.1.1", "HTTP_X_FORWARDED_PROTO", "https",
                "HTTP_X_FORWARDED_HOST", "example.com:443", "HTTP_X_FORWARDED_PREFIX", "/app");
        environ.remove("HTTP_HOST");
        ProxyHeaders.defaults().forwardedHost(1).forwardedPrefix(1).apply(environ);
        assertEquals("10.0.0.9", environ.get("bjoern.proxy.orig.REMOTE_ADDR"));
        assertEquals("http", environ.get("bjoern.proxy.orig.wsgi.url_scheme"));
        assertEquals("10.0.0.1", environ.get("bjoern.proxy.orig.SERVER_NAME"));
        assertEquals("8000", environ.get("bjoern.proxy.orig.SERVER_PORT"));
        assertEquals("", environ.get("bjoern.proxy.orig.SCRIPT_NAME"));
        assertFalse(environ.containsKey("bjoern.proxy.orig.HTTP_HOST"));
        assertEquals("1.1.1.1|https|example.com:443|example.com|443|/app", rewritten(environ));
    }

    @Test
    void rewritesEnvironBeforeCallingTheApplication() throws Exception {
        List<String> seen = new ArrayList<>();
        List<byte[]> body = List.of(new byte[] {1});
        WsgiApplication app = (environ, startResponse) -> {
            seen.add(rewritten(environ));
            return body;
        };
        Map<String, Object> environ = environ("HTTP_X_FORWARDED_FOR", "1.1.1.1");
        assertSame(body, ProxyHeaders.defaults().wrap(app).call(environ, (s, h, e) -> data -> { }));
        assertEquals(List.of("1.1.1.1|http|internal:8000|10.0.0.1|8000|"), seen);
    }

    @Test
    void refusesNegativeHops() {
        assertEquals("X-Forwarded-For hops must be 0 or more, got -1", assertThrows(IllegalArgumentException.class,
                () -> ProxyHeaders.defaults().forwardedFor(-1)).getMessage());
        assertEquals("X-Forwarded-Prefix hops must be 0 or more, got -2", assertThrows(IllegalArgumentException.class,
                () -> ProxyHeaders.defaults().forwardedPrefix(-2)).getMessage());
    }

    @Test
    void leavesTheInstanceItWasCalledOnAsItWas() {
        ProxyHeaders defaults = ProxyHeaders.defaults();
        defaults.forwardedFor(2);
        assertEquals("3.3.3.3|http|internal:8000|10.0.0.1|8000|",
                apply(defaults, "HTTP_X_FORWARDED_FOR", "2.2.2.2, 3.3.3.3"));
    }
}
