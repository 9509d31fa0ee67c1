package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line, run as a real child JVM: every kind of app spec, every error, the signals. */
class CliTest {
    private static final String APPS = "dev.bjoern.undertow.cliapps.";
    private static final String EXPECTED = "expected a static field holding a WsgiApplication, a static method"
            + " returning a WsgiApplication (with no parameters or one String[]), or a static method"
            + " (Map<String, Object>, StartResponse) -> Iterable<byte[]>";
    private static final String HINT = "Run with --help for the options.";
    private static final Duration TIMEOUT = Cli.TIMEOUT;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    @Test
    void servesAStaticFieldAndAnnouncesTheBoundPortOnTheFirstLine() throws Exception {
        try (Cli cli = Cli.start("-p", "0", APPS + "Apps:field")) {
            Matcher serving = cli.awaitServing();
            assertEquals(APPS + "Apps:field", serving.group(1));
            assertEquals("127.0.0.1", serving.group(3));
            assertNotEquals(0, Integer.parseInt(serving.group(4)));
            assertEquals("from a field", get(serving.group(2)));
        }
    }

    @Test
    void servesWhatANoArgFactoryReturns() throws Exception {
        try (Cli cli = Cli.start("--host", "127.0.0.1", "--port=0", APPS + "Apps:factory")) {
            assertEquals("from a factory", get(cli.awaitServing().group(2)));
        }
    }

    @Test
    void passesEveryArgumentAfterTheAppAsItIsToAStringArrayFactory() throws Exception {
        try (Cli cli = Cli.start("-p", "0", APPS + "Apps:withOptions", "--greeting", "hi", "-p", "9", "--",
                "--help", "x")) {
            assertEquals("--greeting\nhi\n-p\n9\n--\n--help\nx", get(cli.awaitServing().group(2)));
        }
    }

    @Test
    void takesTheArgumentAfterADoubleDashAsTheApp() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--", APPS + "Apps:withOptions", "-v")) {
            assertEquals("-v", get(cli.awaitServing().group(2)));
        }
    }

    @Test
    void servesAStaticMethodThatHasTheApplicationSignature() throws Exception {
        try (Cli cli = Cli.start("-p", "0", APPS + "Apps:direct")) {
            assertEquals("direct /some/path", get(cli.awaitServing().group(2) + "some/path"));
        }
    }

    @Test
    void servesABareClassThroughItsNoArgConstructor() throws Exception {
        try (Cli cli = Cli.start("-p", "0", APPS + "Hello")) {
            assertEquals("from a class", get(cli.awaitServing().group(2)));
        }
    }

    @Test
    void servesOnIpv6LoopbackAndPutsTheHostInBrackets() throws Exception {
        assumeTrue(canBind("::1"), "this machine has no IPv6 loopback");
        try (Cli cli = Cli.start("-a", "::1", "-p", "0", APPS + "Apps:field")) {
            Matcher serving = cli.awaitServing();
            assertEquals("[::1]", serving.group(3));
            assertEquals("from a field", get(serving.group(2)));
        }
    }

    @Test
    void answers413ToABodyLargerThanMaxBodySize() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--max-body-size", "4", APPS + "Apps:field")) {
            URI uri = URI.create(cli.awaitServing().group(2));
            assertEquals(200, post(uri, "1234").statusCode());
            assertEquals(413, post(uri, "12345").statusCode());
        }
    }

    @Test
    void stopsOnSigtermWithExitCodeZeroHavingPrintedOnlyTheServingLine() throws Exception {
        try (Cli cli = Cli.start("-p", "0", APPS + "Apps:field")) {
            Matcher serving = cli.awaitServing();
            assertEquals("from a field", get(serving.group(2)));
            cli.process.destroy(); // SIGTERM
            assertEquals(0, cli.awaitExit());
            assertEquals(serving.group() + "\n", cli.stderr());
        }
    }

    @Test
    void closesAnAutoCloseableAppOnceAfterTheDrain() throws Exception {
        try (Cli cli = Cli.start("-p", "0", APPS + "Closing:app")) {
            assertEquals("open", get(cli.awaitServing().group(2)));
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
            assertEquals("closed\n", cli.stdout());
        }
    }

    @Test
    void doesNotCloseAnAppThatIsStillRunningARequestWhenTheDrainTimesOut() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--drain-timeout", "0.2", APPS + "Closing:app")) {
            int port = Integer.parseInt(cli.awaitServing().group(4));
            try (RawHttp stuck = new RawHttp(port)) {
                stuck.send("GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n");
                cli.awaitStderr("stuck in a request");
                cli.signal("TERM");
                assertEquals(0, cli.awaitExit());
            }
            assertEquals("", cli.stdout(), "closed while a request still ran in it");
            assertTrue(cli.stderr().endsWith("bjoern: the application was not closed: a request was still running"
                    + " in it when the drain timeout passed\n"), cli.stderr());
        }
    }

    @Test
    void closesTheAppWhenServingFailsToStartAfterItWasMade() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"));
                Cli cli = Cli.start("-p", Integer.toString(taken.getLocalPort()), APPS + "Closing:app")) {
            assertEquals(1, cli.awaitExit());
            assertEquals("closed\n", cli.stdout());
            assertTrue(cli.stderr().startsWith("bjoern: "), cli.stderr());
        }
    }

    @Test
    void anEmptySocketPathNamesTheOption() throws Exception {
        try (Cli cli = Cli.start("--uds=", APPS + "Apps:field")) {
            assertEquals(2, cli.awaitExit());
            assertEquals("bjoern: --uds needs the path of a socket file\nRun with --help for the options.\n",
                    cli.stderr());
        }
    }

    @Test
    void aFlagTakesNoValue() throws Exception {
        try (Cli cli = Cli.start("--reuse-port=false", APPS + "Apps:field")) {
            assertEquals(2, cli.awaitExit());
            assertEquals("bjoern: --reuse-port takes no value, got \"--reuse-port=false\"\n"
                    + "Run with --help for the options.\n", cli.stderr());
        }
    }

    @Test
    void stopsOnSigintWithExitCodeZero() throws Exception {
        try (Cli cli = Cli.start("-p", "0", APPS + "Apps:field")) {
            assertEquals("from a field", get(cli.awaitServing().group(2)));
            cli.signal("INT");
            assertEquals(0, cli.awaitExit());
        }
    }

    @Test
    void helpListsEveryOptionWithItsDefaultAndExitsZero() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--help")) {
            assertEquals(0, cli.awaitExit());
            String help = cli.stdout();
            for (String expected : List.of(
                    "-a, --host ADDR", "(default 127.0.0.1)",
                    "-p, --port PORT", "(default 8000)",
                    "--max-body-size BYTES", "(default 10485760, that is 10 MiB)",
                    "--max-header-size BYTES", "(default 81920, that is 80 KiB)",
                    "--max-connections N", "(default 10000; 0: no limit)",
                    "--idle-timeout SECONDS", "(default 75 s)",
                    "--request-timeout SECONDS", "(default 20 s)",
                    "--send-timeout SECONDS", "(default 60 s)",
                    "--drain-timeout SECONDS", "(default 30 s)",
                    "--access-log FILE|-", "(default: no access log)",
                    "130, 143  a second SIGINT or SIGTERM", "--classpath PATH", "--version",
                    "-h, --help",
                    "com.example.App:app", "com.example.App ",
                    "unknown one is an error", "\"APP --port 9000\"")) {
                assertTrue(help.contains(expected), () -> "--help lacks \"" + expected + "\":\n" + help);
            }
            assertEquals("", cli.stderr());
        }
    }

    @Test
    void printsItsVersionAndExitsZero() throws Exception {
        try (Cli cli = Cli.start("--version")) {
            assertEquals(0, cli.awaitExit());
            assertEquals("bjoern " + RequestEnviron.VERSION + "\n", cli.stdout());
            assertTrue(RequestEnviron.VERSION.matches("[0-9]+\\.[0-9]+\\.[0-9]+(-SNAPSHOT)?"), RequestEnviron.VERSION);
            assertEquals("", cli.stderr());
        }
    }

    @Test
    void helpSaysEachThingOnce() throws Exception {
        try (Cli cli = Cli.start("--help")) {
            assertEquals(0, cli.awaitExit());
            String help = cli.stdout();
            for (String once : List.of("Exit status", "130", "bjoern: serving APP on WHERE", "BJOERN_CMD_ARGS",
                    "LISTEN_FDS", "AutoCloseable", "\"--\" ends")) {
                assertEquals(1, help.split(Pattern.quote(once), -1).length - 1,
                        () -> "\"" + once + "\" must be said once in --help:\n" + help);
            }
            List<String> listed = help.lines().map(Pattern.compile("^ {2,6}(?:-\\w, )?(--[a-z-]+) .*")::matcher)
                    .filter(Matcher::matches).map(m -> m.group(1)).toList();
            assertEquals(List.of("--classpath", "--host", "--port", "--uds", "--socket-mode", "--reuse-port",
                    "--backlog", "--workers", "--threads", "--inetd", "--max-body-size", "--max-header-size",
                    "--max-connections", "--idle-timeout", "--request-timeout", "--send-timeout", "--drain-timeout",
                    "--access-log", "--statsd", "--help", "--version"), listed);
        }
    }

    @Test
    void refusesToStartWithoutAnApp() throws Exception {
        assertUsageError("missing the app to serve: give CLASS:MEMBER or CLASS", "-p", "0");
        assertUsageError("missing the app to serve: give CLASS:MEMBER or CLASS", "-p", "0", "--");
    }

    @Test
    void namesAnUnknownOptionBeforeTheAppWhateverFollowsIt() throws Exception {
        String message = "unknown option --max-body-szie (the application's own options go after APP)";
        assertUsageError(message, "--max-body-szie", "100", APPS + "Apps:field");
        assertUsageError(message, "-p", "0", "--max-body-szie=100", APPS + "Apps:withOptions");
        assertUsageError("unknown option -v (the application's own options go after APP)", "-v");
    }

    @Test
    void refusesAClassThatIsNotOnTheClasspath() throws Exception {
        assertUsageError("no class com.x.Nope on the classpath", "com.x.Nope:app");
    }

    @Test
    void refusesAnAppSpecWithAnEmptyMember() throws Exception {
        assertUsageError("the app must be CLASS or CLASS:MEMBER, got \"" + APPS + "Apps:\"", APPS + "Apps:");
    }

    @Test
    void refusesAMemberThatDoesNotExist() throws Exception {
        assertUsageError(APPS + "Apps has no field or method named \"nope\"", APPS + "Apps:nope");
    }

    @Test
    void refusesAFieldOfAnotherType() throws Exception {
        assertUsageError(APPS + "Apps:notAnApp is a static field of type java.lang.String; " + EXPECTED,
                APPS + "Apps:notAnApp");
    }

    @Test
    void refusesAMethodOfAnotherShape() throws Exception {
        assertUsageError(APPS + "Apps:greet is a static method greet(int) returning String; " + EXPECTED,
                APPS + "Apps:greet");
    }

    @Test
    void refusesAnInstanceField() throws Exception {
        assertUsageError(APPS + "Apps:instance is an instance field, not static; " + EXPECTED,
                APPS + "Apps:instance");
    }

    @Test
    void refusesAFactoryThatReturnsNull() throws Exception {
        assertUsageError(APPS + "Apps:nothing returned null; expected a WsgiApplication", APPS + "Apps:nothing");
    }

    @Test
    void refusesABareClassThatIsNotAnApplication() throws Exception {
        assertUsageError(APPS + "Apps does not implement dev.bjoern.WsgiApplication; to name a static field or"
                + " method in it, give " + APPS + "Apps:MEMBER", APPS + "Apps");
    }

    @Test
    void refusesABareClassWithoutANoArgConstructor() throws Exception {
        assertUsageError(APPS + "Greeter has no public no-arg constructor", APPS + "Greeter");
    }

    @Test
    void refusesOptionsTheAppCannotReceiveNamingThem() throws Exception {
        assertUsageError(APPS + "Apps:field cannot receive the arguments after it, [--greeting, hi]; only a"
                + " static method taking String[] does", "-p", "0", APPS + "Apps:field", "--greeting", "hi");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "65536", "-1", ""})
    void refusesAPortOutsideZeroTo65535(String port) throws Exception {
        assertUsageError("-p/--port must be a number from 0 to 65535, got \"" + port + "\"",
                "-p", port, APPS + "Apps:field");
    }

    @Test
    void refusesAHostThatIsNeitherAnAddressNorAName() throws Exception {
        assertUsageError("-a/--host must be an IP address or a known host name, got \"::zz\"",
                "-a", "::zz", APPS + "Apps:field");
    }

    @Test
    void refusesAnOptionWithoutItsValue() throws Exception {
        assertUsageError("-a/--host needs a value", "-p", "0", "-a");
    }

    @Test
    void refusesATimeoutThatIsNotANumberOfSeconds() throws Exception {
        assertUsageError("--idle-timeout must be a number of seconds (up to 3 decimals), got \"soon\"",
                "--idle-timeout", "soon", APPS + "Apps:field");
        assertUsageError("--drain-timeout must be a number of seconds (up to 3 decimals), got \"-1\"",
                "--drain-timeout=-1", APPS + "Apps:field");
    }

    @Test
    void refusesLimitsOutOfRangeNamingTheFlag() throws Exception {
        assertUsageError("--max-header-size: max header size must be at least 1024 bytes, got 100",
                "--max-header-size", "100", APPS + "Apps:field");
        assertUsageError("--max-connections must be a whole number from 0 (no limit) to 999999999, got \"many\"",
                "--max-connections", "many", APPS + "Apps:field");
    }

    @Test
    void exitsWithOneNamingTheAccessLogThatCannotBeOpened() throws Exception {
        try (Cli cli = Cli.start("-p", "0", "--access-log", "/nonexistent-dir/access.log", APPS + "Apps:field")) {
            assertEquals(1, cli.awaitExit());
            assertTrue(cli.stderr().startsWith(
                    "bjoern: --access-log: cannot open \"/nonexistent-dir/access.log\" for appending: "), cli.stderr());
        }
    }

    @Test
    void refusesAMaxBodySizeThatIsNotANumberOfBytes() throws Exception {
        assertUsageError("--max-body-size must be a number of bytes, got \"1k\"",
                "--max-body-size", "1k", APPS + "Apps:field");
    }

    @Test
    void exitsWithOneNamingTheAddressWhenThePortIsInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                Cli cli = Cli.start("-p", Integer.toString(taken.getLocalPort()), APPS + "Apps:field")) {
            assertEquals(1, cli.awaitExit());
            assertEquals("bjoern: cannot listen on 127.0.0.1 port " + taken.getLocalPort()
                    + ": Address already in use\n", cli.stderr());
        }
    }

    @Test
    void exitsWithOneAndTheStackTraceWhenTheFactoryThrows() throws Exception {
        try (Cli cli = Cli.start("-p", "0", APPS + "Apps:broken")) {
            assertEquals(1, cli.awaitExit());
            String stderr = cli.stderr();
            assertTrue(stderr.startsWith("bjoern: " + APPS + "Apps:broken failed:"
                    + " java.lang.IllegalStateException: no database configured\n"), stderr);
            assertTrue(stderr.contains("\tat " + APPS + "Apps.broken("), stderr);
        }
    }

    private static void assertUsageError(String message, String... args) throws Exception {
        try (Cli cli = Cli.start(args)) {
            int status = cli.awaitExit();
            assertEquals("bjoern: " + message + "\n" + HINT + "\n", cli.stderr());
            assertEquals(2, status);
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), () -> "GET " + url + ": " + response.body());
        return response.body();
    }

    private static HttpResponse<String> post(URI uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean canBind(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
