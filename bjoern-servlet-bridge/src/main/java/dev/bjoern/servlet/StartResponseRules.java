package dev.bjoern.servlet;

import java.util.List;
import java.util.Map;

/**
 * The checks SPEC.md section 4 puts on start_response, for {@link WsgiServlet}: the same rules and messages
 * as the engine's, written again here because the bridge does not depend on the engine.
 */
final class StartResponseRules {
    private static final String TOKEN_CHARS = "!#$%&'*+-.^_`|~";

    private StartResponseRules() {
    }

    /** @return the code of a status like {@code "200 OK"}: three digits from 200 to 599, a space, a reason */
    static int status(String status) {
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
            if (header == null || header.getKey() == null) {
                throw new IllegalArgumentException("start_response header " + index + " must be a name/value pair"
                        + " with a name, got " + header);
            }
            String name = header.getKey();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("start_response header " + index + " has an empty name");
            }
            for (int i = 0; i < name.length(); i++) {
                if (!token(name.charAt(i))) {
                    throw new IllegalArgumentException("start_response header name must be an HTTP token (letters,"
                            + " digits and !#$%&'*+-.^_`|~), got " + quote(name));
                }
            }
            String value = header.getValue();
            if (value == null) {
                throw new IllegalArgumentException("start_response header " + name + " has a null value");
            }
            if (!text(value)) {
                throw new IllegalArgumentException("start_response header " + name + " value must be Latin-1 text"
                        + " without control characters (CR, LF, NUL...), got " + quote(value));
            }
            if (name.equalsIgnoreCase("Content-Length")) {
                if (length >= 0) {
                    throw new IllegalArgumentException("start_response header Content-Length must be given once,"
                            + " got it twice");
                }
                length = contentLength(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                throw new IllegalArgumentException("start_response header Transfer-Encoding is hop-by-hop and"
                        + " the server's to set (PEP 3333); give Content-Length or nothing");
            }
            index++;
        }
        return length;
    }

    private static long contentLength(String value) {
        boolean digits = !value.isEmpty() && value.length() <= 18;
        for (int i = 0; digits && i < value.length(); i++) {
            digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
        }
        if (!digits) {
            throw new IllegalArgumentException("start_response header Content-Length must be a non-negative"
                    + " integer, got " + quote(value));
        }
        return Long.parseLong(value);
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
        return c > ' ' && c < 0x7F && (Character.isLetterOrDigit(c) || TOKEN_CHARS.indexOf(c) >= 0);
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
