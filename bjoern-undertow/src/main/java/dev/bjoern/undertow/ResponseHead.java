package dev.bjoern.undertow;

import java.util.Map;

/** The checks start_response makes, so that nothing malformed from the application reaches the wire. */
final class ResponseHead {
    private ResponseHead() {
    }

    /** @return the code of a status like {@code "200 OK"}: three digits from 100 to 599, a space, a reason */
    static int statusCode(String status) {
        if (status == null || status.length() < 5 || status.charAt(3) != ' ' || !digit(status, 0, '1', '5')
                || !digit(status, 1, '0', '9') || !digit(status, 2, '0', '9') || !text(status)) {
            throw new IllegalArgumentException("start_response status must be a 3-digit code, a space and a"
                    + " reason, like \"200 OK\", got " + quote(status));
        }
        return (status.charAt(0) - '0') * 100 + (status.charAt(1) - '0') * 10 + status.charAt(2) - '0';
    }

    static String name(Map.Entry<String, String> header, int index) {
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
        return name;
    }

    static String value(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("start_response header " + name + " has a null value");
        }
        if (!text(value)) {
            throw new IllegalArgumentException("start_response header " + name + " value must be Latin-1 text"
                    + " without CR, LF or NUL, got " + quote(value));
        }
        return value;
    }

    static long contentLength(String value) {
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

    /** Latin-1 without the characters that end a header line or confuse parsers: CR, LF, NUL. */
    private static boolean text(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static boolean token(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c < 0x7F && c > ' '
                && "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
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
