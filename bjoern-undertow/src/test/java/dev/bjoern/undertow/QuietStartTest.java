package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The command line prints its serving line and nothing else: no XNIO greeting, no JDK warning. The build runs
 * this on JDK 17 and on JDK 22+; the child is launched as users launch it, with no flag of the tests' own.
 * (The embedded server's output is checked the same way by module-tests' ModulePathTest.)
 */
class QuietStartTest {
    @Test
    void theCommandLinePrintsTheServingLineAndNothingElse() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "-p", "0", "dev.bjoern.undertow.cliapps.Apps:field");
        try (Cli cli = Cli.start(new ProcessBuilder(command))) {
            Matcher serving = cli.awaitServing();
            // A request served, and one Undertow's parser refuses: its loggers and messages load, silently.
            try (RawHttp http = new RawHttp(Integer.parseInt(serving.group(4)))) {
                assertEquals(200, http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            }
            try (RawHttp http = new RawHttp(Integer.parseInt(serving.group(4)))) {
                assertEquals(400, http.send("GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n").read().status());
            }
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
            assertEquals(serving.group() + "\n", cli.stderr());
            assertEquals("", cli.stdout());
        }
    }
}
