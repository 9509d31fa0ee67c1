package dev.bjoern.undertow;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.ServerConnection;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The first bytes of each request on a connection of ours, put right before Undertow's parser reads them,
 * where the parser and RFC 9112 part ways:
 * <ul>
 * <li>Up to {@value #MAX_EMPTY_LINES} empty lines (CRLF) before a request-line are dropped (§2.2): some
 *     clients send one after a POST body. More, or a bare CR or LF, reach the parser, which answers 400.
 * <li>An absolute-form target ({@code GET http://a.test/p HTTP/1.1}) reaches the parser as its origin form
 *     ({@code /p}) and its authority is kept for the handler, which puts it in place of Host (§3.2.2). The
 *     parser would otherwise answer 400 to any Host that is not part of the target. A malformed prefix (not
 *     http or https, userinfo, a bad host or port, over {@value #MAX_PREFIX} bytes) is handed to the parser
 *     as a byte it refuses: 400.
 * </ul>
 * The bytes are edited in place, in the buffer they were read into: each request's start passes through
 * here once, either as the connection reads it or, when it came with the previous request, from the bytes
 * the connection holds for the next one. Past the target's first byte nothing is looked at.
 */
final class RequestStart {
    static final int MAX_EMPTY_LINES = 8;
    static final int MAX_PREFIX = 512;

    // Where the next byte falls: before the request-line, in the method, at the target, in an
    // absolute-form target's scheme and authority; then past everything this looks at.
    private static final byte LINE = 0;
    private static final byte LINE_CR = 1;
    private static final byte METHOD = 2;
    private static final byte TARGET = 3;
    private static final byte SCHEME = 4;
    private static final byte SLASH1 = 5;
    private static final byte SLASH2 = 6;
    private static final byte AUTHORITY = 7;
    private static final byte PASS = 8;

    private static final byte[] CONNECT = {'C', 'O', 'N', 'N', 'E', 'C', 'T'};
    /** A byte the parser refuses wherever it stands in a request-line. */
    private static final byte REFUSED = '\n';

    private byte state = LINE;
    private byte emptyLines;
    /** The method's length so far, counted up to one past CONNECT's. */
    private byte methodLength;
    private boolean connect;
    /** An absolute-form target's scheme and authority so far; made for the first one a connection sends. */
    private StringBuilder prefix;
    /** The current request's absolute-form scheme and authority, as sent; null for any other form. */
    private String removed;

    /** A new request begins on the connection. */
    void next() {
        state = LINE;
        emptyLines = 0;
        methodLength = 0;
        removed = null;
    }

    /** True until the current request's target has begun. */
    boolean active() {
        return state != PASS;
    }

    /** The scheme and authority removed from the current request's absolute-form target; null if none. */
    String removedPrefix() {
        return removed;
    }

    /** The authority of the current request's absolute-form target; null if none. */
    String authority() {
        return removed == null ? null : removed.substring(removed.indexOf("://") + 3);
    }

    /**
     * Edits {@code buffer}'s bytes from {@code from} to {@code to} as the class says.
     *
     * @return where the edited bytes end; one past {@code to} when a "/" was inserted, which needs room below
     *     the buffer's limit
     */
    int filter(ByteBuffer buffer, int from, int to) {
        int read = from;
        int write = from;
        while (read < to && state != PASS) {
            byte b = buffer.get(read);
            switch (state) {
                case LINE:
                    if (b == '\r' && emptyLines < MAX_EMPTY_LINES) {
                        state = LINE_CR;
                        read++;
                        continue;
                    }
                    state = METHOD;
                    continue;
                case LINE_CR:
                    if (b == '\n') {
                        emptyLines++;
                        state = LINE;
                        read++;
                        continue;
                    }
                    // A lone CR, already dropped: the request is malformed, which the parser must see.
                    buffer.put(read, REFUSED);
                    state = PASS;
                    continue;
                case METHOD:
                    if (Grammar.tchar(b)) {
                        connect = (methodLength == 0 || connect) && methodLength < CONNECT.length
                                && CONNECT[methodLength] == b;
                        if (methodLength <= CONNECT.length) {
                            methodLength++;
                        }
                    } else {
                        // A space ends the method, anything else is for the parser to refuse. CONNECT's
                        // authority-form target is the parser's too.
                        state = b == ' ' && methodLength > 0 && !(connect && methodLength == CONNECT.length)
                                ? TARGET : PASS;
                    }
                    break;
                case TARGET:
                    if (alpha(b)) {
                        if (prefix == null) {
                            prefix = new StringBuilder();
                        }
                        prefix.setLength(0);
                        state = SCHEME;
                        continue;
                    }
                    state = PASS;
                    continue;
                default:
                    if (prefix(b)) {
                        // Part of the scheme and authority: dropped from what the parser sees.
                        read++;
                        continue;
                    }
                    if (state == AUTHORITY && (b == '/' || b == '?' || b == ' ')
                            && authorityOf(prefix.toString()) != null) {
                        removed = prefix.toString();
                        state = PASS;
                        if (b != '/') {
                            // The origin form of "http://a.test?q" is "/?q".
                            if (write == read) {
                                if (to == buffer.limit()) {
                                    buffer.put(read, REFUSED);
                                    continue;
                                }
                                shift(buffer, read, to);
                                to++;
                                read++;
                            }
                            buffer.put(write++, (byte) '/');
                        }
                        continue;
                    }
                    buffer.put(read, REFUSED);
                    state = PASS;
                    continue;
            }
            if (write != read) {
                buffer.put(write, b);
            }
            write++;
            read++;
        }
        if (write == read) {
            return to;
        }
        while (read < to) {
            buffer.put(write++, buffer.get(read++));
        }
        return write;
    }

    /** Takes {@code b} into the scheme and authority, if it belongs there and there is room. */
    private boolean prefix(byte b) {
        if (prefix.length() >= MAX_PREFIX) {
            return false;
        }
        boolean taken;
        switch (state) {
            case SCHEME:
                if (b == ':') {
                    state = SLASH1;
                    taken = true;
                } else {
                    taken = alpha(b) || b >= '0' && b <= '9' || b == '+' || b == '-' || b == '.';
                }
                break;
            case SLASH1:
            case SLASH2:
                taken = b == '/';
                if (taken) {
                    state++;
                }
                break;
            default:
                taken = b != '/' && b != '?' && (Grammar.regName(b) || b == ':' || b == '[' || b == ']');
        }
        if (taken) {
            prefix.append((char) b);
        }
        return taken;
    }


    private static boolean alpha(byte b) {
        return (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
    }

    /** Moves the bytes from {@code at} to {@code to} one place up. */
    private static void shift(ByteBuffer buffer, int at, int to) {
        for (int i = to; i > at; i--) {
            buffer.put(i, buffer.get(i - 1));
        }
    }

    /**
     * The authority of an absolute-form target ({@code http://a.test/p}, or its prefix {@code http://a.test}),
     * if it is a valid http or https one; null otherwise.
     */
    static String authorityOf(String target) {
        int scheme = target.indexOf("://");
        if (scheme < 0) {
            return null;
        }
        String name = target.substring(0, scheme).toLowerCase(Locale.ROOT);
        int end = target.indexOf('/', scheme + 3);
        String authority = target.substring(scheme + 3, end < 0 ? target.length() : end);
        return (name.equals("http") || name.equals("https")) && validAuthority(authority) ? authority : null;
    }

    /**
     * True for {@code host [":" port]} as RFC 3986 §3.2.2 has it for http: a non-empty reg-name or IPv4
     * address with well-formed percent-escapes, or an IPv6 literal in brackets; a port of at most 5 digits up
     * to 65535. No userinfo.
     */
    static boolean validAuthority(String authority) {
        int hostEnd;
        if (authority.startsWith("[")) {
            hostEnd = authority.indexOf(']') + 1;
            if (hostEnd < 3 || !ipv6(authority.substring(1, hostEnd - 1))) {
                return false;
            }
        } else {
            int colon = authority.indexOf(':');
            hostEnd = colon < 0 ? authority.length() : colon;
            if (hostEnd == 0) {
                return false;
            }
            for (int i = 0; i < hostEnd; i++) {
                char c = authority.charAt(i);
                if (c > 0xFF || !Grammar.regName(c) || c == '%' && (i + 2 >= hostEnd
                        || Character.digit(authority.charAt(i + 1), 16) < 0
                        || Character.digit(authority.charAt(i + 2), 16) < 0)) {
                    return false;
                }
            }
        }
        if (hostEnd == authority.length()) {
            return true;
        }
        String port = authority.substring(hostEnd);
        if (port.charAt(0) != ':' || port.length() > 6) {
            return false;
        }
        for (int i = 1; i < port.length(); i++) {
            if (port.charAt(i) < '0' || port.charAt(i) > '9') {
                return false;
            }
        }
        return port.length() == 1 || Integer.parseInt(port.substring(1)) <= 65535;
    }

    /**
     * True for RFC 3986's IPv6address: eight groups of 1 to 4 hex digits, or fewer around one "::", the last
     * two of which may be a dotted IPv4 address.
     */
    private static boolean ipv6(String address) {
        int gap = address.indexOf("::");
        if (gap >= 0 && address.indexOf("::", gap + 1) >= 0
                || address.startsWith(":") && gap != 0
                || address.endsWith(":") && gap != address.length() - 2) {
            return false;
        }
        String[] groups = address.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            if (group.isEmpty()) {
                continue;
            }
            if (i == groups.length - 1 && group.indexOf('.') >= 0) {
                if (!ipv4(group)) {
                    return false;
                }
                count += 2;
            } else if (group.length() > 4
                    || !group.chars().allMatch(c -> c < 0x80 && Character.digit(c, 16) >= 0)) {
                return false;
            } else {
                count++;
            }
        }
        return gap >= 0 ? count <= 7 : count == 8;
    }

    /** Four decimal octets from 0 to 255, without leading zeros. */
    private static boolean ipv4(String address) {
        String[] octets = address.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || octet.length() > 1 && octet.charAt(0) == '0'
                    || !octet.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * For a host's Undertow, where the connection's own reads are out of reach: drops the empty lines (CRLF)
     * at the start of what the connection holds for its next request, up to {@value #MAX_EMPTY_LINES}.
     */
    static void skipEmptyLines(ServerConnection connection) {
        if (!(connection instanceof AbstractServerConnection)) {
            return;
        }
        PooledByteBuffer next = ((AbstractServerConnection) connection).getExtraBytes();
        if (next == null) {
            return;
        }
        ByteBuffer buffer = next.getBuffer();
        for (int lines = 0; lines < MAX_EMPTY_LINES && buffer.remaining() >= 2
                && buffer.get(buffer.position()) == '\r' && buffer.get(buffer.position() + 1) == '\n'; lines++) {
            buffer.position(buffer.position() + 2);
        }
    }
}
