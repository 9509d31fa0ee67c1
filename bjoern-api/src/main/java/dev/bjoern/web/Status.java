package dev.bjoern.web;

import java.util.Map;

/** Status lines for start_response: {@code Status.line(404)} is {@code "404 Not Found"}. */
public final class Status {
    private Status() {
    }

    /** The IANA registry's reasons (RFC 9110 and its successors) for the codes start_response takes. */
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"),
            Map.entry(201, "Created"),
            Map.entry(202, "Accepted"),
            Map.entry(203, "Non-Authoritative Information"),
            Map.entry(204, "No Content"),
            Map.entry(205, "Reset Content"),
            Map.entry(206, "Partial Content"),
            Map.entry(207, "Multi-Status"),
            Map.entry(208, "Already Reported"),
            Map.entry(226, "IM Used"),
            Map.entry(300, "Multiple Choices"),
            Map.entry(301, "Moved Permanently"),
            Map.entry(302, "Found"),
            Map.entry(303, "See Other"),
            Map.entry(304, "Not Modified"),
            Map.entry(305, "Use Proxy"),
            Map.entry(307, "Temporary Redirect"),
            Map.entry(308, "Permanent Redirect"),
            Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"),
            Map.entry(402, "Payment Required"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"),
            Map.entry(407, "Proxy Authentication Required"),
            Map.entry(408, "Request Timeout"),
            Map.entry(409, "Conflict"),
            Map.entry(410, "Gone"),
            Map.entry(411, "Length Required"),
            Map.entry(412, "Precondition Failed"),
            Map.entry(413, "Content Too Large"),
            Map.entry(414, "URI Too Long"),
            Map.entry(415, "Unsupported Media Type"),
            Map.entry(416, "Range Not Satisfiable"),
            Map.entry(417, "Expectation Failed"),
            Map.entry(421, "Misdirected Request"),
            Map.entry(422, "Unprocessable Content"),
            Map.entry(423, "Locked"),
            Map.entry(424, "Failed Dependency"),
            Map.entry(425, "Too Early"),
            Map.entry(426, "Upgrade Required"),
            Map.entry(428, "Precondition Required"),
            Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"),
            Map.entry(451, "Unavailable For Legal Reasons"),
            Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"),
            Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"),
            Map.entry(505, "HTTP Version Not Supported"),
            Map.entry(506, "Variant Also Negotiates"),
            Map.entry(507, "Insufficient Storage"),
            Map.entry(508, "Loop Detected"),
            Map.entry(511, "Network Authentication Required"));

    /** RFC 9110 section 15's class names, for codes the registry leaves unassigned (2xx to 5xx). */
    private static final String[] CLASS_REASONS = {"Successful", "Redirection", "Client Error", "Server Error"};

    /**
     * The status line for a code. A code the IANA registry assigns gets its reason; an unassigned one (an
     * application's own 299, a proxy's 599) gets its class's name from RFC 9110, since clients read the code,
     * not the reason: {@code line(299)} is {@code "299 Successful"}, {@code line(599)} {@code "599 Server Error"}.
     *
     * @param code from 200 to 599, what start_response takes
     * @return the code, a space and the reason
     * @throws IllegalArgumentException for a code outside 200 to 599
     */
    public static String line(int code) {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException(
                    "status code must be from 200 to 599, as start_response takes, got " + code);
        }
        String reason = REASONS.get(code);
        return code + " " + (reason != null ? reason : CLASS_REASONS[code / 100 - 2]);
    }
}
