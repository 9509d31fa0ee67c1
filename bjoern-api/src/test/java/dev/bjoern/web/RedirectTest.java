package dev.bjoern.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedirectTest {
    @Test
    void givesStatusAndLocation() {
        Redirect redirect = Redirect.to(303, "/orders/7");
        assertEquals("303 See Other", redirect.status());
        assertEquals(List.of(Map.entry("Location", "/orders/7")), redirect.headers());
        assertEquals("302 Found", Redirect.to(302, "/").status());
        assertEquals("307 Temporary Redirect", Redirect.to(307, "/").status());
        assertEquals("308 Permanent Redirect", Redirect.to(308, "/").status());
        assertEquals("301 Moved Permanently", Redirect.to(301, "https://example.com/a?b=%C3%A9").status());
    }

    @Test
    void sendsThroughStartResponse() throws Exception {
        List<Object> calls = new ArrayList<>();
        Iterable<byte[]> body = Redirect.to(307, "https://example.com/").send((status, headers, excInfo) -> {
            calls.add(status);
            calls.add(headers);
            calls.add(excInfo);
            return data -> { };
        });
        assertEquals(List.of(), body);
        assertEquals(3, calls.size());
        assertEquals("307 Temporary Redirect", calls.get(0));
        assertEquals(List.of(Map.entry("Location", "https://example.com/")), calls.get(1));
        assertEquals(null, calls.get(2));
    }

    @Test
    void refusesOtherCodes() {
        for (int code : new int[] {200, 300, 304, 305, 306, 309}) {
            assertEquals("redirect code must be 301, 302, 303, 307 or 308, got " + code,
                    assertThrows(IllegalArgumentException.class, () -> Redirect.to(code, "/")).getMessage());
        }
    }

    @Test
    void refusesALocationThatIsNotVisibleAscii() {
        for (String location : new String[] {"", "/a\r\nSet-Cookie: x=1", "/caf\u00e9", "/a b", "/\t"}) {
            assertEquals("redirect location must be non-empty ASCII without spaces or control characters"
                    + " (percent-encode the rest), got " + HttpSyntax.quote(location),
                    assertThrows(IllegalArgumentException.class, () -> Redirect.to(302, location)).getMessage());
        }
        assertEquals("redirect location must be non-empty ASCII without spaces or control characters"
                + " (percent-encode the rest), got \"/a\\r\\nSet-Cookie: x=1\"",
                assertThrows(IllegalArgumentException.class, () -> Redirect.to(302, "/a\r\nSet-Cookie: x=1"))
                        .getMessage());
    }
}
