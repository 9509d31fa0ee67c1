package dev.bjoern.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** start_response's rules, as every server of the contract applies them, with their messages. */
class ResponseRulesTest {
    private static String refused(Runnable check) {
        return assertThrows(IllegalArgumentException.class, check::run).getMessage();
    }

    @Test
    void aStatusIsACodeFrom200To599ASpaceAndAReason() {
        assertEquals(200, ResponseRules.status("200 OK"));
        assertEquals(599, ResponseRules.status("599 Custom reason"));
        assertEquals(404, ResponseRules.status(new String("404 Not Found".toCharArray())));
        for (String bad : Arrays.asList("200", "200OK", "100 Continue", "600 Nope", "2x0 OK", " 200 OK",
                "200 O\r\nX: y", null)) {
            String message = refused(() -> ResponseRules.status(bad));
            assertEquals("start_response status must be a 3-digit code from 200 to 599, a space and a reason, like"
                    + " \"200 OK\", got " + ResponseRules.quote(bad), message);
        }
        assertEquals("\"200 O\\r\\nX: y\"", ResponseRules.quote("200 O\r\nX: y"));
    }

    @Test
    void headersAreTokensWithLatin1ValuesAndOneContentLength() {
        assertEquals(-1, ResponseRules.headers(List.of(Map.entry("Content-Type", "text/plain"))));
        assertEquals(13, ResponseRules.headers(List.of(Map.entry("content-length", "13"),
                Map.entry("X-Tab", "a\tb"))));
        assertEquals("start_response headers must be a list of name/value pairs, got null",
                refused(() -> ResponseRules.headers(null)));
        List<Map.Entry<String, String>> withNull = new ArrayList<>();
        withNull.add(Map.entry("A", "1"));
        withNull.add(null);
        assertEquals("start_response header 1 must be a name/value pair with a name, got null",
                refused(() -> ResponseRules.headers(withNull)));
        assertEquals("start_response header 0 has an empty name",
                refused(() -> ResponseRules.headers(List.of(Map.entry("", "x")))));
        assertEquals("start_response header name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~), got"
                + " \"Bad Name\"", refused(() -> ResponseRules.headers(List.of(Map.entry("Bad Name", "x")))));
        assertEquals("start_response header X value must be Latin-1 text without control characters (CR, LF,"
                + " NUL...), got \"a\\r\\nInjected: 1\"",
                refused(() -> ResponseRules.headers(List.of(Map.entry("X", "a\r\nInjected: 1")))));
        assertEquals("start_response header Content-Length must be given once, got it twice",
                refused(() -> ResponseRules.headers(List.of(Map.entry("Content-Length", "1"),
                        Map.entry("CONTENT-LENGTH", "1")))));
        assertEquals("start_response header Content-Length must be a non-negative integer, got \"-1\"",
                refused(() -> ResponseRules.headers(List.of(Map.entry("Content-Length", "-1")))));
        assertEquals("start_response header Content-Length must be a non-negative integer, got"
                + " \"1234567890123456789\"",
                refused(() -> ResponseRules.headers(List.of(Map.entry("Content-Length", "1234567890123456789")))));
        assertEquals("start_response header Transfer-Encoding is hop-by-hop and the server's to set (PEP 3333);"
                + " give Content-Length or nothing",
                refused(() -> ResponseRules.headers(List.of(Map.entry("transfer-encoding", "chunked")))));
    }

    @Test
    void aNameCheckedBeforeIsRecognisedOnlyAsTheVerySameString() {
        String name = "X-Same";
        ResponseRules.headers(List.of(Map.entry(name, "1")));
        ResponseRules.headers(List.of(Map.entry(name, "2")));
        // An equal but different String is checked again; a bad one with the same hash is still refused.
        assertEquals(-1, ResponseRules.headers(List.of(Map.entry(new String(name.toCharArray()), "3"))));
        assertEquals(5, ResponseRules.headers(List.of(Map.entry(new String("Content-Length".toCharArray()), "5"))));
    }
}
