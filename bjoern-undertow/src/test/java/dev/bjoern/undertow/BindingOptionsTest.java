package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line's binding options: --help lists them, --backlog reaches the kernel, bad values are named. */
class BindingOptionsTest {
    private static final String APP = "dev.bjoern.undertow.cliapps.Where:app";

    @Test
    void helpListsEveryBindingOptionWithItsDefault() throws Exception {
        try (Cli cli = Cli.start("--help")) {
            assertEquals(0, cli.awaitExit());
            String help = cli.stdout();
            for (String expected : List.of("unix:/PATH", "unix:@NAME", "--uds PATH", "--socket-mode MODE",
                    "(default: what the umask gives", "--reuse-port", "--backlog N", "(default 1024)", "--workers N",
                    "wsgi.multithread (default 1)", "--inetd", "LISTEN_FDS=N", "fds 3 and up", "0<&3 3<&-",
                    "repeat -a and --uds",
                    "--enable-native-access=ALL-UNNAMED")) {
                assertTrue(help.contains(expected), () -> "--help lacks \"" + expected + "\":\n" + help);
            }
        }
    }

    @Test
    void backlogIsTheListenQueueTheKernelReports() throws Exception {
        String ss = Tools.require("ss", "apt-get install iproute2").toString();
        try (Cli cli = Cli.start("-p", "0", "--backlog", "7", APP)) {
            String port = cli.awaitServing().group(4);
            // For a listening socket, ss shows the backlog as Send-Q.
            String line = Command.run(ss, "-ltnH", "sport = :" + port).ok().trim();
            assertEquals("7", line.split("\\s+")[2], line);
        }
        try (Cli cli = Cli.start("-p", "0", APP)) {
            String port = cli.awaitServing().group(4);
            String line = Command.run(ss, "-ltnH", "sport = :" + port).ok().trim();
            assertEquals("1024", line.split("\\s+")[2], line);
        }
    }

    @Test
    void refusesAWorkerCountBelowOne() throws Exception {
        try (Cli cli = Cli.start("--workers", "0", APP)) {
            assertEquals(2, cli.awaitExit());
            assertTrue(cli.stderr().startsWith("bjoern: --workers must be a whole number of at least 1, got \"0\"\n"),
                    cli.stderr());
        }
    }

    @Test
    void refusesABacklogThatIsNotANumber() throws Exception {
        try (Cli cli = Cli.start("--backlog", "many", APP)) {
            assertEquals(2, cli.awaitExit());
            assertTrue(cli.stderr().startsWith("bjoern: --backlog must be a whole number of at least 1, got \"many\"\n"),
                    cli.stderr());
        }
    }

    @Test
    void refusesReusePortOnAUnixSocket() throws Exception {
        try (Cli cli = Cli.start("--uds", "/tmp/never.sock", "--reuse-port", APP)) {
            assertEquals(2, cli.awaitExit());
            assertTrue(cli.stderr().startsWith("bjoern: --reuse-port shares a TCP port; it does not apply to"
                    + " unix:/tmp/never.sock\n"), cli.stderr());
        }
    }
}
