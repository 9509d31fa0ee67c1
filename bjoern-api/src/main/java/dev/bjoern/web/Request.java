package dev.bjoern.web;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.bjoern.Environ;
import dev.bjoern.server.ResponseRules;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A typed, read-only view of one request's environ. Every method reads environ when called, so it sees what
 * middleware changed; only {@link #body()} keeps something, in environ itself. Text is environ's bytes as
 * ISO-8859-1 chars unless the method says "decoded" (then UTF-8, malformed sequences as U+FFFD). A text key
 * that environ lacks reads as {@code ""}; a missing header, cookie or parameter is {@code null}.
 *
 * <pre>{@code
 * Request request = Request.of(environ);
 * String id = request.query("id");            // "/items?id=7" gives "7"
 * String session = request.cookie("session");
 * }</pre>
 */
public final class Request {
    /** The environ key under which {@link #body()} keeps the body it read, a {@code byte[]}. */
    public static final String BODY_KEY = "bjoern.web.body";

    private static final String FORM_TYPE = "application/x-www-form-urlencoded";

    private final Map<String, Object> environ;

    private Request(Map<String, Object> environ) {
        this.environ = environ;
    }

    /**
     * A view of {@code environ}.
     *
     * @param environ a request's environ (SPEC.md 2)
     * @return a view that reads {@code environ} on each call
     * @throws NullPointerException if environ is null
     */
    public static Request of(Map<String, Object> environ) {
        return new Request(Objects.requireNonNull(environ, "environ must not be null"));
    }

    /**
     * The method as sent.
     *
     * @return {@code REQUEST_METHOD} ({@code "GET"})
     */
    public String method() {
        return text(Environ.REQUEST_METHOD);
    }

    /**
     * The path as sent, not decoded as UTF-8: {@code SCRIPT_NAME + PATH_INFO}, percent-escapes already
     * turned into bytes-as-chars by the server, {@code +} kept.
     *
     * @return the path, {@code ""} when both keys are empty
     */
    public String path() {
        return text(Environ.SCRIPT_NAME) + text(Environ.PATH_INFO);
    }

    /**
     * The path below where the application is mounted, as a router matches it: {@code PATH_INFO}, not decoded
     * as UTF-8.
     *
     * @return {@code PATH_INFO}, {@code ""} for the mount point itself
     */
    public String pathInfo() {
        return text(Environ.PATH_INFO);
    }

    /**
     * {@link #path()} decoded as UTF-8: {@code /caf%C3%A9} gives {@code /café}. A malformed UTF-8 sequence
     * becomes U+FFFD (as werkzeug's {@code errors="replace"}); {@code +} stays {@code +}.
     *
     * @return the decoded path
     */
    public String decodedPath() {
        return HttpSyntax.utf8(path());
    }

    /**
     * The first value of a query parameter; see {@link #queryParams()}.
     *
     * @param name the decoded name
     * @return the decoded first value, {@code ""} for {@code ?name} or {@code ?name=}; null when absent
     */
    public String query(String name) {
        return first(queryParams(), name);
    }

    /**
     * Every value of a query parameter, in order; see {@link #queryParams()}.
     *
     * @param name the decoded name
     * @return the decoded values, empty when absent; unmodifiable
     */
    public List<String> queryAll(String name) {
        return queryParams().getOrDefault(name, List.of());
    }

    /**
     * {@code QUERY_STRING} decoded as application/x-www-form-urlencoded (WHATWG URL standard): pairs split
     * at {@code &} only (empty pairs skipped), name and value at the first {@code =} (a pair without one has
     * the value {@code ""}), {@code +} as a space, {@code %XY} as a byte, the bytes decoded as UTF-8. A
     * {@code %} not followed by two hex digits is kept as a {@code %}.
     *
     * @return the parameters in the order of their first appearance, each with its values in order;
     *     unmodifiable
     */
    public Map<String, List<String>> queryParams() {
        return HttpSyntax.parseForm(text(Environ.QUERY_STRING));
    }

    /**
     * A request header by case-insensitive name, from its environ key ({@code HTTP_*}, {@code CONTENT_TYPE},
     * {@code CONTENT_LENGTH}). Repeated fields arrive joined with {@code ", "} (SPEC.md 2).
     *
     * @param name the header name ({@code "content-type"}, {@code "X-Request-Id"})
     * @return the value as sent (bytes as ISO-8859-1 chars); null when absent, and always for a name with
     *     {@code _}, since servers drop such headers rather than confuse them with the {@code -} form
     */
    public String header(String name) {
        if (name.indexOf('_') >= 0) {
            return null;
        }
        return string(Environ.headerKey(name));
    }

    /**
     * One cookie's value; see {@link #cookies()}.
     *
     * @param name the cookie name
     * @return the decoded value; null when the request has no such cookie
     */
    public String cookie(String name) {
        return cookies().get(name);
    }

    /**
     * The {@code Cookie} header parsed as RFC 6265 section 5.4 sends it: pairs split at {@code ;}, spaces
     * and tabs around names and values trimmed, the name before the first {@code =} and the value after it
     * (so a value may hold {@code =}); a value in double quotes loses them; the value is then decoded as
     * UTF-8 (no percent-decoding). A pair without {@code =} or whose name is not a token is skipped. When a
     * name repeats, the first wins: browsers send the most specific cookie (longest path) first.
     *
     * @return the cookies in header order; unmodifiable, empty when there is no {@code Cookie} header
     */
    public Map<String, String> cookies() {
        String header = string("HTTP_COOKIE");
        if (header == null) {
            return Map.of();
        }
        Map<String, String> cookies = new LinkedHashMap<>();
        for (String pair : header.split(";")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = HttpSyntax.trimOws(pair.substring(0, eq));
            String value = HttpSyntax.trimOws(pair.substring(eq + 1));
            if (!ResponseRules.isToken(name)) {
                continue;
            }
            if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                value = value.substring(1, value.length() - 1);
            }
            cookies.putIfAbsent(name, HttpSyntax.utf8(value));
        }
        return Collections.unmodifiableMap(cookies);
    }

    /**
     * The request body. The first call reads what is left of {@code wsgi.input} to its end (safe, as
     * {@code wsgi.input_terminated} is true), keeps it in environ under {@link #BODY_KEY} and puts a fresh
     * stream over the same bytes in {@code wsgi.input}, so that later readers, and every {@code Request} over
     * this environ, see the whole body.
     *
     * @return the body, the same array on every call; empty without {@code wsgi.input}. Do not modify it.
     * @throws IOException if reading {@code wsgi.input} fails
     */
    public byte[] body() throws IOException {
        Object kept = environ.get(BODY_KEY);
        if (kept instanceof byte[]) {
            return (byte[]) kept;
        }
        InputStream input = (InputStream) environ.get(Environ.WSGI_INPUT);
        byte[] body = input == null ? new byte[0] : input.readAllBytes();
        environ.put(BODY_KEY, body);
        environ.put(Environ.WSGI_INPUT, new ByteArrayInputStream(body));
        return body;
    }

    /**
     * The body decoded by the {@code charset} parameter of {@code Content-Type}; UTF-8 when there is none or
     * the JDK does not know it. Malformed input becomes U+FFFD.
     *
     * @return the body as text
     * @throws IOException as {@link #body()}
     */
    public String text() throws IOException {
        return new String(body(), charset());
    }

    /**
     * The first value of a form field; see {@link #formParams()}.
     *
     * @param name the decoded field name
     * @return the decoded first value; null when absent
     * @throws IOException as {@link #body()}
     */
    public String form(String name) throws IOException {
        return first(formParams(), name);
    }

    /**
     * Every value of a form field, in order; see {@link #formParams()}.
     *
     * @param name the decoded field name
     * @return the decoded values, empty when absent; unmodifiable
     * @throws IOException as {@link #body()}
     */
    public List<String> formAll(String name) throws IOException {
        return formParams().getOrDefault(name, List.of());
    }

    /**
     * The fields of an {@code application/x-www-form-urlencoded} body, decoded as {@link #queryParams()}
     * decodes the query (always UTF-8: the form type has no charset parameter). Other bodies (multipart
     * among them) have no fields here and are not read.
     *
     * @return the fields in order of first appearance; unmodifiable, empty for another content type
     * @throws IOException as {@link #body()}
     */
    public Map<String, List<String>> formParams() throws IOException {
        String type = string(Environ.CONTENT_TYPE);
        if (type == null || !mediaType(type).equalsIgnoreCase(FORM_TYPE)) {
            return Map.of();
        }
        return HttpSyntax.parseForm(new String(body(), ISO_8859_1));
    }

    private Charset charset() {
        String type = string(Environ.CONTENT_TYPE);
        if (type == null) {
            return UTF_8;
        }
        for (String param : type.split(";")) {
            int eq = param.indexOf('=');
            if (eq > 0 && HttpSyntax.trimOws(param.substring(0, eq)).equalsIgnoreCase("charset")) {
                String name = HttpSyntax.trimOws(param.substring(eq + 1));
                if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                    name = name.substring(1, name.length() - 1);
                }
                try {
                    return Charset.forName(name);
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    // The client named a charset we cannot read; UTF-8 is the best guess on today's web.
                    return UTF_8;
                }
            }
        }
        return UTF_8;
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return HttpSyntax.trimOws(semicolon < 0 ? contentType : contentType.substring(0, semicolon));
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null ? null : values.get(0);
    }

    private String text(String key) {
        String value = string(key);
        return value == null ? "" : value;
    }

    private String string(String key) {
        return Environs.string(environ, key);
    }
}
