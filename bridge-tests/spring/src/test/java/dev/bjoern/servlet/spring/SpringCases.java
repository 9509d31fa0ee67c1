package dev.bjoern.servlet.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.servlet.frameworks.BridgeServer;
import dev.bjoern.servlet.frameworks.Multipart;
import dev.bjoern.servlet.frameworks.Responses;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Spring MVC (DispatcherServlet + @RestController + CharacterEncodingFilter, configured in code) through the
 * bridge on our server, under the mapping a subclass names. The same cases run for every Spring version this
 * project tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SpringCases {
    private BridgeServer server;
    private BridgeServer asyncServer;

    /** The servlet mapping: {@code "/*"} or {@code "/api/*"}. */
    abstract String mapping();

    /** The context path under SCRIPT_NAME (the builder's contextPath); none unless a subclass says. */
    String contextPath() {
        return "";
    }

    /** The path the context and the mapping put before the controller paths. */
    private String prefix() {
        return contextPath() + mapping().substring(0, mapping().length() - 2);
    }

    @BeforeAll
    void start() throws Exception {
        server = new BridgeServer(SpringApps.app(contextPath(), mapping(), false));
        asyncServer = new BridgeServer(SpringApps.app(contextPath(), mapping(), true));
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        asyncServer.close();
    }

    @Test
    void getWithAnEncodedQueryIsDecodedAsUtf8() throws Exception {
        HttpResponse<String> response = server.get(prefix() + "/things?name=caf%C3%A9&tag=a%26b&tag=c+d");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("name=café tags=[a&b, c d]", response.body());
    }

    @Test
    void jsonPostIsReadAndAnsweredAsJson() throws Exception {
        HttpResponse<String> response = server.send(server.request(prefix() + "/things")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"widget\",\"count\":2}")).build());
        assertEquals(201, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        assertEquals("{\"name\":\"WIDGET\",\"count\":3}", response.body());
    }

    @Test
    void formPostIsReadThroughGetParameterInTheFiltersCharset() throws Exception {
        // No charset on the request: CharacterEncodingFilter's UTF-8 decides, before getParameter parses.
        HttpResponse<String> response = server.send(server.request(prefix() + "/things/form")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=caf%C3%A9&tag=x&tag=y+z")).build());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("name=café tags=[x, y z]", response.body());
    }

    @Test
    void unknownPathIsA404BySendError() throws Exception {
        HttpResponse<String> response = server.get(prefix() + "/nothing/here");
        assertEquals(404, response.statusCode());
        // The framework called sendError(404): the bridge's error page, not an empty body.
        assertTrue(response.body().contains("404 Not Found"), response.body());
    }

    @Test
    void exceptionFromTheControllerBecomesA500AndTheServerGoesOn() throws Exception {
        assertEquals(500, server.get(prefix() + "/things/boom").statusCode());
        assertTrue(server.errorsWillContain("boom from the controller"), server.errors());
        assertEquals(200, server.get(prefix() + "/things/after").statusCode());
    }

    @Test
    void redirectPointsNextToTheRequest() throws Exception {
        HttpResponse<String> response = server.get(prefix() + "/things/old");
        assertEquals(302, response.statusCode());
        String location = response.headers().firstValue("Location").orElseThrow();
        assertEquals(server.uri(prefix() + "/things/new"), server.uri(prefix() + "/things/old").resolve(location),
                location);
    }

    @Test
    void headGetsTheHeadersAndNoBody() throws Exception {
        String response = server.raw("HEAD " + prefix() + "/things/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        assertTrue(response.contains("Content-Type: text/plain"), response);
        assertTrue(response.endsWith("\r\n\r\n"), "no body after the head: " + response);
    }

    @Test
    void nonAsciiPathReachesTheControllerDecoded() throws Exception {
        HttpResponse<String> response = server.get(prefix() + "/things/caf%C3%A9");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("thing café", response.body());
    }

    @Test
    void repeatedHeadersArriveAndLeaveWhole() throws Exception {
        HttpResponse<String> response = server.send(server.request(prefix() + "/things/headers")
                .header("X-Multi", "one").header("X-Multi", "two").build());
        // One comma-joined value reaches the servlet (PEP 3333); Spring splits it for a List parameter.
        assertEquals("X-Multi=[one, two]", response.body());
        assertEquals(List.of("first", "second"), response.headers().allValues("X-Out"));
    }

    @Test
    void cookiesAreReadAndSetWithTheirAttributes() throws Exception {
        HttpResponse<String> response = server.send(server.request(prefix() + "/things/cookies")
                .header("Cookie", "a=1; b=2").build());
        assertEquals("a=1 b=2", response.body());
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.startsWith("made=yes"), setCookie);
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.toLowerCase().contains("samesite=lax"), setCookie);
    }

    @Test
    void textIsSentInTheCharsetTheResponseDeclares() throws Exception {
        for (String path : List.of("/things/charset", "/things/writer")) {
            HttpResponse<byte[]> response = server.sendForBytes(server.request(prefix() + path).build());
            assertEquals("café", Responses.text(response), () -> path + ": Content-Type "
                    + response.headers().firstValue("Content-Type") + ", bytes " + new String(response.body(), UTF_8));
        }
        // The servlet writer takes CharacterEncodingFilter's UTF-8; a String through StringHttpMessageConverter
        // may instead carry that converter's default charset, set with setContentType after the filter.
        HttpResponse<byte[]> writer = server.sendForBytes(server.request(prefix() + "/things/writer").build());
        assertEquals(UTF_8, Responses.declaredCharset(writer));
    }

    @Test
    void multipartUploadReachesTheController() throws Exception {
        Multipart form = new Multipart().field("note", "caf\u00e9 note")
                .file("file", "hello.txt", "text/plain", "hello, upload".getBytes(UTF_8));
        HttpResponse<String> response = server.send(server.request(prefix() + "/things/upload")
                .header("Content-Type", Multipart.contentType()).POST(form.publisher()).build());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("file=hello.txt size=13 type=text/plain note=café note content=hello, upload", response.body());
    }

    @Test
    void sessionCounterCountsPerClient() throws Exception {
        assertEquals("1", server.get(prefix() + "/things/counter").body());
        assertEquals("2", server.get(prefix() + "/things/counter").body());
        HttpResponse<String> other = HttpClient.newHttpClient().send(
                server.request(prefix() + "/things/counter").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("1", other.body());
        assertEquals("3", server.get(prefix() + "/things/counter").body());
    }

    @Test
    void callableCompletesWithAsyncOn() throws Exception {
        HttpResponse<String> response = asyncServer.get(prefix() + "/things/callable");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("callable done", response.body());
    }

    @Test
    void deferredResultSetFromAnotherThreadWithAsyncOn() throws Exception {
        HttpResponse<String> response = asyncServer.get(prefix() + "/things/deferred");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("deferred café", response.body());
    }

    @Test
    void callableWithAsyncOffIsA500ThatSaysAsyncIsOff() throws Exception {
        assertEquals(500, server.get(prefix() + "/things/callable").statusCode());
        // Spring asks isAsyncSupported() before startAsync() and says it in its own words.
        assertTrue(server.errorsWillContain("Async support must be enabled"), server.errors());
    }

    @Test
    void syncControllersWorkWithAsyncOn() throws Exception {
        assertEquals("thing café", asyncServer.get(prefix() + "/things/caf%C3%A9").body());
    }
}
