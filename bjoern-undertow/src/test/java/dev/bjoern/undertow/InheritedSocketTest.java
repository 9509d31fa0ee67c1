package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bjoern.undertow.cliapps.Where;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sockets made by someone else: a caller's channel, systemd socket activation (fds 3 and up, through
 * systemd-socket-activate), inetd style (fd 0, its --inetd form), and fds that are no listening socket.
 */
class InheritedSocketTest {
    private static final int JDK = Runtime.version().feature();
    private static final String APP = "dev.bjoern.undertow.cliapps.Where:app";

    @TempDir
    Path dir;

    private static String activator() {
        return Tools.require("systemd-socket-activate", "apt-get install systemd").toString();
    }

    private static List<String> command(String... head) {
        return new ArrayList<>(List.of(head));
    }

    private static Command curl(String... args) throws Exception {
        List<String> command = command(Tools.require("curl", "apt-get install curl").toString(), "-sS",
                "--max-time", "20");
        command.addAll(List.of(args));
        return Command.run(command.toArray(String[]::new));
    }

    /** Runs {@code launcher + Main args}, lets a first request start it, and checks it serves. */
    private static Cli activate(List<String> launcher, String... curlArgs) throws Exception {
        launcher.addAll(Cli.command(APP));
        Cli cli = Cli.start(new ProcessBuilder(launcher));
        cli.awaitStderr("Listening on");
        return cli;
    }

    @Test
    void servesACallersChannel() throws Exception {
        ServerSocketChannel channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        try (BjoernServer server = BjoernServer.builder(Where.app).channel(channel).build().start()) {
            assertEquals(port, server.port());
            assertTrue(curl("http://127.0.0.1:" + port + "/").ok().startsWith("SERVER_NAME=127.0.0.1\nSERVER_PORT="
                    + port + "\n"));
        }
        assertFalse(channel.isOpen(), "close() closes the channel it served");
    }

    @Test
    void systemdSocketActivationOnAUnixPath() throws Exception {
        Path socket = dir.resolve("activated.sock");
        try (Cli cli = activate(command(activator(), "-l", socket.toString()))) {
            Command answer = curl("--unix-socket", socket.toString(), "http://x/");
            if (JDK < 22) {
                assertEquals(1, cli.awaitExit());
                assertTrue(cli.stderr().contains("bjoern: socket activation passes the socket as fd 3, which needs"
                        + " JDK 22 or newer to adopt; this is JDK " + JDK + ". On JDK " + JDK + ", move it to fd 0"
                        + " and serve it with --inetd: exec java ... dev.bjoern.undertow.Main --inetd APP 0<&3 3<&-\n"),
                        cli.stderr());
                return;
            }
            assertTrue(answer.ok().startsWith("SERVER_NAME=localhost\n"), answer.stdout());
            java.util.regex.Matcher serving = cli.awaitServingAmongOtherLines();
            assertEquals("unix:" + socket, serving.group(2));
            assertTrue(serving.group().endsWith(" (fd 3)"), serving.group());
            assertTrue(curl("--unix-socket", socket.toString(), "http://x/").ok().startsWith("SERVER_NAME=localhost"));
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
        }
    }

    @Test
    void systemdSocketActivationOnATcpPort() throws Exception {
        assumeTrue(JDK >= 22, "adopting fd 3 needs JDK 22+; the unix path test checks the refusal");
        // systemd-socket-activate takes a port number, not 0: the one race the tests accept.
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (Cli cli = activate(command(activator(), "-l", "127.0.0.1:" + port))) {
            String body = curl("http://127.0.0.1:" + port + "/").ok();
            assertTrue(body.startsWith("SERVER_NAME=127.0.0.1\nSERVER_PORT=" + port + "\nREMOTE_ADDR=127.0.0.1\n"), body);
            assertEquals("http://127.0.0.1:" + port + "/", cli.awaitServingAmongOtherLines().group(2));
        }
    }

    @Test
    void systemdSocketActivationWithATcpAndAUnixSocketServesBoth() throws Exception {
        assumeTrue(JDK >= 22, "adopting fds 3 and up needs JDK 22+; the unix path test checks the refusal");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path socket = dir.resolve("second.sock");
        try (Cli cli = activate(command(activator(), "-l", "127.0.0.1:" + port, "-l", socket.toString()))) {
            String tcp = curl("http://127.0.0.1:" + port + "/").ok();
            assertTrue(tcp.startsWith("SERVER_NAME=127.0.0.1\nSERVER_PORT=" + port + "\n"), tcp);
            assertTrue(curl("--unix-socket", socket.toString(), "http://x/").ok().startsWith("SERVER_NAME=localhost"));
            java.util.regex.Matcher serving = cli.awaitServingAmongOtherLines();
            assertEquals("http://127.0.0.1:" + port + "/", serving.group(2));
            assertEquals(", unix:" + socket + " (fd 4)", serving.group(5));
            assertTrue(curl("http://127.0.0.1:" + port + "/").ok().startsWith("SERVER_NAME=127.0.0.1\n"));
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
        }
    }

    @Test
    void inetdStyleListeningSocketOnFdZero() throws Exception {
        Path socket = dir.resolve("inetd.sock");
        List<String> launcher = command(activator(), "--inetd", "-l", socket.toString());
        launcher.addAll(Cli.command("--inetd", APP));
        try (Cli cli = Cli.start(new ProcessBuilder(launcher))) {
            cli.awaitStderr("Listening on");
            assertTrue(curl("--unix-socket", socket.toString(), "http://x/").ok().startsWith("SERVER_NAME=localhost"));
            assertEquals("unix:" + socket, cli.awaitServingAmongOtherLines().group(2));
            assertTrue(curl("--unix-socket", socket.toString(), "http://x/").ok().startsWith("SERVER_NAME=localhost"));
        }
    }

    @Test
    void jdk17LauncherMovesFdThreeToZero() throws Exception {
        // The documented workaround for socket activation on JDK 17: a shell moves fd 3 to fd 0.
        Path socket = dir.resolve("moved.sock");
        List<String> launcher = command(activator(), "-l", socket.toString(), "sh", "-c",
                "exec \"$@\" 0<&3 3<&-", "sh");
        launcher.addAll(Cli.command("--inetd", APP));
        try (Cli cli = Cli.start(new ProcessBuilder(launcher))) {
            cli.awaitStderr("Listening on");
            assertTrue(curl("--unix-socket", socket.toString(), "http://x/").ok().startsWith("SERVER_NAME=localhost"));
            assertEquals("unix:" + socket, cli.awaitServingAmongOtherLines().group(2));
        }
    }

    @Test
    void refusesAConnectedSocketOnFdZero() throws Exception {
        // --accept hands each connection over (inetd "nowait"): fd 0 is then no listening socket.
        Path socket = dir.resolve("accept.sock");
        List<String> launcher = command(activator(), "--accept", "--inetd", "-l", socket.toString());
        launcher.addAll(Cli.command("--inetd", APP));
        try (Cli cli = Cli.start(new ProcessBuilder(launcher))) {
            cli.awaitStderr("Listening on");
            curl("--unix-socket", socket.toString(), "http://x/");
            cli.awaitStderr("bjoern: fd 0 must be a listening stream socket, got a connected socket (inetd"
                    + " \"nowait\"/--accept mode; use \"wait\" mode, which passes the listening socket)");
        }
    }

    @Test
    void refusesADatagramSocketFromSocketActivation() throws Exception {
        assumeTrue(JDK >= 22, "adopting fd 3 needs JDK 22+; the unix path test checks the refusal");
        Path socket = dir.resolve("datagram.sock");
        List<String> launcher = command(activator(), "--datagram", "-l", socket.toString());
        launcher.addAll(Cli.command(APP));
        try (Cli cli = Cli.start(new ProcessBuilder(launcher))) {
            cli.awaitStderr("Listening on");
            // A datagram is the "communication attempt" that makes systemd-socket-activate start the server.
            Command.withInput("x", Tools.require("socat", "apt-get install socat").toString(), "-",
                    "UNIX-SENDTO:" + socket).ok();
            assertEquals(1, cli.awaitExit());
            assertTrue(cli.stderr().contains("bjoern: fd 3 must be a listening stream socket, got a datagram socket\n"),
                    cli.stderr());
        }
    }

    @Test
    void refusesAPipeOnFdZero() throws Exception {
        try (Cli cli = Cli.start("--inetd", APP)) {
            assertEquals(1, cli.awaitExit());
            assertEquals("bjoern: fd 0 must be a listening stream socket, got no socket (a terminal, file or pipe?)\n",
                    cli.stderr());
        }
    }

    @Test
    void refusesAnFdThatIsNotASocketOrNamesTheJdkNeeded() throws Exception {
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        try (FileInputStream open = new FileInputStream(file.toFile())) {
            int fd = fdOf(file);
            BjoernServer server = BjoernServer.builder(Where.app).fd(fd).build();
            if (JDK < 22) {
                UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                        server::bind);
                assertEquals("adopting fd " + fd + " needs JDK 22 or newer; this is JDK " + JDK + ". On JDK " + JDK
                        + ", pass the socket as fd 0 (serverRun(0, app), or --inetd with 0<&" + fd + " " + fd + "<&-)",
                        refused.getMessage());
                return;
            }
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, server::bind);
            assertEquals("fd " + fd + " must be a listening stream socket, got a file that is not a socket",
                    refused.getMessage());
        }
    }

    @Test
    void refusesAConnectedTcpSocketFd() throws Exception {
        assumeTrue(JDK >= 22, "adopting an fd above 0 needs JDK 22+");
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                java.net.Socket connected = new java.net.Socket(InetAddress.getLoopbackAddress(),
                        listening.getLocalPort())) {
            int fd = fdOfSocketOn(connected.getLocalPort());
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> BjoernServer.builder(Where.app).fd(fd).build().bind());
            assertEquals("fd " + fd + " must be a listening stream socket, got a stream socket that is not listening"
                    + " (connected?)", refused.getMessage());
        }
    }

    /** The fd this process holds open on {@code file}, read from /proc/self/fd. */
    private static int fdOf(Path file) throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file.toRealPath())) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (java.io.IOException gone) {
                    // The directory stream's own fd, closed by now.
                }
            }
        }
        throw new AssertionError("no fd open on " + file);
    }

    /** The fd of the TCP socket whose local port is {@code port}, via /proc/net/tcp's inode. */
    private static int fdOfSocketOn(int port) throws Exception {
        String hexPort = String.format(":%04X ", port);
        String inode = null;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && (f[1] + " ").endsWith(hexPort)) {
                    inode = f[9];
                }
            }
        }
        assertTrue(inode != null, "no /proc/net/tcp line for port " + port);
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("socket:[" + inode + "]")) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (java.io.IOException gone) {
                    // The directory stream's own fd.
                }
            }
        }
        throw new AssertionError("no fd for socket inode " + inode);
    }
}
