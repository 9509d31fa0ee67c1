package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options from BJOERN_CMD_ARGS, read before the command line's, in a child JVM. */
class CliEnvironmentTest {
    private static final String APP = "dev.bjoern.undertow.cliapps.Apps:field";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Cli.TIMEOUT).build();

    @TempDir
    Path dir;

    private static Cli start(String environment, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Cli.command(args));
        builder.environment().put("BJOERN_CMD_ARGS", environment);
        return Cli.start(builder);
    }

    @Test
    void takesOptionsFromTheEnvironmentAndTheCommandLineWinsWhereBothSetOne() throws Exception {
        Path log = dir.resolve("access log's file");
        String quoted = "\"" + log.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        try (Cli cli = start(" -p 0\t--max-body-size 4  --access-log " + quoted + " ", "--max-body-size", "6",
                APP)) {
            URI uri = URI.create(cli.awaitServing().group(2));
            assertEquals(200, post(uri, "123456"));
            assertEquals(413, post(uri, "1234567"));
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit());
        }
        assertEquals(2, Files.readAllLines(log).size());
    }

    @Test
    void splitsTheVariableAsAShellWould() {
        assertEquals(List.of("--statsd", "{\"enable\": true, \"tags\": \"a:b\"}", "it's", "a\\b\"c", "x y", "",
                        "--access-log=logs/a b"),
                Main.words("--statsd '{\"enable\": true, \"tags\": \"a:b\"}' it\\'s \"a\\\\b\\\"c\" x\\ y ''"
                        + " --access-log=\"logs/a b\""));
        assertEquals(List.of(), Main.words(" \t\n "));
    }

    @Test
    void refusesBadOptionsNamingTheVariable() throws Exception {
        assertUsageError("BJOERN_CMD_ARGS: --workers must be a whole number of at least 1, got \"x\"",
                "--workers x", APP);
        assertUsageError("BJOERN_CMD_ARGS: unknown option --wokers (the application's own options go after APP)",
                "--wokers 2", APP);
        assertUsageError("BJOERN_CMD_ARGS: \"" + APP + "\" is no option; the app and its arguments go on the"
                + " command line", "-p 0 " + APP);
        assertUsageError("BJOERN_CMD_ARGS: a ' quote is not closed: --access-log 'a b", "--access-log 'a b", APP);
    }

    private static void assertUsageError(String message, String environment, String... args) throws Exception {
        try (Cli cli = start(environment, args)) {
            int status = cli.awaitExit();
            assertEquals("bjoern: " + message + "\nRun with --help for the options.\n", cli.stderr());
            assertEquals(2, status);
        }
    }

    private static int post(URI uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Cli.TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void versionAndHelpOnTheCommandLineAnswerWhateverTheEnvironmentHolds() throws Exception {
        try (Cli cli = start("--wokers 2", "--version")) {
            assertEquals(0, cli.awaitExit());
            assertEquals("bjoern " + RequestEnviron.VERSION + "\n", cli.stdout());
        }
    }

    @Test
    void versionInTheEnvironmentIsRefused() throws Exception {
        try (Cli cli = start("--version", APP)) {
            assertEquals(2, cli.awaitExit());
            assertEquals("bjoern: BJOERN_CMD_ARGS: --version is for the command line\n"
                    + "Run with --help for the options.\n", cli.stderr());
        }
    }
}
