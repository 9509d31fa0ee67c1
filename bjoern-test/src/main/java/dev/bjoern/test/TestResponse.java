package dev.bjoern.test;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A response as {@link TestClient} received it: the status, the headers the application gave with the
 * Content-Length a server computes, the body, and what the application wrote to {@code wsgi.errors}.
 */
public final class TestResponse {
    private final String status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;
    private final String errors;

    TestResponse(String status, List<Map.Entry<String, String>> headers, byte[] body, String errors) {
        this.status = status;
        this.headers = List.copyOf(headers);
        this.body = body;
        this.errors = errors;
    }

    /** @return the status code, like 200 */
    public int status() {
        return Integer.parseInt(status.substring(0, 3));
    }

    /** @return the whole status line as the application gave it, like {@code "200 OK"} */
    public String statusLine() {
        return status;
    }

    /** @return the first value of the header {@code name}, in any case, or null when there is none */
    public String header(String name) {
        return first(headers, name);
    }

    /** The first value of the header {@code name} among {@code headers}, in any case, or null. */
    static String first(List<Map.Entry<String, String>> headers, String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** @return every value of the header {@code name}, in any case, in order */
    public List<String> headers(String name) {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                values.add(header.getValue());
            }
        }
        return values;
    }

    /** @return every header, in order, names as given */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** @return the body, empty for HEAD, 204 and 304 */
    public byte[] body() {
        return body.clone();
    }

    /** @return the body decoded by the charset of its Content-Type, UTF-8 when it names none */
    public String text() {
        return new String(body, charset());
    }

    private Charset charset() {
        String type = header("Content-Type");
        if (type != null) {
            for (String parameter : type.split(";")) {
                String[] pair = parameter.trim().split("=", 2);
                if (pair.length == 2 && pair[0].trim().toLowerCase(Locale.ROOT).equals("charset")) {
                    return Charset.forName(pair[1].trim().replace("\"", ""));
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** @return what was written to {@code wsgi.errors} during the request, the server's log lines included */
    public String errors() {
        return errors;
    }

    @Override
    public String toString() {
        return status + " " + headers + " (" + body.length + " bytes)";
    }
}
