package dev.bjoern.undertow;

import java.nio.ByteBuffer;

/**
 * A chunked request body decoded to the letter of RFC 9112 §7.1, because Undertow's own decoder is lenient
 * (a bare LF for CRLF, a non-hex size, data longer than its size) and a body two parsers read differently is
 * a smuggled request:
 *
 * <pre>
 * chunked-body = *chunk last-chunk trailer-section CRLF
 * chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF      chunk-size = 1*HEXDIG
 * chunk-ext    = *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )
 * trailer-section = *( field-name ":" OWS field-value OWS CRLF )    no obs-fold, no CTL but HTAB
 * </pre>
 *
 * The caller feeds the bytes as they arrive and takes the chunk data itself: {@link #frame} reads framing up
 * to the next chunk data (or the end), {@link #dataLeft} says how much data may follow, {@link #took} counts
 * what was taken. Trailer fields are checked and dropped. A chunk line is at most {@value #MAX_LINE} bytes and
 * the trailer section at most {@value #MAX_TRAILERS}. Any violation is a {@link Refusal}, after which nothing
 * more is read.
 */
final class ChunkedBody {
    static final int MAX_LINE = 4096;
    static final int MAX_TRAILERS = 8192;

    /** A body the server refuses: its status, 400 for framing or 413 for size. */
    static final class Refusal extends Exception {
        final int status;

        Refusal(int status, String why) {
            super(why, null, false, false);
            this.status = status;
        }
    }

    // States: where the next byte falls in the grammar.
    private static final int SIZE_FIRST = 0;
    private static final int SIZE = 1;
    /** BWS that must lead to ";". */
    private static final int BWS_SEMI = 2;
    /** After ";", BWS then a name. */
    private static final int EXT_NAME_FIRST = 3;
    private static final int EXT_NAME = 4;
    /** BWS after a name: "=" or ";" next. */
    private static final int BWS_EQUALS = 5;
    /** After "=", BWS then a value. */
    private static final int EXT_VALUE_FIRST = 6;
    private static final int EXT_TOKEN = 7;
    private static final int EXT_QUOTED = 8;
    private static final int EXT_QUOTED_PAIR = 9;
    private static final int EXT_QUOTED_END = 10;
    private static final int LINE_LF = 11;
    private static final int DATA = 12;
    private static final int DATA_CR = 13;
    private static final int DATA_LF = 14;
    private static final int TRAILER_FIRST = 15;
    private static final int TRAILER_NAME = 16;
    private static final int TRAILER_VALUE = 17;
    private static final int TRAILER_LF = 18;
    private static final int END_LF = 19;
    private static final int DONE = 20;

    private final long limit;
    private int state = SIZE_FIRST;
    private long size;
    private long total;
    private int lineLength;
    private int trailerLength;

    /** @param limit the most data bytes the body may hold; more is a 413 as soon as a chunk size says so */
    ChunkedBody(long limit) {
        this.limit = limit;
    }

    /** True once the last chunk, the trailer section and the final CRLF were read. */
    boolean done() {
        return state == DONE;
    }

    /** Data bytes the current chunk still owes, to be taken before {@link #frame} is called again. */
    long dataLeft() {
        return state == DATA ? size : 0;
    }

    /** {@code count} bytes of the current chunk's data were taken from the source. */
    void took(int count) {
        size -= count;
        if (size == 0) {
            state = DATA_CR;
        }
    }

    /**
     * Reads framing bytes from {@code source} until chunk data is next ({@link #dataLeft} above 0), the body
     * ended ({@link #done}), or the source is empty. Leaves what follows the body in {@code source}.
     *
     * @throws Refusal at the first byte off the grammar, or a chunk that takes the body past the limit
     */
    void frame(ByteBuffer source) throws Refusal {
        while (state != DATA && state != DONE && source.hasRemaining()) {
            int b = source.get() & 0xFF;
            switch (state) {
                case SIZE_FIRST:
                case SIZE: {
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        if (size > (Long.MAX_VALUE >> 4)) {
                            throw new Refusal(400, "chunk size overflows");
                        }
                        size = size << 4 | digit;
                        state = SIZE;
                    } else if (state == SIZE_FIRST) {
                        throw new Refusal(400, "chunk size expected");
                    } else {
                        afterValue(b);
                    }
                    break;
                }
                case BWS_SEMI:
                    if (b == ';') {
                        state = EXT_NAME_FIRST;
                    } else if (!whitespace(b)) {
                        throw new Refusal(400, "chunk extension expected after whitespace");
                    }
                    break;
                case EXT_NAME_FIRST:
                    if (Grammar.tchar(b)) {
                        state = EXT_NAME;
                    } else if (!whitespace(b)) {
                        throw new Refusal(400, "chunk extension name expected");
                    }
                    break;
                case EXT_NAME:
                    if (b == '=') {
                        state = EXT_VALUE_FIRST;
                    } else if (whitespace(b)) {
                        state = BWS_EQUALS;
                    } else if (!Grammar.tchar(b)) {
                        afterValue(b);
                    }
                    break;
                case BWS_EQUALS:
                    if (b == '=') {
                        state = EXT_VALUE_FIRST;
                    } else if (b == ';') {
                        state = EXT_NAME_FIRST;
                    } else if (!whitespace(b)) {
                        throw new Refusal(400, "\"=\" or \";\" expected after a chunk extension name");
                    }
                    break;
                case EXT_VALUE_FIRST:
                    if (b == '"') {
                        state = EXT_QUOTED;
                    } else if (Grammar.tchar(b)) {
                        state = EXT_TOKEN;
                    } else if (!whitespace(b)) {
                        throw new Refusal(400, "chunk extension value expected");
                    }
                    break;
                case EXT_TOKEN:
                    if (!Grammar.tchar(b)) {
                        afterValue(b);
                    }
                    break;
                case EXT_QUOTED:
                    if (b == '"') {
                        state = EXT_QUOTED_END;
                    } else if (b == '\\') {
                        state = EXT_QUOTED_PAIR;
                    } else if (!Grammar.fieldChar(b)) {
                        throw new Refusal(400, "control character in a chunk extension");
                    }
                    break;
                case EXT_QUOTED_PAIR:
                    if (!Grammar.fieldChar(b)) {
                        throw new Refusal(400, "control character in a chunk extension");
                    }
                    state = EXT_QUOTED;
                    break;
                case EXT_QUOTED_END:
                    afterValue(b);
                    break;
                case LINE_LF:
                    lf(b);
                    lineLength = 0;
                    if (size == 0) {
                        state = TRAILER_FIRST;
                    } else if (size > limit - total) {
                        throw new Refusal(413, "the body exceeds the limit");
                    } else {
                        total += size;
                        state = DATA;
                    }
                    continue;
                case DATA_CR:
                    if (b != '\r') {
                        throw new Refusal(400, "CRLF expected after chunk data");
                    }
                    state = DATA_LF;
                    continue;
                case DATA_LF:
                    lf(b);
                    state = SIZE_FIRST;
                    continue;
                case TRAILER_FIRST:
                    if (b == '\r') {
                        state = END_LF;
                    } else if (Grammar.tchar(b)) {
                        state = TRAILER_NAME;
                    } else {
                        throw new Refusal(400, "trailer field name expected");
                    }
                    break;
                case TRAILER_NAME:
                    if (b == ':') {
                        state = TRAILER_VALUE;
                    } else if (!Grammar.tchar(b)) {
                        throw new Refusal(400, "\":\" expected after a trailer field name");
                    }
                    break;
                case TRAILER_VALUE:
                    if (b == '\r') {
                        state = TRAILER_LF;
                    } else if (!Grammar.fieldChar(b)) {
                        throw new Refusal(400, "control character in a trailer field");
                    }
                    break;
                case TRAILER_LF:
                    lf(b);
                    state = TRAILER_FIRST;
                    break;
                case END_LF:
                    lf(b);
                    state = DONE;
                    break;
                default:
                    throw new IllegalStateException("state " + state);
            }
            if (state >= TRAILER_FIRST) {
                if (++trailerLength > MAX_TRAILERS) {
                    throw new Refusal(400, "trailer section too large");
                }
            } else if (++lineLength > MAX_LINE) {
                throw new Refusal(400, "chunk line too long");
            }
        }
    }

    /** After a size, a name or a value: ";" for another extension, whitespace before one, or the line's CR. */
    private void afterValue(int b) throws Refusal {
        if (b == ';') {
            state = EXT_NAME_FIRST;
        } else if (whitespace(b)) {
            state = BWS_SEMI;
        } else if (b == '\r') {
            state = LINE_LF;
        } else {
            throw new Refusal(400, "unexpected byte in a chunk line");
        }
    }

    /** CRLF only: the byte after a CR must be LF. */
    private static void lf(int b) throws Refusal {
        if (b != '\n') {
            throw new Refusal(400, "LF expected after CR");
        }
    }

    private static boolean whitespace(int b) {
        return b == ' ' || b == '\t';
    }
}
