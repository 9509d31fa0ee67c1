package dev.bjoern.undertow;

import dev.bjoern.server.ResponseRules;
import io.undertow.util.HeaderValues;

/**
 * How a request's body is framed, checked to the letter of RFC 9112 §6 before any body byte is read: Undertow
 * reads a Content-Length past 2^63 - 1 modulo 2^64 and decodes any Transfer-Encoding as chunked.
 */
final class RequestFraming {
    private RequestFraming() {
    }

    /**
     * The body length a Content-Length field gives, or -1 when the request must be refused (400): a value that
     * is not {@code 1*DIGIT} or does not fit in a long, more than one field line or a list (even of equal
     * values, which Undertow's parser refuses before us), or a Transfer-Encoding beside it (§6.3).
     */
    static long contentLength(HeaderValues values, boolean transferEncoding) {
        if (transferEncoding || values.size() != 1) {
            return -1;
        }
        String value = values.getFirst();
        if (value.isEmpty()) {
            return -1;
        }
        long length = 0;
        for (int i = 0; i < value.length(); i++) {
            int digit = value.charAt(i) - '0';
            if (digit < 0 || digit > 9 || length > (Long.MAX_VALUE - digit) / 10) {
                return -1;
            }
            length = length * 10 + digit;
        }
        return length;
    }

    /**
     * 0 if a Transfer-Encoding field frames the body as we can read it: {@code chunked} alone (empty list
     * elements are ignored, RFC 9110 §5.6.1.2), on HTTP/1.1. Otherwise the status to refuse it with (§6.1, §6.3):
     * 400 when chunked is not the final coding or is there twice, a coding is not a token, the request is
     * HTTP/1.0, or the field is repeated; 501 for a valid coding before chunked, which we do not implement.
     */
    static int transferCoding(HeaderValues values, boolean http11) {
        if (values == null || values.size() != 1 || !http11) {
            return 400;
        }
        int codings = 0;
        boolean chunkedLast = false;
        for (String element : values.getFirst().split(",", -1)) {
            String coding = element.strip();
            if (coding.isEmpty()) {
                continue;
            }
            if (chunkedLast) {
                return 400;
            }
            codings++;
            chunkedLast = coding.equalsIgnoreCase("chunked");
            int parameters = coding.indexOf(';');
            if (!chunkedLast && !ResponseRules.isToken(parameters < 0 ? coding : coding.substring(0, parameters).strip())) {
                return 400;
            }
        }
        if (!chunkedLast) {
            return 400;
        }
        return codings == 1 ? 0 : 501;
    }

}
