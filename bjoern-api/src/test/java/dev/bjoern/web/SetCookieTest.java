package dev.bjoern.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SetCookieTest {
    @Test
    void writesNameAndValueAlone() {
        assertEquals(Map.entry("Set-Cookie", "sid=abc"), SetCookie.of("sid", "abc").header());
        assertEquals("sid=", SetCookie.of("sid", "").headerValue());
        assertEquals("sid=\"a=b\"", SetCookie.of("sid", "\"a=b\"").toString());
    }

    @Test
    void writesEveryAttributeInOrder() {
        String header = SetCookie.of("sid", "abc")
                .partitioned()
                .sameSite(SetCookie.SameSite.NONE)
                .httpOnly()
                .secure()
                .path("/app")
                .domain("example.com")
                .maxAge(Duration.ofMillis(3_600_999))
                .expires(Instant.parse("1994-11-06T08:49:37Z"))
                .headerValue();
        assertEquals("sid=abc; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=3600; Domain=example.com; Path=/app;"
                + " Secure; HttpOnly; SameSite=None; Partitioned", header);
    }

    @Test
    void writesEachSameSiteValue() {
        assertEquals("a=1; SameSite=Strict", SetCookie.of("a", "1").sameSite(SetCookie.SameSite.STRICT).toString());
        assertEquals("a=1; SameSite=Lax", SetCookie.of("a", "1").sameSite(SetCookie.SameSite.LAX).toString());
    }

    @Test
    void padsTheDayOfExpires() {
        assertEquals("a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                SetCookie.of("a", "1").expires(Instant.EPOCH).toString());
    }

    @Test
    void writesMaxAgeZeroToDelete() {
        assertEquals("a=; Max-Age=0", SetCookie.of("a", "").maxAge(Duration.ZERO).toString());
    }

    @Test
    void refusesANameThatIsNotAToken() {
        for (String name : new String[] {"", "a b", "a;b", "a=b", "a,b", "a\r\nb", "é"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SetCookie.of(name, "1"));
            assertEquals("cookie name must be a token (letters, digits and !#$%&'*+-.^_`|~), got "
                    + HttpSyntax.quote(name), e.getMessage());
        }
        assertEquals("cookie name must be a token (letters, digits and !#$%&'*+-.^_`|~), got \"a\\r\\nb\"",
                assertThrows(IllegalArgumentException.class, () -> SetCookie.of("a\r\nb", "1")).getMessage());
        assertEquals("cookie name must be a token (letters, digits and !#$%&'*+-.^_`|~), got null",
                assertThrows(IllegalArgumentException.class, () -> SetCookie.of(null, "1")).getMessage());
    }

    @Test
    void refusesAValueOutsideCookieOctets() {
        for (String value : new String[] {"a b", "a;b", "a,b", "a\\b", "a\"b", "\"", "\"a", "a\rb", "a\nb", "é",
                "\"a b\""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SetCookie.of("sid", value));
            assertEquals("cookie sid value must be cookie-octets (printable ASCII but space, '\"', ',', ';' and"
                    + " '\\'), optionally in double quotes, got " + HttpSyntax.quote(value), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SetCookie.of("sid", null));
    }

    @Test
    void refusesBadAttributes() {
        SetCookie cookie = SetCookie.of("a", "1");
        assertEquals("cookie Domain must be non-empty ASCII without control characters or ';', got \"x;y\"",
                assertThrows(IllegalArgumentException.class, () -> cookie.domain("x;y")).getMessage());
        assertEquals("cookie Domain must be non-empty ASCII without control characters or ';', got \"\"",
                assertThrows(IllegalArgumentException.class, () -> cookie.domain("")).getMessage());
        assertEquals("cookie Path must be non-empty ASCII without control characters or ';', got \"/a\\r\\nX: y\"",
                assertThrows(IllegalArgumentException.class, () -> cookie.path("/a\r\nX: y")).getMessage());
        assertEquals("cookie Path must begin with '/', got \"app\"",
                assertThrows(IllegalArgumentException.class, () -> cookie.path("app")).getMessage());
        assertEquals("cookie Max-Age must be zero or more, got PT-1S",
                assertThrows(IllegalArgumentException.class, () -> cookie.maxAge(Duration.ofSeconds(-1)))
                        .getMessage());
        assertEquals("a=1", cookie.toString());
    }

    @Test
    void refusesWhatBrowsersWouldDropWithoutSecure() {
        assertEquals("cookie a: SameSite=None needs Secure, or browsers drop it",
                assertThrows(IllegalStateException.class,
                        () -> SetCookie.of("a", "1").sameSite(SetCookie.SameSite.NONE).headerValue()).getMessage());
        assertEquals("cookie a: Partitioned needs Secure, or browsers drop it",
                assertThrows(IllegalStateException.class,
                        () -> SetCookie.of("a", "1").partitioned().header()).getMessage());
        assertEquals("cookie __Secure-a: a name beginning with __Secure- needs Secure, or browsers drop it",
                assertThrows(IllegalStateException.class,
                        () -> SetCookie.of("__Secure-a", "1").headerValue()).getMessage());
        assertEquals("__Secure-a=1; Secure", SetCookie.of("__Secure-a", "1").secure().headerValue());
    }

    @Test
    void refusesAHostPrefixedCookieWithDomainOrAnotherPath() {
        String rule = "cookie __Host-a: a name beginning with __Host- needs Path=/ and no Domain, or browsers drop it";
        assertEquals(rule, assertThrows(IllegalStateException.class,
                () -> SetCookie.of("__Host-a", "1").secure().headerValue()).getMessage());
        assertEquals(rule, assertThrows(IllegalStateException.class,
                () -> SetCookie.of("__Host-a", "1").secure().path("/x").headerValue()).getMessage());
        assertEquals(rule, assertThrows(IllegalStateException.class,
                () -> SetCookie.of("__Host-a", "1").secure().path("/").domain("example.com").headerValue())
                .getMessage());
        assertEquals("cookie __Host-a: a name beginning with __Host- needs Secure, or browsers drop it",
                assertThrows(IllegalStateException.class,
                        () -> SetCookie.of("__Host-a", "1").path("/").headerValue()).getMessage());
        assertEquals("__Host-a=1; Path=/; Secure", SetCookie.of("__Host-a", "1").secure().path("/").headerValue());
    }
}
