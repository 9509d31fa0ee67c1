package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A plain HttpServlet behind a Filter, through the bridge and our server on loopback. */
class PlainServletTest {
    static ServletServer root;
    static ServletServer api;

    /** Adds X-Filtered to every response and counts requests per filter instance. */
    static final class TagFilter implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            ((HttpServletResponse) response).setHeader("X-Filtered", "yes");
            request.setAttribute("filtered", Boolean.TRUE);
            chain.doFilter(request, response);
        }
    }

    /** Answers by pathInfo; "/echo" describes the request as key=value lines. */
    static final class TestServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
            String path = req.getPathInfo() == null ? "" : req.getPathInfo();
            switch (path) {
                case "/missing":
                    resp.sendError(404, "no <such> thing");
                    return;
                case "/boom":
                    throw new IllegalStateException("boom on purpose");
                case "/late-boom":
                    resp.getOutputStream().write(new byte[20_000]);
                    throw new IllegalStateException("late boom on purpose");
                case "/big":
                    resp.getOutputStream().write(new byte[20_000]);
                    return;
                case "/redirect":
                    resp.sendRedirect("/elsewhere?x=1");
                    return;
                case "/cookies":
                    Map<String, String> seen = new TreeMap<>();
                    if (req.getCookies() != null) {
                        for (Cookie cookie : req.getCookies()) {
                            seen.put(cookie.getName(), cookie.getValue());
                        }
                    }
                    Cookie set = new Cookie("flavour", "oat");
                    set.setPath("/");
                    set.setHttpOnly(true);
                    set.setAttribute("SameSite", "Lax");
                    resp.addCookie(set);
                    resp.addCookie(new Cookie("second", "2"));
                    resp.setContentType("text/plain");
                    resp.getWriter().print(seen);
                    return;
                case "/latin":
                    resp.setContentType("text/plain");
                    resp.getWriter().print("café");
                    return;
                case "/emoji":
                    resp.setContentType("text/plain;charset=UTF-8");
                    for (char c : "a\uD83D\uDE00b".toCharArray()) {
                        resp.getWriter().print(c);
                    }
                    return;
                case "/bytes":
                    resp.getOutputStream().write("raw".getBytes(StandardCharsets.US_ASCII));
                    return;
                default:
                    echo(req, resp);
            }
        }

        @Override
        protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String parameters = String.valueOf(req.getParameterMap().keySet());
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print(parameters + " " + new String(req.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8));
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
            if ("/reader".equals(req.getPathInfo())) {
                resp.setContentType("text/plain;charset=UTF-8");
                resp.getWriter().print(req.getCharacterEncoding() + ":" + req.getReader().readLine());
                return;
            }
            if ("/json".equals(req.getPathInfo())) {
                String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                resp.setContentType("application/json");
                resp.setCharacterEncoding("UTF-8");
                resp.getWriter().print("{\"got\":" + body + ",\"type\":\"" + req.getContentType() + "\"}");
                return;
            }
            echo(req, resp);
        }

        private static void echo(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain;charset=UTF-8");
            var out = resp.getWriter();
            out.println("method=" + req.getMethod());
            out.println("requestURI=" + req.getRequestURI());
            out.println("contextPath=" + req.getContextPath());
            out.println("servletPath=" + req.getServletPath());
            out.println("pathInfo=" + req.getPathInfo());
            out.println("query=" + req.getQueryString());
            out.println("mapping=" + req.getHttpServletMapping().getPattern() + " "
                    + req.getHttpServletMapping().getMappingMatch() + " "
                    + req.getHttpServletMapping().getMatchValue());
            out.println("url=" + req.getRequestURL());
            for (String name : Collections.list(req.getParameterNames())) {
                out.println("param." + name + "=" + String.join("|", req.getParameterValues(name)));
            }
            out.println("x-multi=" + req.getHeader("X-Multi"));
            out.println("locale=" + req.getLocale().toLanguageTag());
            out.println("remote=" + req.getRemoteAddr());
            out.println("filtered=" + req.getAttribute("filtered"));
            out.println("encoding=" + req.getCharacterEncoding());
        }
    }

    @BeforeAll
    static void start() throws Exception {
        root = new ServletServer(ServletApplication.builder(new TestServlet()).filter(new TagFilter(), "/*").build());
        // The builder example of docs/servlet-bridge.md.
        api = new ServletServer(ServletApplication.builder(new TestServlet())
                .mapping("/api/*")
                .filter(new TagFilter(), "/api/*")
                .async(true)
                .sessionTimeout(java.time.Duration.ofMinutes(20))
                .multipart(new jakarta.servlet.MultipartConfigElement("/var/tmp/uploads", 1 << 20, 2 << 20, 1024))
                .build());
    }

    @AfterAll
    static void stop() throws Exception {
        root.close();
        api.close();
    }

    private static Map<String, String> lines(String body) {
        Map<String, String> lines = new TreeMap<>();
        for (String line : body.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                lines.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return lines;
    }

    @Test
    void getWithEncodedQueryDecodesParametersAsUtf8() throws Exception {
        HttpResponse<String> response = root.get("/search?q=caf%C3%A9+au+lait&tag=a&tag=b%26c");
        assertEquals(200, response.statusCode());
        Map<String, String> seen = lines(response.body());
        assertEquals("café au lait", seen.get("param.q"));
        assertEquals("a|b&c", seen.get("param.tag"));
        assertEquals("q=caf%C3%A9+au+lait&tag=a&tag=b%26c", seen.get("query"));
        assertEquals("/search", seen.get("requestURI"));
        assertEquals("yes", response.headers().firstValue("X-Filtered").orElse(null));
        assertEquals("true", seen.get("filtered"));
        assertEquals("text/plain;charset=UTF-8", response.headers().firstValue("Content-Type").orElse(null));
        assertEquals(Integer.toString(response.body().getBytes(StandardCharsets.UTF_8).length),
                response.headers().firstValue("Content-Length").orElse(null));
    }

    @Test
    void formPostIsReadThroughGetParameter() throws Exception {
        HttpResponse<String> response = root.send(HttpRequest.newBuilder(root.uri("/form?from=query"))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString("name=J%C3%B6rg+M&from=body")));
        Map<String, String> seen = lines(response.body());
        assertEquals("Jörg M", seen.get("param.name"));
        assertEquals("query|body", seen.get("param.from"));
        assertEquals("UTF-8", seen.get("encoding"));
    }

    @Test
    void aFormBodyOfAnotherMethodIsNoParametersButStaysReadable() throws Exception {
        // Servlet 6.1, 3.1.1: only a POST's form body becomes parameters (Spring's FormContentFilter reads PUTs).
        HttpResponse<String> response = root.send(HttpRequest.newBuilder(root.uri("/form?from=query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofString("name=x&from=body")));
        assertEquals("[from] name=x&from=body", response.body());
    }

    @Test
    void aSurrogatePairWrittenOneCharAtATimeIsOneCharacter() throws Exception {
        HttpResponse<String> response = root.send(HttpRequest.newBuilder(root.uri("/emoji")).GET());
        assertEquals("a\uD83D\uDE00b", response.body());
    }

    @Test
    void jsonPostBodyIsReadFromTheInputStream() throws Exception {
        HttpResponse<String> response = root.send(HttpRequest.newBuilder(root.uri("/json"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":\"ü\"}", StandardCharsets.UTF_8)));
        assertEquals(200, response.statusCode());
        assertEquals("{\"got\":{\"n\":\"ü\"},\"type\":\"application/json\"}", response.body());
        assertEquals("application/json;charset=UTF-8", response.headers().firstValue("Content-Type").orElse(null));
    }

    @Test
    void theReaderDecodesTheBodyInTheRequestCharset() throws Exception {
        HttpResponse<String> response = root.send(HttpRequest.newBuilder(root.uri("/reader"))
                .header("Content-Type", "text/plain; charset=ISO-8859-15")
                .POST(HttpRequest.BodyPublishers.ofString("€uro", java.nio.charset.Charset.forName("ISO-8859-15"))));
        assertEquals("ISO-8859-15:€uro", response.body());
    }

    @Test
    void anEmptyQueryStringIsNull() throws Exception {
        assertEquals("null", lines(root.get("/q?").body()).get("query"));
        assertEquals("null", lines(root.get("/q").body()).get("query"));
    }

    @Test
    void sendErrorAnswersWithTheStatusAndAnEscapedPage() throws Exception {
        HttpResponse<String> response = root.get("/missing");
        assertEquals(404, response.statusCode());
        assertTrue(response.body().contains("<h1>404 Not Found</h1>"), response.body());
        assertTrue(response.body().contains("no &lt;such&gt; thing"), response.body());
        assertEquals("text/html;charset=UTF-8", response.headers().firstValue("Content-Type").orElse(null));
    }

    @Test
    void anExceptionBeforeCommitIsA500AndLogged() throws Exception {
        HttpResponse<String> response = root.get("/boom");
        assertEquals(500, response.statusCode());
        assertEquals("", response.body());
        assertTrue(root.errors().contains("bjoern-servlet: error in servlet for GET /boom"), root.errors());
        assertTrue(root.errors().contains("boom on purpose"), root.errors());
    }

    @Test
    void anExceptionAfterCommitAbortsTheResponse() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", root.port())) {
            socket.getOutputStream().write("GET /late-boom HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(20_000);
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response.substring(0, 100));
            assertTrue(response.contains("Transfer-Encoding: chunked\r\n"), "no length, since the buffer overflowed");
            assertTrue(!response.endsWith("0\r\n\r\n"), "a clean end after an error");
        }
        assertTrue(root.errors().contains("late boom on purpose"), root.errors());
    }

    @Test
    void aResponseLargerThanTheBufferIsStreamedWithoutALength() throws Exception {
        HttpResponse<String> response = root.get("/big");
        assertEquals(20_000, response.body().length());
        assertTrue(response.headers().firstValue("Content-Length").isEmpty());
    }

    @Test
    void sendRedirectSetsLocation() throws Exception {
        HttpResponse<String> response = root.get("/redirect");
        assertEquals(302, response.statusCode());
        assertEquals("/elsewhere?x=1", response.headers().firstValue("Location").orElse(null));
    }

    @Test
    void headGetsTheHeadersOfGetAndNoBody() throws Exception {
        HttpResponse<String> get = root.get("/latin");
        HttpResponse<String> head = root.send(HttpRequest.newBuilder(root.uri("/latin"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(get.headers().firstValue("Content-Length"), head.headers().firstValue("Content-Length"));
        assertEquals(get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"));
    }

    @Test
    void nonAsciiPathIsDecodedAsUtf8UnderTheRootMapping() throws Exception {
        Map<String, String> seen = lines(root.get("/things/caf%C3%A9").body());
        assertEquals("/things/caf%C3%A9", seen.get("requestURI"));
        assertEquals("", seen.get("servletPath"));
        assertEquals("/things/café", seen.get("pathInfo"));
        assertEquals("", seen.get("contextPath"));
        assertEquals("/* PATH things/café", seen.get("mapping"));
        assertEquals("http://127.0.0.1:" + root.port() + "/things/caf%C3%A9", seen.get("url"));
    }

    @Test
    void nonAsciiPathIsDecodedAsUtf8UnderAPrefixMapping() throws Exception {
        Map<String, String> seen = lines(api.get("/api/things/caf%C3%A9").body());
        assertEquals("/api/things/caf%C3%A9", seen.get("requestURI"));
        assertEquals("/api", seen.get("servletPath"));
        assertEquals("/things/café", seen.get("pathInfo"));
        assertEquals("/api/* PATH things/café", seen.get("mapping"));
        assertEquals("true", seen.get("filtered"));
    }

    @Test
    void pathsOutsideAPrefixMappingAre404() throws Exception {
        assertEquals(404, api.get("/apis/x").statusCode());
        assertEquals(404, api.get("/other").statusCode());
        assertEquals("null", lines(api.get("/api").body()).get("pathInfo"));
    }

    @Test
    void repeatedHeadersArriveJoined() throws Exception {
        HttpResponse<String> response = root.send(HttpRequest.newBuilder(root.uri("/h"))
                .header("X-Multi", "one").header("X-Multi", "two")
                .header("Accept-Language", "de-CH;q=0.5, fr;q=0.9"));
        Map<String, String> seen = lines(response.body());
        assertEquals("one, two", seen.get("x-multi"));
        assertEquals("fr", seen.get("locale"));
        assertEquals("127.0.0.1", seen.get("remote"));
    }

    @Test
    void cookiesAreReadAndSetWithTheirAttributes() throws Exception {
        HttpResponse<String> response = root.send(HttpRequest.newBuilder(root.uri("/cookies"))
                .header("Cookie", "a=1; b=\"two\""));
        assertEquals("{a=1, b=two}", response.body());
        assertEquals(java.util.List.of("flavour=oat; HttpOnly; Path=/; SameSite=Lax", "second=2"),
                response.headers().allValues("Set-Cookie"));
    }

    @Test
    void theWriterDefaultsToIso88591() throws Exception {
        HttpResponse<byte[]> response = ServletServer.CLIENT.send(HttpRequest.newBuilder(root.uri("/latin")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("text/plain;charset=ISO-8859-1", response.headers().firstValue("Content-Type").orElse(null));
        assertEquals("café", new String(response.body(), StandardCharsets.ISO_8859_1));
        assertEquals(4, response.body().length);
    }

    @Test
    void bytesWithoutAContentTypeGoOutWithoutOne() throws Exception {
        HttpResponse<String> response = root.get("/bytes");
        assertEquals("raw", response.body());
        assertNull(response.headers().firstValue("Content-Type").orElse(null));
        assertEquals("3", response.headers().firstValue("Content-Length").orElse(null));
    }

    @Test
    void theRequestEncodingIsNullUnlessTheRequestNamesOne() throws Exception {
        assertEquals("null", lines(root.get("/enc").body()).get("encoding"));
    }
}
