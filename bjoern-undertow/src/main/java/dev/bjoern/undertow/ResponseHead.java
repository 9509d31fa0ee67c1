package dev.bjoern.undertow;

import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import java.util.List;
import java.util.Map;

/** The checks start_response makes, so that nothing malformed from the application reaches the wire. */
final class ResponseHead {
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

    /**
     * Header names checked before, by identity: applications pass the same literals again and again, and
     * a String cannot change, so finding the very same one here is as good as checking it. Racy by design:
     * a missed or overwritten entry only means checking again.
     */
    private static final Name[] NAMES = new Name[64];

    /**
     * A checked name, and once for all whether it frames the body: {@code framing} is Content-Length or
     * Transfer-Encoding when the name is one of them (in any case), else null.
     */
    private record Name(String text, HttpString header, HttpString framing) {
    }

    /** The status last seen: applications pass the same constant ("200 OK") again and again. */
    private static volatile Status lastStatus;

    private ResponseHead() {
    }

    /** A checked status line: its code, and whether its reason is the standard one Undertow writes itself. */
    record Status(String line, int code, boolean standardReason) {
    }

    /** {@link #statusCode} with the reason compared to the standard one; remembers the last line. */
    static Status status(String line) {
        Status last = lastStatus;
        if (last != null && last.line == line) {
            return last;
        }
        int code = statusCode(line);
        String reason = StatusCodes.getReason(code);
        boolean standard = line.length() == 4 + reason.length() && line.regionMatches(4, reason, 0, reason.length());
        lastStatus = last = new Status(line, code, standard);
        return last;
    }

    /**
     * @return the code of a status like {@code "200 OK"}: three digits from 200 to 599 (a 1xx response is
     *     interim, and the server's to send), a space, a reason
     */
    private static int statusCode(String status) {
        if (status == null || status.length() < 5 || status.charAt(3) != ' ' || !digit(status, 0, '2', '5')
                || !digit(status, 1, '0', '9') || !digit(status, 2, '0', '9') || !text(status)) {
            throw new IllegalArgumentException("start_response status must be a 3-digit code from 200 to 599, a"
                    + " space and a reason, like \"200 OK\", got " + quote(status));
        }
        return (status.charAt(0) - '0') * 100 + (status.charAt(1) - '0') * 10 + status.charAt(2) - '0';
    }

    /**
     * Checks every header.
     *
     * @return the Content-Length among them, or -1
     */
    static long headers(List<Map.Entry<String, String>> headers) {
        if (headers == null) {
            throw new IllegalArgumentException("start_response headers must be a list of name/value pairs, got null");
        }
        long length = -1;
        int index = 0;
        for (Map.Entry<String, String> header : headers) {
            Name name = name(header, index++);
            String value = value(name.text, header.getValue());
            if (name.framing == Headers.CONTENT_LENGTH) {
                if (length >= 0) {
                    throw new IllegalArgumentException("start_response header Content-Length must be given once,"
                            + " got it twice");
                }
                length = contentLength(value);
            } else if (name.framing == Headers.TRANSFER_ENCODING) {
                throw new IllegalArgumentException("start_response header Transfer-Encoding is hop-by-hop and"
                        + " the server's to set (PEP 3333); give Content-Length or nothing");
            }
        }
        return length;
    }

    /** The Undertow form of a header name that {@link #headers} has checked. */
    static HttpString header(String name) {
        Name known = NAMES[name.hashCode() & (NAMES.length - 1)];
        return known != null && known.text == name ? known.header : HttpString.tryFromString(name);
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
        for (int i = 0; i < name.length(); i++) {
            if (!token(name.charAt(i))) {
                throw new IllegalArgumentException("start_response header name must be an HTTP token (letters,"
                        + " digits and !#$%&'*+-.^_`|~), got " + quote(name));
            }
        }
        HttpString undertowName = HttpString.tryFromString(name);
        HttpString framing = Headers.CONTENT_LENGTH.equals(undertowName) ? Headers.CONTENT_LENGTH
                : Headers.TRANSFER_ENCODING.equals(undertowName) ? Headers.TRANSFER_ENCODING : null;
        known = new Name(name, undertowName, framing);
        NAMES[slot] = known;
        return known;
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

    private static boolean token(char c) {
        return c < TOKEN.length && TOKEN[c];
    }

    /** Quotes input for an error message with control characters made visible. */
    static String quote(String s) {
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
