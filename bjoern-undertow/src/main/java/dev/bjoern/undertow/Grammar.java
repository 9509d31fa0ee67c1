package dev.bjoern.undertow;

/** The character classes of RFC 9110 §5.6 and RFC 3986 §2 that request framing is checked against. */
final class Grammar {
    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] REG_NAME = new boolean[256];

    static {
        for (int c = 0; c < 128; c++) {
            boolean alphanumeric = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            TCHAR[c] = alphanumeric || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            // unreserved / sub-delims, and "%" of a pct-encoded octet
            REG_NAME[c] = alphanumeric || "-._~!$&'()*+,;=%".indexOf(c) >= 0;
        }
    }

    private Grammar() {
    }

    /** A byte of a token: a field name, a method, a chunk extension. */
    static boolean tchar(int b) {
        return TCHAR[b & 0xFF];
    }

    /** A byte a field value may hold: HTAB, SP, VCHAR, obs-text; never another control character. */
    static boolean fieldChar(int b) {
        return b == '\t' || b >= 0x20 && b != 0x7F && b <= 0xFF;
    }

    /** A byte of an authority's reg-name or IPv4 address. */
    static boolean regName(int b) {
        return REG_NAME[b & 0xFF];
    }
}
