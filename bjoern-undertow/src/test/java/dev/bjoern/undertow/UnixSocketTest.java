package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import dev.bjoern.undertow.cliapps.Where;
import java.io.IOException;
import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unix socket files (unix:/path), served to curl --unix-socket. */
class UnixSocketTest {
    @TempDir
    Path dir;

    private static BjoernServer serve(WsgiApplication app, Path socket) throws IOException {
        return BjoernServer.builder(app).host("unix:" + socket).build().start();
    }

    private static Command curl(Path socket, String... args) throws Exception {
        String[] command = new String[args.length + 5];
        command[0] = Tools.require("curl", "apt-get install curl").toString();
        command[1] = "-sS";
        command[2] = "--max-time";
        command[3] = "20";
        command[4] = "--unix-socket";
        System.arraycopy(args, 0, command, 5, args.length);
        return Command.run(command);
    }

    @Test
    void servesCurlWithLocalhostPort80AndNoRemoteAddress() throws Exception {
        Path socket = dir.resolve("app.sock");
        try (BjoernServer server = serve(Where.app, socket)) {
            assertEquals("unix:" + socket, server.where());
            String body = curl(socket, socket.toString(), "http://ignored/").ok();
            assertTrue(body.startsWith("SERVER_NAME=localhost\nSERVER_PORT=80\nREMOTE_ADDR=\nREMOTE_PORT=\n"), body);
            assertThrows(IllegalStateException.class, server::port);
        }
    }

    @Test
    void keepsTheConnectionAliveAndStreamsALargeBody() throws Exception {
        byte[] chunk = new byte[64 * 1024];
        WsgiApplication big = (environ, startResponse) -> {
            startResponse.call("200 OK", List.of());
            return Collections.nCopies(64, chunk);
        };
        Path socket = dir.resolve("big.sock");
        try (BjoernServer server = serve(big, socket)) {
            // Two URLs on one connection (curl reuses it: "Re-using existing connection" in -v).
            Command both = curl(socket, socket.toString(), "-v", "-o", "/dev/null", "-o", "/dev/null",
                    "-w", "%{size_download}\n", "http://x/a", "http://x/b");
            assertEquals("4194304\n4194304\n", both.ok());
            assertTrue(both.stderr().contains("Re-using existing connection") || both.stderr().contains("Reusing"),
                    both.stderr());
            assertEquals("4194304", curl(socket, socket.toString(), "--http1.0", "-o", "/dev/null",
                    "-w", "%{size_download}", "http://x/").ok());
        }
    }

    @Test
    void replacesAStaleSocketFileThatNobodyListensOn() throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "the JDK leaves the socket file behind on close, as a crashed server does");
        try (BjoernServer server = serve(Where.app, socket)) {
            assertTrue(curl(socket, socket.toString(), "http://x/").ok().startsWith("SERVER_NAME=localhost"));
        }
    }

    @Test
    void refusesASocketFileAnotherServerAnswersOnNamingThePath() throws Exception {
        Path socket = dir.resolve("live.sock");
        try (BjoernServer first = serve(Where.app, socket)) {
            BjoernServer second = BjoernServer.builder(Where.app).host("unix:" + socket).build();
            BindException refused = assertThrows(BindException.class, second::bind);
            assertEquals("cannot listen on unix:" + socket + ": another server is listening on it",
                    refused.getMessage());
            assertTrue(curl(socket, socket.toString(), "http://x/").ok().startsWith("SERVER_NAME=localhost"),
                    "the first server must still serve");
        }
    }

    @Test
    @Timeout(30)
    void refusesASocketFileWhoseServerIsTooBusyToAccept() throws Exception {
        Path socket = dir.resolve("busy.sock");
        List<SocketChannel> waiting = new ArrayList<>();
        try (ServerSocketChannel busy = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            busy.bind(UnixDomainSocketAddress.of(socket), 1);
            // Connections nobody accepts fill its backlog, until one more is refused for now (EAGAIN).
            try {
                while (waiting.size() < 1000) {
                    SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
                    waiting.add(client);
                    client.configureBlocking(false);
                    client.connect(UnixDomainSocketAddress.of(socket));
                }
            } catch (IOException full) {
                // The backlog is full.
            }
            assertTrue(waiting.size() < 1000, "the backlog never filled");
            BjoernServer second = BjoernServer.builder(Where.app).host("unix:" + socket).build();
            BindException refused = assertThrows(BindException.class, second::bind);
            assertEquals("cannot listen on unix:" + socket + ": another server is listening on it",
                    refused.getMessage());
        } finally {
            for (SocketChannel client : waiting) {
                client.close();
            }
        }
    }

    @Test
    void refusesAFileThatIsNotASocket() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
        BjoernServer server = BjoernServer.builder(Where.app).host("unix:" + file).build();
        BindException refused = assertThrows(BindException.class, server::bind);
        assertEquals("cannot listen on unix:" + file + ": the file exists and is not a socket", refused.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void deletesTheSocketFileOnClose() throws Exception {
        Path socket = dir.resolve("gone.sock");
        BjoernServer server = serve(Where.app, socket);
        assertTrue(Files.exists(socket));
        server.close();
        assertFalse(Files.exists(socket), "close() must delete the socket file");
    }

    @Test
    void setsTheSocketFilePermissions() throws Exception {
        Path socket = dir.resolve("mode.sock");
        try (BjoernServer server = BjoernServer.builder(Where.app).host("unix:" + socket)
                .unixSocketPermissions(PosixFilePermissions.fromString("rw-rw----")).build().start()) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        }
    }

    @Test
    void parsesOctalSocketModes() {
        assertEquals("rw-rw----", PosixFilePermissions.toString(ListeningSocket.permissions("660")));
        assertEquals("rwxr-x--x", PosixFilePermissions.toString(ListeningSocket.permissions("0751")));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ListeningSocket.permissions("rw"));
        assertEquals("socket mode must be 3 octal digits like 660, got \"rw\"", bad.getMessage());
    }

    @Test
    void refusesAUnixAddressWithoutAPath() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> BjoernServer.builder(Where.app).host("unix:"));
        assertEquals("a unix address must be unix:/path or unix:@name, got \"unix:\"", bad.getMessage());
    }

    @Test
    void servesEnvironOfEveryRequestOverTheUnixSocket() throws Exception {
        Path socket = dir.resolve("env.sock");
        WsgiApplication echo = (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain")));
            return List.of((environ.get("REQUEST_METHOD") + " " + environ.get("PATH_INFO") + " "
                    + environ.get("HTTP_HOST")).getBytes());
        };
        try (BjoernServer server = serve(echo, socket)) {
            assertEquals("POST /p q.example", curl(socket, socket.toString(), "-d", "x", "http://q.example/p").ok());
        }
    }

    @Test
    void severalWorkersShareOneUnixSocket() throws Exception {
        Path socket = dir.resolve("workers.sock");
        try (BjoernServer server = BjoernServer.builder(Where.app).host("unix:" + socket).workers(2).build().start()) {
            String body = curl(socket, socket.toString(), "http://x/").ok();
            assertTrue(body.contains("\nwsgi.multithread=true\n"), body);
        }
    }

    @Test
    void namesThePathWhoseDirectoryIsMissing() {
        Path socket = dir.resolve("missing/app.sock");
        BjoernServer server = BjoernServer.builder(Where.app).host("unix:" + socket).build();
        IOException refused = assertThrows(IOException.class, server::bind);
        assertEquals("cannot listen on unix:" + socket + ": No such file or directory", refused.getMessage());
    }
}
