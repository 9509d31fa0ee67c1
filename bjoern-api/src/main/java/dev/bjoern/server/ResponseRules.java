package dev.bjoern.server;

import java.util.List;
import java.util.Map;

/**
 * The checks SPEC.md section 4 puts on {@code start_response}'s status and headers, with their messages: one
 * set of rules for every server of the contract (bjoern's engine, the servlet bridge's {@code WsgiServlet}).
 * For servers, not for applications. Nothing malformed from the application reaches the wire: a status or a
 * header that breaks a rule is an {@link IllegalArgumentException} naming it.
 */
public final class ResponseRules {
    /** The characters of an HTTP token (RFC 9110): letters, digits and !#$%&'*+-.^_`|~. */
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c < TOKEN.length; c++) {
            TOKEN[c] = c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    /** Not a framing header. */
    private static final int ORDINARY = 0;
    /** Content-Length, in any case. */
    private static final int CONTENT_LENGTH = 1;
    /** Transfer-Encoding, in any case: the server's to set, refused from the application. */
    private static final int TRANSFER_ENCODING = 2;

    /**
     * Header names checked before, by identity: applications pass the same literals again and again, and a
     * String cannot change, so finding the very same one here is as good as checking it again. Racy by design:
     * a missed or overwritten entry only means checking again.
     */
    private static final Name[] NAMES = new Name[64];

    private record Name(String text, int framing) {
    }

    /** The status last checked: applications pass the same constant ("200 OK") again and again. */
    private static volatile Status lastStatus;

    private record Status(String line, int code) {
    }

    private ResponseRules() {
    }

    /**
     * Checks a status line.
     *
     * @param line the application's status, like {@code "200 OK"}
     * @return its code: three digits from 200 to 599 (a 1xx response is interim, and the server's to send)
     * @throws IllegalArgumentException for anything but a code, a space and a reason of Latin-1 text
     */
    public static int status(String line) {
        Status last = lastStatus;
        if (last != null && last.line == line) {
            return last.code;
        }
        if (line == null || line.length() < 5 || line.charAt(3) != ' ' || !digit(line, 0, '2', '5')
                || !digit(line, 1, '0', '9') || !digit(line, 2, '0', '9') || !text(line)) {
            throw new IllegalArgumentException("start_response status must be a 3-digit code from 200 to 599, a"
                    + " space and a reason, like \"200 OK\", got " + quote(line));
        }
        int code = (line.charAt(0) - '0') * 100 + (line.charAt(1) - '0') * 10 + line.charAt(2) - '0';
        lastStatus = new Status(line, code);
        return code;
    }

    /**
     * Checks every header: each a name/value pair, the name an HTTP token, the value Latin-1 text without
     * control characters, Content-Length at most once and a non-negative integer, no Transfer-Encoding.
     *
     * @param headers the application's headers, in order
     * @return the Content-Length among them, or -1
     * @throws IllegalArgumentException naming the first header that breaks a rule
     */
    public static long headers(List<Map.Entry<String, String>> headers) {
        if (headers == null) {
            throw new IllegalArgumentException("start_response headers must be a list of name/value pairs, got null");
        }
        long length = -1;
        int index = 0;
        for (Map.Entry<String, String> header : headers) {
            Name name = name(header, index++);
            String value = value(name.text, header.getValue());
            if (name.framing == CONTENT_LENGTH) {
                if (length >= 0) {
                    throw new IllegalArgumentException("start_response header Content-Length must be given once,"
                            + " got it twice");
                }
                length = contentLength(value);
            } else if (name.framing == TRANSFER_ENCODING) {
                throw new IllegalArgumentException("start_response header Transfer-Encoding is hop-by-hop and"
                        + " the server's to set (PEP 3333); give Content-Length or nothing");
            }
        }
        return length;
    }

    private static Name name(Map.Entry<String, String> header, int index) {
        if (header == null || header.getKey() == null) {
            throw new IllegalArgumentException("start_response header " + index + " must be a name/value pair"
                    + " with a name, got " + header);
        }
        String name = header.getKey();
        int slot = name.hashCode() & (NAMES.length - 1);
        Name known = NAMES[slot];
        if (known != null && known.text == name) {
            return known;
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("start_response header " + index + " has an empty name");
        }
        if (!isToken(name)) {
            throw new IllegalArgumentException("start_response header name must be an HTTP token (letters,"
                    + " digits and !#$%&'*+-.^_`|~), got " + quote(name));
        }
        int framing = name.equalsIgnoreCase("Content-Length") ? CONTENT_LENGTH
                : name.equalsIgnoreCase("Transfer-Encoding") ? TRANSFER_ENCODING : ORDINARY;
        known = new Name(name, framing);
        NAMES[slot] = known;
        return known;
    }

    /**
     * Says whether {@code s} is an HTTP token (RFC 9110): one or more letters, digits and !#$%&'*+-.^_`|~, as a
     * method, a header name or a cookie name is.
     *
     * @param s the text, not null
     * @return true when it is a token
     */
    public static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= TOKEN.length || !TOKEN[c]) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static String value(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("start_response header " + name + " has a null value");
        }
        if (!text(value)) {
            throw new IllegalArgumentException("start_response header " + name + " value must be Latin-1 text"
                    + " without control characters (CR, LF, NUL...), got " + quote(value));
        }
        return value;
    }

    private static long contentLength(String value) {
        if (value.isEmpty() || value.length() > 18) {
            throw badLength(value);
        }
        long length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw badLength(value);
            }
            length = length * 10 + c - '0';
        }
        return length;
    }

    private static IllegalArgumentException badLength(String value) {
        return new IllegalArgumentException("start_response header Content-Length must be a non-negative"
                + " integer, got " + quote(value));
    }

    private static boolean digit(String s, int i, char low, char high) {
        char c = s.charAt(i);
        return c >= low && c <= high;
    }

    /** Latin-1 without control characters but tab (RFC 9110 field values): no CR, LF or NUL above all. */
    private static boolean text(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' && c != '\t' || c == 0x7F || c > 0xFF) {
                return false;
            }
        }
        return true;
    }

    /**
     * Quotes input for an error message, with control characters made visible ({@code \r}, {@code \n},
     * {@code \x00}).
     *
     * @param s the input, or null
     * @return it in double quotes, or {@code null}
     */
    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                quoted.append("\\r");
            } else if (c == '\n') {
                quoted.append("\\n");
            } else if (c < ' ' || c == 0x7F) {
                quoted.append(String.format("\\x%02x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
