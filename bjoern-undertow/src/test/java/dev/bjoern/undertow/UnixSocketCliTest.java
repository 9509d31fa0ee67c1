package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line on unix socket files: --uds, -a unix:PATH, --socket-mode, and cleaning up on SIGTERM. */
class UnixSocketCliTest {
    private static final String APP = "dev.bjoern.undertow.cliapps.Where:app";

    @TempDir
    Path dir;

    private static String curl(Path socket) throws Exception {
        return Command.run(Tools.require("curl", "apt-get install curl").toString(), "-sS", "--max-time", "20",
                "--unix-socket", socket.toString(), "http://x/").ok();
    }

    @Test
    void servesOnUdsAndDeletesTheSocketFileOnSigterm() throws Exception {
        Path socket = dir.resolve("app.sock");
        try (Cli cli = Cli.start("--uds", socket.toString(), APP)) {
            assertEquals("unix:" + socket, cli.awaitServing().group(2));
            assertTrue(curl(socket).startsWith("SERVER_NAME=localhost\n"));
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit(), cli::toString);
            assertFalse(Files.exists(socket), "the socket file must be gone after SIGTERM");
        }
    }

    @Test
    void servesOnAUnixHostWithTheGivenSocketMode() throws Exception {
        Path socket = dir.resolve("mode.sock");
        try (Cli cli = Cli.start("-a", "unix:" + socket, "--socket-mode", "660", APP)) {
            cli.awaitServing();
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertTrue(curl(socket).startsWith("SERVER_NAME=localhost\n"));
        }
    }

    @Test
    void exitsWithOneNamingThePathWhenAnotherServerListensOnIt() throws Exception {
        Path socket = dir.resolve("live.sock");
        try (Cli first = Cli.start("--uds", socket.toString(), APP)) {
            first.awaitServing();
            try (Cli second = Cli.start("--uds", socket.toString(), APP)) {
                assertEquals(1, second.awaitExit());
                assertEquals("bjoern: cannot listen on unix:" + socket + ": another server is listening on it\n",
                        second.stderr());
            }
            assertTrue(curl(socket).startsWith("SERVER_NAME=localhost\n"), "the first server must still serve");
        }
    }

    @Test
    void refusesASocketModeThatIsNotOctal() throws Exception {
        try (Cli cli = Cli.start("--uds", dir.resolve("x.sock").toString(), "--socket-mode", "u+rw", APP)) {
            assertEquals(2, cli.awaitExit());
            assertTrue(cli.stderr().startsWith("bjoern: --socket-mode must be 3 octal digits like 660, got \"u+rw\"\n"),
                    cli.stderr());
        }
    }
}
