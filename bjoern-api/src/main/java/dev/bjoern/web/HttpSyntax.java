package dev.bjoern.web;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.bjoern.server.ResponseRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bits of HTTP and URL syntax the helpers share. */
final class HttpSyntax {
    private HttpSyntax() {
    }

    static boolean isAlphaNumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** Removes RFC 9110 OWS (spaces and tabs) from both ends. */
    static String trimOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Environ's bytes-as-chars text, decoded as UTF-8 (malformed sequences become U+FFFD). */
    static String utf8(String latin1) {
        return new String(latin1.getBytes(ISO_8859_1), UTF_8);
    }

    /**
     * Parses application/x-www-form-urlencoded text as the WHATWG URL standard does: pairs split at '&amp;'
     * (empty ones skipped), name and value at the first '=' (none: the value is ""), then {@link #formDecode}.
     */
    static Map<String, List<String>> parseForm(String text) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('&', start);
            if (end < 0) {
                end = text.length();
            }
            if (end > start) {
                int eq = text.indexOf('=', start);
                boolean hasValue = eq >= 0 && eq < end;
                String name = formDecode(text, start, hasValue ? eq : end);
                String value = hasValue ? formDecode(text, eq + 1, end) : "";
                params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
            start = end + 1;
        }
        params.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(params);
    }

    /**
     * Decodes one name or value: '+' is a space, {@code %XY} the byte XY, and a '%' without two hex digits
     * after it stays a '%' (as the WHATWG standard and Python's unquote keep it); the bytes are then decoded as
     * UTF-8.
     */
    static String formDecode(String s, int from, int to) {
        byte[] bytes = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes[n++] = ' ';
            } else if (c == '%' && i + 2 < to && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                bytes[n++] = (byte) (hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                i += 2;
            } else {
                // Environ's text and a body read as ISO-8859-1 hold one byte per char.
                bytes[n++] = (byte) c;
            }
        }
        return new String(bytes, 0, n, UTF_8);
    }

    static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : -1;
    }

    /** The input for an error message, as every message of the servers quotes it (ResponseRules). */
    static String quote(String s) {
        return ResponseRules.quote(s);
    }
}
