package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.undertow.Undertow;
import io.undertow.server.handlers.RequestBufferingHandler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request framing by RFC 9112, on raw sockets, against our server and against {@link WsgiHandler} mounted in
 * a plain Undertow: what must be refused (with a request appended that must never be served) and what must
 * still be read exactly (with a request appended that must be served next). One row per grammar rule; add a
 * row to add a case.
 */
@Timeout(30)
class RequestFramingTest {
    /** The body limit of both servers, small so that the limit is a row like any other. */
    private static final int LIMIT = 64;
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String NEXT = "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String POST = "POST /p HTTP/1.1\r\nHost: x\r\n";
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";

    /** What the app was called for, on either server: "METHOD PATH_INFO". */
    private static final Queue<String> CALLS = new ConcurrentLinkedQueue<>();
    private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
    private static TestServer server;
    private static Undertow mounted;
    private static int mountedPort;

    /** Answers "PATH_INFO|HTTP_HOST|REQUEST_URI|body". */
    private static final WsgiApplication ECHO = (environ, startResponse) -> {
        CALLS.add(environ.get("REQUEST_METHOD") + " " + environ.get("PATH_INFO"));
        byte[] body = ((InputStream) environ.get("wsgi.input")).readAllBytes();
        startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
        return List.of((environ.get("PATH_INFO") + "|" + environ.get("HTTP_HOST") + "|" + environ.get("REQUEST_URI")
                + "|").getBytes(StandardCharsets.ISO_8859_1), body);
    };

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(ECHO, b -> b.maxBodySize(LIMIT).meterRegistry(METERS));
        WsgiHandler handler = new WsgiHandler(ECHO, LIMIT, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), false, false);
        mounted = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setHandler(handler).build();
        mounted.start();
        mountedPort = ((InetSocketAddress) mounted.getListenerInfo().get(0).getAddress()).getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        if (mounted != null) {
            mounted.stop();
        }
    }

    /** A row's expectation: refused with this status, or served with this echo. */
    private record Outcome(int status, String echo) {
        @Override
        public String toString() {
            return echo == null ? "refused " + status : "served \"" + echo + "\"";
        }
    }

    private static Outcome refused(int status) {
        return new Outcome(status, null);
    }

    private static Outcome served(String echo) {
        return new Outcome(200, echo);
    }

    private static Arguments row(String name, String request, Outcome outcome) {
        return Arguments.of(name, request, outcome, outcome);
    }

    /** A row where a host's Undertow, whose parser runs before the mounted handler, does otherwise. */
    private static Arguments row(String name, String request, Outcome server, Outcome mounted) {
        return Arguments.of(name, request, server, mounted);
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                // Content-Length: 1*DIGIT within a long (RFC 9110 §8.6, RFC 9112 §6.3)
                row("Content-Length 2^64, read as 0 by Undertow",
                        POST + "Content-Length: 18446744073709551616\r\n\r\n", refused(400)),
                row("Content-Length 2^64 + 5 with a body",
                        POST + "Content-Length: 18446744073709551621\r\n\r\nhello", refused(400)),
                row("Content-Length 2^64 + 2 with a method glued to the body",
                        POST + "Content-Length: 18446744073709551618\r\n\r\nheXXX", refused(400)),
                row("Content-Length of 23 digits", POST + "Content-Length: 99999999999999999999999\r\n\r\n",
                        refused(400)),
                row("Content-Length 2^63", POST + "Content-Length: 9223372036854775808\r\n\r\n", refused(400)),
                row("Content-Length 2^63 - 1, more than Undertow frames",
                        POST + "Content-Length: 9223372036854775807\r\n\r\n", refused(400)),
                row("Content-Length 2^61 - 1, over the limit", POST + "Content-Length: 2305843009213693951\r\n\r\n",
                        refused(413)),
                row("Content-Length +5", POST + "Content-Length: +5\r\n\r\nhello", refused(400)),
                row("Content-Length -1", POST + "Content-Length: -1\r\n\r\n", refused(400)),
                row("Content-Length 0x5", POST + "Content-Length: 0x5\r\n\r\nhello", refused(400)),
                row("Content-Length with an inner space", POST + "Content-Length: 1 0\r\n\r\nhelloworld",
                        refused(400)),
                row("Content-Length empty", POST + "Content-Length: \r\n\r\n", refused(400)),
                row("Content-Length list of equal values", POST + "Content-Length: 5, 5\r\n\r\nhello", refused(400)),
                row("Content-Length twice", POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                        refused(400)),
                row("Content-Length twice, different", POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                        refused(400)),
                row("Content-Length beside Transfer-Encoding",
                        POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        refused(400)),
                row("Content-Length one over the limit", POST + "Content-Length: 65\r\n\r\n" + "x".repeat(65),
                        refused(413)),
                row("Content-Length with leading zeros", POST + "Content-Length: 005\r\n\r\nhello",
                        served("/p|x|/p|hello")),
                row("Content-Length exactly the limit", POST + "Content-Length: 64\r\n\r\n" + "x".repeat(64),
                        served("/p|x|/p|" + "x".repeat(64))),
                row("Content-Length 0", POST + "Content-Length: 0\r\n\r\n", served("/p|x|/p|")),

                // Transfer-Encoding: exactly chunked (RFC 9112 §6.1, §6.3)
                row("Transfer-Encoding gzip", POST + "Transfer-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        refused(400)),
                row("Transfer-Encoding chunked, gzip",
                        POST + "Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("Transfer-Encoding chunked, chunked",
                        POST + "Transfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("Transfer-Encoding gzip, chunked",
                        POST + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", refused(501)),
                row("Transfer-Encoding xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        refused(400)),
                row("Transfer-Encoding twice",
                        POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        refused(400)),
                row("Transfer-Encoding on HTTP/1.0",
                        "POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("Transfer-Encoding with a coding that is no token",
                        POST + "Transfer-Encoding: a b, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("Transfer-Encoding CHUNKED", POST + "Transfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        served("/p|x|/p|hello")),
                row("Transfer-Encoding with empty list elements",
                        POST + "Transfer-Encoding: , chunked ,\r\n\r\n5\r\nhello\r\n0\r\n\r\n", served("/p|x|/p|hello")),

                // chunk-size = 1*HEXDIG, without overflow (RFC 9112 §7.1)
                row("chunk size with a non-hex digit", CHUNKED + "5g\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk size with a trailing tab", CHUNKED + "5\t\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk size with a trailing space", CHUNKED + "5 \r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk size with a leading space", CHUNKED + " 5\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk size missing", CHUNKED + "\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk size with a sign", CHUNKED + "+5\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk size 0x5", CHUNKED + "0x5\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk size over 2^63", CHUNKED + "10000000000000000\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk size of 2^64 + 5", CHUNKED + "10000000000000005\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk size over the limit", CHUNKED + "41\r\n" + "x".repeat(65) + "\r\n0\r\n\r\n",
                        refused(413)),
                row("chunks adding up to one over the limit",
                        CHUNKED + "20\r\n" + "x".repeat(32) + "\r\n21\r\n" + "x".repeat(33) + "\r\n0\r\n\r\n",
                        refused(413)),
                row("chunk size 3, then a space and bare LFs", CHUNKED + "3 \n  \r\nfoo\r\n0\r\n\r\n", refused(400)),
                row("upper- and lower-case hex", CHUNKED + "A\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n",
                        served("/p|x|/p|0123456789abcdefghijk")),
                row("chunk size with leading zeros", CHUNKED + "0005\r\nhello\r\n0000\r\n\r\n",
                        served("/p|x|/p|hello")),
                row("chunked body exactly the limit", CHUNKED + "40\r\n" + "y".repeat(64) + "\r\n0\r\n\r\n",
                        served("/p|x|/p|" + "y".repeat(64))),
                row("chunked body empty", CHUNKED + "0\r\n\r\n", served("/p|x|/p|")),

                // CRLF only, exactly chunk-size bytes of data
                row("bare LF after the chunk size", CHUNKED + "5\nhello\r\n0\r\n\r\n", refused(400)),
                row("bare CR after the chunk size", CHUNKED + "5\rhello\r\n0\r\n\r\n", refused(400)),
                row("bare LF after chunk data", CHUNKED + "5\r\nhello\n0\r\n\r\n", refused(400)),
                row("bare CR after chunk data", CHUNKED + "5\r\nhello\r0\r\n\r\n", refused(400)),
                row("bare LF after the last chunk", CHUNKED + "5\r\nhello\r\n0\n\r\n", refused(400)),
                row("bare LF ending the body", CHUNKED + "5\r\nhello\r\n0\r\n\n", refused(400)),
                row("chunk data longer than its size", CHUNKED + "3\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk data shorter than its size", CHUNKED + "7\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("no CRLF after chunk data", CHUNKED + "5\r\nhello0\r\n\r\n", refused(400)),

                // chunk-ext = *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )
                row("extension with a control character", CHUNKED + "5;a=b\u0001c\r\nhello\r\n0\r\n\r\n",
                        refused(400)),
                row("extension with a NUL in a quoted string", CHUNKED + "5;a=\"b\u0000\"\r\nhello\r\n0\r\n\r\n",
                        refused(400)),
                row("extension with a bare LF", CHUNKED + "5;a=b\nc\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("extension with a bare CR", CHUNKED + "5;a=b\rc\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("extension without a name", CHUNKED + "5;=b\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("extension with an empty value", CHUNKED + "5;a=\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("extension with an unclosed quote", CHUNKED + "5;a=\"b\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("extension with a trailing space", CHUNKED + "5;a=b \r\nhello\r\n0\r\n\r\n", refused(400)),
                row("extension name with a separator", CHUNKED + "5;a,b\r\nhello\r\n0\r\n\r\n", refused(400)),
                row("chunk line over 4096 bytes", CHUNKED + "5;a=" + "b".repeat(4100) + "\r\nhello\r\n0\r\n\r\n",
                        refused(400)),
                row("extensions: token, quoted string, escape, bare name, whitespace around ; and =",
                        CHUNKED + "5;a=b;c=\"d \\\" e\";f ; g = \"\"\r\nhello\r\n0;last=yes\r\n\r\n",
                        served("/p|x|/p|hello")),

                // trailer-section: field lines as in headers, then CRLF
                row("trailer with a space before the colon", CHUNKED + "5\r\nhello\r\n0\r\nX-T : v\r\n\r\n",
                        refused(400)),
                row("trailer folded (obs-fold)", CHUNKED + "5\r\nhello\r\n0\r\nX-T: v\r\n w\r\n\r\n", refused(400)),
                row("trailer with a bare LF", CHUNKED + "5\r\nhello\r\n0\r\nX-T: v\n\r\n", refused(400)),
                row("trailer with a NUL", CHUNKED + "5\r\nhello\r\n0\r\nX-T: v\u0000w\r\n\r\n", refused(400)),
                row("trailer without a colon", CHUNKED + "5\r\nhello\r\n0\r\nX-T v\r\n\r\n", refused(400)),
                row("trailer section over 8192 bytes",
                        CHUNKED + "5\r\nhello\r\n0\r\nX-T: " + "v".repeat(8200) + "\r\n\r\n", refused(400)),
                row("trailer fields, dropped", CHUNKED + "5\r\nhello\r\n0\r\nX-T: v\r\nX-U:\tw x \r\n\r\n",
                        served("/p|x|/p|hello")),

                // Empty lines before a request-line (RFC 9112 §2.2)
                row("one empty line before the request", "\r\n" + NEXT.replace("/next", "/e"),
                        served("/e|x|/e|"), refused(400)),
                row("eight empty lines before the request", "\r\n".repeat(8) + NEXT.replace("/next", "/e"),
                        served("/e|x|/e|"), refused(400)),
                row("nine empty lines before the request", "\r\n".repeat(9) + NEXT, refused(400)),
                row("a bare LF before the request", "\n" + NEXT, refused(400)),
                row("a bare CR before the request", "\r" + NEXT, refused(400)),

                // Absolute-form targets (RFC 9112 §3.2.2)
                row("absolute-form with another Host", "GET http://a.test/q?r=1 HTTP/1.1\r\nHost: x\r\n\r\n",
                        served("/q|a.test|http://a.test/q?r=1|"), refused(400)),
                row("absolute-form with a port and the same Host",
                        "GET http://a.test:8080/q HTTP/1.1\r\nHost: a.test\r\n\r\n",
                        served("/q|a.test:8080|http://a.test:8080/q|")),
                row("absolute-form without a path, Host inside it",
                        "GET HTTP://a.test HTTP/1.1\r\nHost: a.test\r\n\r\n",
                        served("/|a.test|HTTP://a.test/|"), served("|a.test|HTTP://a.test|")),
                row("absolute-form with an IPv6 literal",
                        "GET http://[::1]:80/q HTTP/1.1\r\nHost: x\r\n\r\n", served("/q|[::1]:80|http://[::1]:80/q|"),
                        refused(400)),
                row("absolute-form with an IPv4 address in an IPv6 literal",
                        "GET http://[::ffff:1.2.3.4]/q HTTP/1.1\r\nHost: x\r\n\r\n",
                        served("/q|[::ffff:1.2.3.4]|http://[::ffff:1.2.3.4]/q|"), refused(400)),
                row("absolute-form with a bracketed non-address", "GET http://[1.2]/q HTTP/1.1\r\nHost: x\r\n\r\n",
                        refused(400)),
                row("absolute-form with userinfo", "GET http://u@a.test/q HTTP/1.1\r\nHost: a.test\r\n\r\n",
                        refused(400)),
                row("absolute-form with an empty host", "GET http:///q HTTP/1.1\r\nHost: x\r\n\r\n", refused(400)),
                row("absolute-form with a bad port", "GET http://a.test:99999/q HTTP/1.1\r\nHost: a.test\r\n\r\n",
                        refused(400)),
                row("absolute-form with a letter in the port",
                        "GET http://a.test:8o/q HTTP/1.1\r\nHost: a.test\r\n\r\n", refused(400)),
                row("absolute-form with another scheme", "GET ftp://a.test/q HTTP/1.1\r\nHost: a.test\r\n\r\n",
                        refused(400)),
                row("absolute-form with a bad percent-escape in the host",
                        "GET http://a%zz.test/q HTTP/1.1\r\nHost: x\r\n\r\n", refused(400)));
    }

    @ParameterizedTest(name = "server: {0}")
    @MethodSource("rows")
    void server(String name, String request, Outcome expected, Outcome mountedExpected) throws Exception {
        double parseErrors = Traffic.count(METERS, "req.error.parse");
        check(server.port(), name, request, expected);
        if (expected.echo == null) {
            assertEquals(parseErrors + 1, Traffic.count(METERS, "req.error.parse"),
                    name + ": counted as req.error.parse once");
        }
    }

    @ParameterizedTest(name = "mounted: {0}")
    @MethodSource("rows")
    void mounted(String name, String request, Outcome serverExpected, Outcome expected) throws Exception {
        check(mountedPort, name, request, expected);
    }

    /**
     * Sends the row's request with another appended in the same write: a refused one is answered with its
     * status and Connection: close and the connection closed, the appended request never served; a served
     * one is answered, then the appended request.
     */
    private static void check(int port, String name, String request, Outcome expected) throws Exception {
        CALLS.clear();
        try (RawHttp client = new RawHttp(port)) {
            if (expected.echo == null) {
                client.send(request + SMUGGLED);
                RawHttp.Response response = client.read();
                assertEquals(expected.status, response.status(), name + ": " + response.text());
                assertEquals("close", response.header("Connection"), name + ": Connection: close");
                assertTrue(client.closedByServer(), name + ": the connection should be closed");
                assertFalse(CALLS.contains("GET /smuggled"), name + ": a smuggled request was served");
                assertTrue(CALLS.isEmpty(), name + ": the app was called: " + CALLS);
            } else {
                client.send(request + NEXT);
                RawHttp.Response response = client.read();
                assertEquals(200, response.status(), name + ": " + response.text());
                assertEquals(expected.echo, response.text(), name);
                RawHttp.Response next = client.read();
                assertEquals(200, next.status(), name + ": the request after it");
                assertEquals("/next|x|/next|", next.text(), name + ": the request after it");
            }
        }
    }

    /**
     * Requests cut into single bytes, each its own TCP segment: on the server, and where a host's Undertow
     * reads the request-line itself, on the mounted handler too.
     */
    static Stream<Arguments> splittable() {
        return Stream.of(
                Arguments.of("chunked with extensions and trailers",
                        CHUNKED + "5;a=\"b\"\r\nhello\r\n1A\r\n" + "z".repeat(26) + "\r\n0\r\nX-T: v\r\n\r\n",
                        "/p|x|/p|hello" + "z".repeat(26), true),
                Arguments.of("empty lines then absolute-form", "\r\n\r\nPOST http://a.test/p HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 3\r\n\r\nabc", "/p|a.test|http://a.test/p|abc", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("splittable")
    void readsARequestSentOneByteAtATime(String name, String request, String echo, boolean mountedToo)
            throws Exception {
        for (int port : mountedToo ? new int[] {server.port(), mountedPort} : new int[] {server.port()}) {
            try (RawHttp client = new RawHttp(port)) {
                client.socket.setTcpNoDelay(true);
                for (byte b : (request + NEXT).getBytes(StandardCharsets.ISO_8859_1)) {
                    client.send(new byte[] {b});
                }
                assertAnswers(client, echo, "/next|x|/next|");
            }
        }
    }

    @Test
    void takesAChunkedBodyAHostHandlerInFrontReadAlready() throws Exception {
        WsgiHandler handler = new WsgiHandler(ECHO, LIMIT, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), false, false);
        Undertow buffering = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1)
                .setHandler(new RequestBufferingHandler(handler, 4)).build();
        buffering.start();
        try (RawHttp client = new RawHttp(
                ((InetSocketAddress) buffering.getListenerInfo().get(0).getAddress()).getPort())) {
            assertAnswers(client.send(CHUNKED + "5\r\nhello\r\n0\r\n\r\n" + NEXT), "/p|x|/p|hello", "/next|x|/next|");
        } finally {
            buffering.stop();
        }
    }

    @Test
    void sends100ContinueThenDecodesTheChunkedBodyStrictly() throws Exception {
        for (int port : new int[] {server.port(), mountedPort}) {
            try (RawHttp client = new RawHttp(port)) {
                client.send(POST + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
                assertEquals(100, client.read().status());
                assertEquals("/p|x|/p|hello", client.send("5\r\nhello\r\n0\r\n\r\n").read().text());
            }
            try (RawHttp client = new RawHttp(port)) {
                client.send(POST + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
                assertEquals(100, client.read().status());
                RawHttp.Response refused = client.send("5\nhello\r\n0\r\n\r\n" + SMUGGLED).read();
                assertEquals(400, refused.status());
                assertTrue(client.closedByServer());
            }
        }
    }

    @Test
    void skipsTheEmptyLineAClientSendsAfterAPostBodyBeforeItsNextRequest() throws Exception {
        for (int port : new int[] {server.port(), mountedPort}) {
            try (RawHttp client = new RawHttp(port)) {
                client.send(POST + "Content-Length: 2\r\n\r\nhi\r\n" + NEXT + "\r\n" + CHUNKED + "2\r\nyo\r\n0\r\n\r\n"
                        + "\r\n" + NEXT);
                assertAnswers(client, "/p|x|/p|hi", "/next|x|/next|", "/p|x|/p|yo", "/next|x|/next|");
            }
        }
    }

    @Test
    void servesAbsoluteFormTargetsPipelinedBehindOtherRequests() throws Exception {
        try (RawHttp client = server.connect()) {
            client.send(NEXT + "\r\nGET http://a.test/q HTTP/1.1\r\nHost: x\r\n\r\n" + NEXT
                    + "GET https://b.test:81?z HTTP/1.1\r\nHost: x\r\n\r\n");
            assertAnswers(client, "/next|x|/next|", "/q|a.test|http://a.test/q|", "/next|x|/next|",
                    "/|b.test:81|https://b.test:81/?z|");
        }
    }

    @Test
    void answersEachOfManyPipelinedChunkedRequestsInOrder() throws Exception {
        StringBuilder requests = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String body = Integer.toString(i);
            requests.append(CHUNKED).append(Integer.toHexString(body.length())).append("\r\n").append(body)
                    .append("\r\n0\r\n\r\n");
            expected.add("/p|x|/p|" + body);
        }
        for (int port : new int[] {server.port(), mountedPort}) {
            try (RawHttp client = new RawHttp(port)) {
                assertAnswers(client.send(requests.toString()), expected.toArray(new String[0]));
            }
        }
    }

    /** The next responses on {@code client} are 200s with these echoes, in this order. */
    private static void assertAnswers(RawHttp client, String... echoes) throws Exception {
        for (String echo : echoes) {
            RawHttp.Response response = client.read();
            assertEquals(200, response.status(), response.text());
            assertEquals(echo, response.text());
        }
    }
}
