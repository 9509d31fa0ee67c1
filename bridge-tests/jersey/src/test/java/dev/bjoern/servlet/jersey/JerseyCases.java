package dev.bjoern.servlet.jersey;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.servlet.frameworks.BridgeServer;
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
 * Jersey (ServletContainer + jersey-hk2, configured in code) through the bridge on our server, under the
 * mapping a subclass names. The same cases run for every Jersey version this project tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JerseyCases {
    private BridgeServer server;
    private BridgeServer asyncServer;

    /** The servlet mapping: {@code "/*"} or {@code "/api/*"}. */
    abstract String mapping();

    /** The context path under SCRIPT_NAME (the builder's contextPath); none unless a subclass says. */
    String contextPath() {
        return "";
    }

    /** The path the context and the mapping put before the resource paths. */
    private String prefix() {
        return contextPath() + mapping().substring(0, mapping().length() - 2);
    }

    @BeforeAll
    void start() throws Exception {
        server = new BridgeServer(JerseyApps.app(contextPath(), mapping(), false));
        asyncServer = new BridgeServer(JerseyApps.app(contextPath(), mapping(), true));
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        asyncServer.close();
    }

    @Test
    void getWithAnEncodedQueryIsDecodedAsUtf8() throws Exception {
        HttpResponse<String> response = server.get(prefix() + "/things?name=caf%C3%A9&tag=a%26b&tag=c+d");
        assertEquals(200, response.statusCode());
        assertEquals("name=café tags=[a&b, c d]", response.body());
    }

    @Test
    void jsonPostIsReadAndAnsweredAsJson() throws Exception {
        HttpResponse<String> response = server.send(server.request(prefix() + "/things")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"widget\",\"count\":2}")).build());
        assertEquals(201, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        assertEquals("{\"name\":\"WIDGET\",\"count\":3}", response.body());
    }

    @Test
    void formPostIsReadThroughGetParameterByAFilterAndThenByJersey() throws Exception {
        HttpResponse<String> response = server.send(server.request(prefix() + "/things/form")
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString("name=caf%C3%A9&tag=x&tag=y+z")).build());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("name=café tags=[x, y z] filter saw café", response.body());
    }

    @Test
    void unknownPathIsA404BySendError() throws Exception {
        HttpResponse<String> response = server.get(prefix() + "/nothing/here");
        assertEquals(404, response.statusCode());
        // The framework called sendError(404): the bridge's error page, not an empty body.
        assertTrue(response.body().contains("404 Not Found"), response.body());
    }

    @Test
    void exceptionFromTheResourceBecomesA500AndTheServerGoesOn() throws Exception {
        assertEquals(500, server.get(prefix() + "/things/boom").statusCode());
        assertTrue(server.errorsWillContain("boom from the resource"), server.errors());
        assertEquals(200, server.get(prefix() + "/things/after").statusCode());
    }

    @Test
    void redirectCarriesAnAbsoluteLocation() throws Exception {
        HttpResponse<String> response = server.get(prefix() + "/things/old");
        assertEquals(303, response.statusCode());
        assertEquals(server.uri(prefix() + "/things/new").toString(),
                response.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void headGetsTheHeadersAndNoBody() throws Exception {
        String response = server.raw("HEAD " + prefix() + "/things/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        assertTrue(response.contains("Content-Type: text/plain"), response);
        assertTrue(response.endsWith("\r\n\r\n"), "no body after the head: " + response);
    }

    @Test
    void nonAsciiPathReachesTheResourceDecoded() throws Exception {
        HttpResponse<String> response = server.get(prefix() + "/things/caf%C3%A9");
        assertEquals(200, response.statusCode());
        assertEquals("thing café", response.body());
    }

    @Test
    void repeatedHeadersArriveAndLeaveWhole() throws Exception {
        HttpResponse<String> response = server.send(server.request(prefix() + "/things/headers")
                .header("X-Multi", "one").header("X-Multi", "two").build());
        // The server joins a repeated field into one value (PEP 3333): Jersey sees one comma-joined string.
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
    void charsetDefaultsOfJerseyAndOfTheServletWriter() throws Exception {
        // Jersey's own default: UTF-8 bytes under a Content-Type that does not say so.
        HttpResponse<byte[]> undeclared = server.sendForBytes(server.request(prefix() + "/things/charset").build());
        assertEquals("text/plain", undeclared.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("café", new String(undeclared.body(), UTF_8));
        HttpResponse<byte[]> declared = server.sendForBytes(
                server.request(prefix() + "/things/charset-declared").build());
        assertEquals(UTF_8, Responses.declaredCharset(declared));
        assertEquals("café", Responses.text(declared));
        // The servlet writer with no charset set: ISO-8859-1 (Servlet 6.1), declared in the Content-Type.
        HttpResponse<byte[]> writer = server.sendForBytes(server.request(prefix() + "/things/writer").build());
        assertEquals(ISO_8859_1, Responses.declaredCharset(writer));
        assertEquals("café", Responses.text(writer));
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
    void suspendedResponseResumedFromAnotherThreadWithAsyncOn() throws Exception {
        HttpResponse<String> response = asyncServer.get(prefix() + "/things/suspended");
        assertEquals(200, response.statusCode());
        assertEquals("resumed café", response.body());
    }

    @Test
    void completionStageCompletesWithAsyncOn() throws Exception {
        HttpResponse<String> response = asyncServer.get(prefix() + "/things/stage");
        assertEquals(200, response.statusCode());
        assertEquals("completed stage", response.body());
    }

    @Test
    void suspendedWithAsyncOffIsA500InJerseysWords() throws Exception {
        assertEquals(500, server.get(prefix() + "/things/suspended").statusCode());
        assertTrue(server.errorsWillContain("Attempt to suspend a connection of an asynchronous request failed"),
                server.errors());
    }

    @Test
    void syncResourcesWorkWithAsyncOn() throws Exception {
        assertEquals("thing café", asyncServer.get(prefix() + "/things/caf%C3%A9").body());
    }
}
