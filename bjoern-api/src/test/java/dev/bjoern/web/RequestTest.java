package dev.bjoern.web;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestTest {
    /** An environ as a server builds it; pairs of key and value. */
    static Map<String, Object> environ(Object... keysAndValues) {
        Map<String, Object> environ = new HashMap<>();
        environ.put("REQUEST_METHOD", "GET");
        environ.put("SCRIPT_NAME", "");
        environ.put("PATH_INFO", "/");
        environ.put("QUERY_STRING", "");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            environ.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return environ;
    }

    static Request query(String queryString) {
        return Request.of(environ("QUERY_STRING", queryString));
    }

    /** PATH_INFO as the server hands it over: the UTF-8 bytes of the text, one char each. */
    static String bytesAsChars(String text) {
        return new String(text.getBytes(UTF_8), ISO_8859_1);
    }

    @Test
    void readsMethodAndPathAsSent() {
        Request request = Request.of(environ("REQUEST_METHOD", "PATCH", "SCRIPT_NAME", "/app", "PATH_INFO", "/a+b"));
        assertEquals("PATCH", request.method());
        assertEquals("/app/a+b", request.path());
        assertEquals("/a+b", request.pathInfo());
        assertEquals("/app/a+b", request.decodedPath());
    }

    @Test
    void decodesThePathAsUtf8() {
        Request request = Request.of(environ("PATH_INFO", bytesAsChars("/café/€/😀")));
        assertEquals(bytesAsChars("/café/€/😀"), request.path());
        assertEquals("/café/€/😀", request.decodedPath());
    }

    @Test
    void replacesMalformedUtf8InThePathWithReplacementChars() {
        // A lone continuation byte, a lead byte before ASCII, and a sequence cut short at the end.
        Request request = Request.of(environ("PATH_INFO", "/\u0080/\u00c3(/\u00e2\u0082"));
        assertEquals("/\ufffd/\ufffd(/\ufffd", request.decodedPath());
    }

    @Test
    void readsAbsentKeysAsEmptyText() {
        Request request = Request.of(new HashMap<>());
        assertEquals("", request.method());
        assertEquals("", request.path());
        assertEquals(Map.of(), request.queryParams());
        assertNull(request.header("Host"));
        assertEquals(Map.of(), request.cookies());
    }

    @Test
    void refusesATextKeyThatIsNotAString() {
        Request request = Request.of(environ("PATH_INFO", 7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, request::path);
        assertEquals("environ PATH_INFO must be a String, got java.lang.Integer", e.getMessage());
    }

    @Test
    void decodesPlusAsSpaceInTheQueryButNotInThePath() {
        Request request = Request.of(environ("PATH_INFO", "/a+b", "QUERY_STRING", "q=a+b&a+b=c"));
        assertEquals("/a+b", request.decodedPath());
        assertEquals("a b", request.query("q"));
        assertEquals("c", request.query("a b"));
    }

    @Test
    void decodesPercentEscapesInTheQuery() {
        Request request = query("slash=a%2Fb&pct=100%25&plus=%2B&upper=%c3%A9");
        assertEquals("a/b", request.query("slash"));
        assertEquals("100%", request.query("pct"));
        assertEquals("+", request.query("plus"));
        assertEquals("é", request.query("upper"));
    }

    @Test
    void decodesMultiByteUtf8InTheQuery() {
        Request request = query("name=%E2%82%AC%F0%9F%98%80&%E2%82%AC=euro");
        assertEquals("€😀", request.query("name"));
        assertEquals("euro", request.query("€"));
    }

    @Test
    void keepsAMalformedPercentAsIs() {
        Request request = query("a=%zz&b=%&c=%4&d=100%&e=%%41");
        assertEquals("%zz", request.query("a"));
        assertEquals("%", request.query("b"));
        assertEquals("%4", request.query("c"));
        assertEquals("100%", request.query("d"));
        assertEquals("%A", request.query("e"));
    }

    @Test
    void replacesInvalidUtf8InTheQueryWithReplacementChars() {
        Request request = query("a=%FF&b=%C3%28&c=x%E2%82");
        assertEquals("\ufffd", request.query("a"));
        assertEquals("\ufffd(", request.query("b"));
        assertEquals("x\ufffd", request.query("c"));
    }

    @Test
    void keepsRepeatedKeysInOrder() {
        Request request = query("id=1&x=y&id=2&id=3");
        assertEquals("1", request.query("id"));
        assertEquals(List.of("1", "2", "3"), request.queryAll("id"));
        assertEquals(List.of("id", "x"), List.copyOf(request.queryParams().keySet()));
    }

    @Test
    void keepsEmptyValuesAndKeysWithoutEquals() {
        Request request = query("empty=&flag&=v&&last=");
        assertEquals("", request.query("empty"));
        assertEquals("", request.query("flag"));
        assertEquals("v", request.query(""));
        assertEquals(List.of("empty", "flag", "", "last"), List.copyOf(request.queryParams().keySet()));
    }

    @Test
    void splitsAtTheFirstEqualsOnly() {
        assertEquals("b=c", query("a=b=c").query("a"));
    }

    @Test
    void splitsAtAmpersandOnly() {
        Request request = query("a=1;b=2");
        assertEquals("1;b=2", request.query("a"));
        assertNull(request.query("b"));
    }

    @Test
    void answersMissingQueryParametersWithNullAndEmptyList() {
        Request request = query("a=1");
        assertNull(request.query("b"));
        assertEquals(List.of(), request.queryAll("b"));
    }

    @Test
    void returnsUnmodifiableQueryParameters() {
        Map<String, List<String>> params = query("a=1").queryParams();
        assertThrows(UnsupportedOperationException.class, () -> params.put("b", List.of()));
        assertThrows(UnsupportedOperationException.class, () -> params.get("a").add("2"));
    }

    @Test
    void findsHeadersByCaseInsensitiveName() {
        Request request = Request.of(environ("HTTP_X_REQUEST_ID", "abc", "CONTENT_TYPE", "text/plain",
                "CONTENT_LENGTH", "5", "HTTP_ACCEPT", "a, b"));
        assertEquals("abc", request.header("x-request-id"));
        assertEquals("abc", request.header("X-REQUEST-ID"));
        assertEquals("text/plain", request.header("Content-Type"));
        assertEquals("5", request.header("content-length"));
        assertEquals("a, b", request.header("Accept"));
        assertNull(request.header("X-Other"));
    }

    @Test
    void findsNoHeaderWhoseNameHasAnUnderscore() {
        Request request = Request.of(environ("HTTP_X_REQUEST_ID", "abc"));
        assertNull(request.header("X_Request_Id"));
    }

    @Test
    void parsesCookies() {
        Request request = Request.of(environ("HTTP_COOKIE", "a=1; b=\"quoted\";c=x=y=z;  d = spaced ;e="));
        assertEquals("1", request.cookie("a"));
        assertEquals("quoted", request.cookie("b"));
        assertEquals("x=y=z", request.cookie("c"));
        assertEquals("spaced", request.cookie("d"));
        assertEquals("", request.cookie("e"));
        assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(request.cookies().keySet()));
    }

    @Test
    void keepsSpacesInsideACookieValueAndAnUnmatchedQuote() {
        Request request = Request.of(environ("HTTP_COOKIE", "a=hello world; b=\"open; c=\""));
        assertEquals("hello world", request.cookie("a"));
        assertEquals("\"open", request.cookie("b"));
        assertEquals("\"", request.cookie("c"));
    }

    @Test
    void letsTheFirstOfRepeatedCookiesWin() {
        Request request = Request.of(environ("HTTP_COOKIE", "sid=specific; sid=general"));
        assertEquals("specific", request.cookie("sid"));
    }

    @Test
    void skipsMalformedCookiePairs() {
        Request request = Request.of(environ("HTTP_COOKIE", "novalue; =nameless; bad name=1; ok=2;;"));
        assertEquals(Map.of("ok", "2"), request.cookies());
    }

    @Test
    void decodesCookieValuesAsUtf8WithoutPercentDecoding() {
        Request request = Request.of(environ("HTTP_COOKIE", "a=" + bytesAsChars("é") + "; b=%41"));
        assertEquals("é", request.cookie("a"));
        assertEquals("%41", request.cookie("b"));
    }

    @Test
    void readsTheBodyOnceAndLeavesItInEnviron() throws Exception {
        Map<String, Object> environ = environ("wsgi.input", new ByteArrayInputStream("hello".getBytes(UTF_8)));
        byte[] body = Request.of(environ).body();
        assertArrayEquals("hello".getBytes(UTF_8), body);
        assertSame(body, Request.of(environ).body());
        assertSame(body, environ.get(Request.BODY_KEY));
        assertArrayEquals(body, ((InputStream) environ.get("wsgi.input")).readAllBytes());
    }

    @Test
    void readsAnEmptyBodyWithoutInput() throws Exception {
        assertArrayEquals(new byte[0], Request.of(new HashMap<>()).body());
    }

    @Test
    void decodesTheBodyByTheContentTypeCharset() throws Exception {
        Map<String, Object> environ = environ("CONTENT_TYPE", "text/plain; Charset=\"ISO-8859-1\"",
                "wsgi.input", new ByteArrayInputStream(new byte[] {'c', 'a', 'f', (byte) 0xe9}));
        assertEquals("café", Request.of(environ).text());
    }

    @Test
    void decodesTheBodyAsUtf8WithoutOrWithAnUnknownCharset() throws Exception {
        byte[] utf8 = "café".getBytes(UTF_8);
        assertEquals("café", Request.of(environ("wsgi.input", new ByteArrayInputStream(utf8))).text());
        assertEquals("café", Request.of(environ("CONTENT_TYPE", "text/plain; charset=no-such-charset",
                "wsgi.input", new ByteArrayInputStream(utf8))).text());
    }

    @Test
    void parsesAnUrlencodedForm() throws Exception {
        Request request = Request.of(environ("REQUEST_METHOD", "POST",
                "CONTENT_TYPE", "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
                "wsgi.input", new ByteArrayInputStream("tag=a&tag=b+c&name=%C3%A9&raw=é&flag".getBytes(UTF_8))));
        assertEquals("a", request.form("tag"));
        assertEquals(List.of("a", "b c"), request.formAll("tag"));
        assertEquals("é", request.form("name"));
        assertEquals("é", request.form("raw"));
        assertEquals("", request.form("flag"));
        assertNull(request.form("other"));
    }

    @Test
    void findsNoFormFieldsInOtherBodiesAndLeavesThemUnread() throws Exception {
        Map<String, Object> environ = environ("CONTENT_TYPE", "multipart/form-data; boundary=x",
                "wsgi.input", new ByteArrayInputStream("a=1".getBytes(UTF_8)));
        assertEquals(Map.of(), Request.of(environ).formParams());
        assertNull(environ.get(Request.BODY_KEY));
        assertEquals(Map.of(), Request.of(environ("wsgi.input", new ByteArrayInputStream(new byte[1])))
                .formParams());
    }
}
