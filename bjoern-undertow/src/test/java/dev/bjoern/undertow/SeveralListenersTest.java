package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.undertow.cliapps.Where;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One server on several listeners: each served, one connection limit over all, each gone after the stop. */
class SeveralListenersTest {
    private static final String APP = "dev.bjoern.undertow.cliapps.Where:app";
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @TempDir
    Path dir;

    private static String curl(String... args) throws Exception {
        return Ipv6Test.curl(args);
    }

    private static void assertRefused(String host, int port) {
        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getByName(host), port), 5000);
            }
        }, host + " port " + port + " must refuse connections once the server stopped");
    }

    @Test
    void threeListenersFromTheCommandLineAreEachServedAndEachGoneAfterSigterm() throws Exception {
        Ipv6Test.requireIpv6Loopback();
        Path socket = dir.resolve("app.sock");
        try (Cli cli = Cli.start("-a", "127.0.0.1", "-a", "::1", "--uds", socket.toString(), "-p", "0", APP)) {
            Matcher serving = cli.awaitServing();
            assertEquals("127.0.0.1", serving.group(3));
            int v4 = Integer.parseInt(serving.group(4));
            Matcher others = Pattern.compile(", http://\\[::1\\]:(\\d+)/, unix:(\\S+)").matcher(serving.group(5));
            assertTrue(others.matches(), serving.group());
            int v6 = Integer.parseInt(others.group(1));
            assertEquals(socket.toString(), others.group(2));

            assertTrue(curl("http://127.0.0.1:" + v4 + "/").startsWith("SERVER_NAME=127.0.0.1\nSERVER_PORT=" + v4
                    + "\nREMOTE_ADDR=127.0.0.1\n"));
            assertTrue(curl("http://[::1]:" + v6 + "/").startsWith("SERVER_NAME=::1\nSERVER_PORT=" + v6
                    + "\nREMOTE_ADDR=::1\n"));
            assertTrue(curl("--unix-socket", socket.toString(), "http://x/").startsWith("SERVER_NAME=localhost\n"));

            cli.signal("TERM");
            assertEquals(0, cli.awaitExit(), cli::toString);
            assertRefused("127.0.0.1", v4);
            assertRefused("::1", v6);
            assertFalse(Files.exists(socket), "the socket file must be gone after SIGTERM");
        }
    }

    @Test
    void theCommandLinesAddressesReplaceTheEnvironments() throws Exception {
        Path fromEnvironment = dir.resolve("environment.sock");
        Path fromCommandLine = dir.resolve("command-line.sock");
        ProcessBuilder launch = new ProcessBuilder(Cli.command("--uds", fromCommandLine.toString(), APP));
        launch.environment().put("BJOERN_CMD_ARGS", "--uds " + fromEnvironment + " -a 127.0.0.1");
        try (Cli cli = Cli.start(launch)) {
            assertEquals("unix:" + fromCommandLine, cli.awaitServing().group(2));
            assertEquals("", cli.awaitServing().group(5), "the environment's listeners are not added");
            assertFalse(Files.exists(fromEnvironment));
        }
    }

    @Test
    void oneConnectionLimitCoversEveryListenerOfEveryLoop() throws Exception {
        try (BjoernServer server = BjoernServer.builder(Where.app).port(0).listen("127.0.0.1:0").workers(2)
                .maxConnections(2).build().start()) {
            List<String> listening = server.listening();
            assertEquals(2, listening.size(), listening.toString());
            int first = server.port();
            int second = Integer.parseInt(listening.get(1).replaceAll("^http://127\\.0\\.0\\.1:(\\d+)/$", "$1"));
            assertEquals(listening.get(0) + ", " + listening.get(1), server.where());
            // The limit is shared among the loops: with two loops and a limit of 2, each takes 1.
            try (RawHttp a = new RawHttp(first); RawHttp b = new RawHttp(second)) {
                assertEquals(200, a.send(GET).read().status());
                assertEquals(200, b.send(GET).read().status());
                try (RawHttp c = new RawHttp(second); RawHttp d = new RawHttp(first)) {
                    c.send(GET);
                    d.send(GET);
                    // The kernel completes the handshakes into the backlogs; the loops do not take them.
                    c.socket.setSoTimeout(1000);
                    d.socket.setSoTimeout(1000);
                    assertThrows(SocketTimeoutException.class, c::read, "served beyond max connections");
                    assertThrows(SocketTimeoutException.class, d::read, "served beyond max connections");
                    c.socket.setSoTimeout(10_000);
                    d.socket.setSoTimeout(10_000);
                    a.close();
                    b.close();
                    assertEquals(200, c.read().status());
                    assertEquals(200, d.read().status());
                }
            }
        }
    }

    @Test
    void listenAddressesAreCheckedWhenGiven() {
        BjoernServer.Builder builder = BjoernServer.builder(Where.app);
        for (String bad : List.of("8000", "127.0.0.1", "127.0.0.1:65536", ":8000", "::1:8000", "unix:", "unix:@",
                "fd:x", "fd:x:3", "fd:", "[localhost]:80", "127.0.0.1:-1")) {
            String message = assertThrows(IllegalArgumentException.class, () -> builder.listen(bad)).getMessage();
            assertTrue(message.endsWith("got \"" + bad + "\""), message);
        }
        assertEquals("a listen address must be HOST:PORT with an IPv6 address in brackets ([::1]:8000), got"
                + " \"::1:8000\"", assertThrows(IllegalArgumentException.class, () -> builder.listen("::1:8000"))
                .getMessage());
    }

    @Test
    void aListenerThatCannotBindClosesThoseBoundBeforeIt() throws Exception {
        Path socket = dir.resolve("first.sock");
        try (BjoernServer taken = BjoernServer.builder(Where.app).port(0).build().start()) {
            BjoernServer server = BjoernServer.builder(Where.app).host("unix:" + socket)
                    .listen("127.0.0.1:" + taken.port()).build();
            String message = assertThrows(java.io.IOException.class, server::bind).getMessage();
            assertEquals("cannot listen on 127.0.0.1 port " + taken.port() + ": Address already in use", message);
            assertFalse(Files.exists(socket), "the unix socket bound first must be closed and its file deleted");
        }
    }

    @Test
    void theMetricsCountEveryListener() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Path socket = dir.resolve("counted.sock");
        try (BjoernServer server = BjoernServer.builder(Where.app).port(0).listen("unix:" + socket)
                .meterRegistry(meters).build().start()) {
            try (RawHttp client = new RawHttp(server.port())) {
                assertEquals(200, client.send(GET).read().status());
            }
            assertTrue(curl("--unix-socket", socket.toString(), "http://x/").startsWith("SERVER_NAME=localhost\n"));
            assertTrue(curl("http://127.0.0.1:" + server.port() + "/").startsWith("SERVER_NAME=127.0.0.1\n"));
            // Counted on the IO thread once each response is out: the last may still be on its way.
            Traffic.await(() -> Traffic.count(meters, "resp.done") >= 3);
            assertEquals(3, Traffic.count(meters, "conn.accept.success"));
            assertEquals(3, Traffic.count(meters, "resp.done"));
        }
    }
}
