package dev.bjoern.undertow;

import dev.bjoern.server.ResponseRules;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;

/**
 * Undertow's forms of what start_response gave, once {@link ResponseRules} has checked it: the status code and
 * whether its reason is Undertow's own, a header name as an {@link HttpString}. Both cached, as applications
 * pass the same constants again and again.
 */
final class ResponseHead {
    /**
     * Header names seen before, by identity: a String cannot change, so the very same one maps to the same
     * HttpString. Racy by design: a missed or overwritten entry only means making the HttpString again.
     */
    private static final Name[] NAMES = new Name[64];

    private record Name(String text, HttpString header) {
    }

    /** The status last seen. */
    private static volatile Status lastStatus;

    private ResponseHead() {
    }

    /** A checked status line: its code, and whether its reason is the standard one Undertow writes itself. */
    record Status(String line, int code, boolean standardReason) {
    }

    /**
     * @throws IllegalArgumentException as {@link ResponseRules#status} says
     */
    static Status status(String line) {
        Status last = lastStatus;
        if (last != null && last.line == line) {
            return last;
        }
        int code = ResponseRules.status(line);
        String reason = StatusCodes.getReason(code);
        boolean standard = line.length() == 4 + reason.length() && line.regionMatches(4, reason, 0, reason.length());
        lastStatus = last = new Status(line, code, standard);
        return last;
    }

    /** The Undertow form of a header name that {@link ResponseRules#headers} has checked. */
    static HttpString header(String name) {
        int slot = name.hashCode() & (NAMES.length - 1);
        Name known = NAMES[slot];
        if (known != null && known.text == name) {
            return known.header;
        }
        HttpString header = HttpString.tryFromString(name);
        NAMES[slot] = new Name(name, header);
        return header;
    }
}
