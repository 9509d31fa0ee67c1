package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd units of docs/deploy, shown verbatim in docs/deployment.md, run here as systemd would run
 * them: the socket unit's ListenStream made by systemd-socket-activate, the service's ExecStart started
 * on the first connection. Only the machine's paths are replaced: the java binary, the classpath, the
 * app and the socket's directory.
 */
class DeploymentDocsTest {
    private static final int JDK = Runtime.version().feature();

    @TempDir
    Path dir;

    private static Path docs() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isDirectory(at.resolve("docs/deploy"))) {
                return at.resolve("docs");
            }
        }
        throw new AssertionError("no docs/deploy above " + Path.of("").toAbsolutePath());
    }

    /** The value of {@code key=} in a unit file; exactly one such line. */
    private static String unitValue(Path unit, String key) throws Exception {
        List<String> values = Files.readAllLines(unit).stream().filter(l -> l.startsWith(key + "="))
                .map(l -> l.substring(key.length() + 1)).toList();
        assertEquals(1, values.size(), key + " lines in " + unit);
        return values.get(0);
    }

    /** Splits a command line as systemd does for the quoting used here: spaces, and '...' as one word. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    words.add(word.toString());
                }
                word.setLength(0);
                any = false;
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            words.add(word.toString());
        }
        return words;
    }

    private Path socketOf(Path docs) throws Exception {
        String listen = unitValue(docs.resolve("deploy/bjoern.socket"), "ListenStream");
        assertEquals("/run/bjoern/app.sock", listen);
        return dir.resolve(Path.of(listen).getFileName());
    }

    /** A service unit's ExecStart as words, with this machine's java, classpath and a test app. */
    private static List<String> execStart(Path docs, String service) throws Exception {
        return words(unitValue(docs.resolve("deploy/" + service), "ExecStart")
                .replace("/usr/bin/java", Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .replace("/opt/app/bjoern.jar:/opt/app/app.jar", System.getProperty("java.class.path"))
                .replace("com.example.App:app", "dev.bjoern.undertow.cliapps.Where:app"));
    }

    private void runsUnderSocketActivation(String service) throws Exception {
        Path docs = docs();
        Path socket = socketOf(docs);
        List<String> command = new ArrayList<>(List.of(
                Tools.require("systemd-socket-activate", "apt-get install systemd").toString(), "-l", socket.toString()));
        command.addAll(execStart(docs, service));
        try (Cli cli = Cli.start(new ProcessBuilder(command))) {
            cli.awaitStderr("Listening on");
            String body = Command.run(Tools.require("curl", "apt-get install curl").toString(), "-sS", "--max-time",
                    "20", "--unix-socket", socket.toString(), "http://x/").ok();
            assertTrue(body.startsWith("SERVER_NAME=localhost\n"), body);
            assertTrue(cli.awaitServingAmongOtherLines().group(2).equals("unix:" + socket));
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit(), "systemctl stop sends SIGTERM; the service must exit 0");
            assertTrue(Files.exists(socket), "the socket file is systemd's: the service must leave it");
        }
    }

    @Test
    void theServiceUnitServesTheSocketUnitsSocket() throws Exception {
        assumeTrue(JDK >= 22, "bjoern.service adopts fd 3, which needs JDK 22+; bjoern-jdk17.service is run instead");
        runsUnderSocketActivation("bjoern.service");
    }

    @Test
    void theJdk17ServiceUnitServesTheSocketUnitsSocket() throws Exception {
        runsUnderSocketActivation("bjoern-jdk17.service");
    }

    @Test
    void theServiceUnitServesBothSocketsOfTheTwoSocketUnit() throws Exception {
        assumeTrue(JDK >= 22, "bjoern.service adopts fds 3 and 4, which needs JDK 22+");
        Path docs = docs();
        List<String> listens = Files.readAllLines(docs.resolve("deploy/bjoern-two.socket")).stream()
                .filter(l -> l.startsWith("ListenStream=")).map(l -> l.substring("ListenStream=".length())).toList();
        assertEquals(List.of("/run/bjoern/app.sock", "127.0.0.1:8000"), listens);
        Path socket = dir.resolve("app.sock");
        // systemd-socket-activate takes a port number, not 0: the one race the tests accept.
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(
                Tools.require("systemd-socket-activate", "apt-get install systemd").toString(),
                "-l", socket.toString(), "-l", "127.0.0.1:" + port));
        command.addAll(execStart(docs, "bjoern.service"));
        String curl = Tools.require("curl", "apt-get install curl").toString();
        try (Cli cli = Cli.start(new ProcessBuilder(command))) {
            cli.awaitStderr("Listening on");
            assertTrue(Command.run(curl, "-sS", "--max-time", "20", "--unix-socket", socket.toString(), "http://x/")
                    .ok().startsWith("SERVER_NAME=localhost\n"));
            assertTrue(Command.run(curl, "-sS", "--max-time", "20", "http://127.0.0.1:" + port + "/").ok()
                    .startsWith("SERVER_NAME=127.0.0.1\nSERVER_PORT=" + port + "\n"));
            java.util.regex.Matcher serving = cli.awaitServingAmongOtherLines();
            assertEquals("unix:" + socket, serving.group(2));
            assertEquals(", http://127.0.0.1:" + port + "/ (fd 4)", serving.group(5));
            cli.signal("TERM");
            assertEquals(0, cli.awaitExit(), "systemctl stop sends SIGTERM; the service must exit 0");
        }
    }

    @Test
    void deploymentMdShowsEachUnitVerbatim() throws Exception {
        Path docs = docs();
        String page = Files.readString(docs.resolve("deployment.md"));
        for (String unit : List.of("bjoern.socket", "bjoern-two.socket", "bjoern.service", "bjoern-jdk17.service")) {
            String text = Files.readString(docs.resolve("deploy/" + unit));
            assertTrue(page.contains("```ini\n" + text + "```\n"),
                    "docs/deployment.md must show docs/deploy/" + unit + " verbatim in an ini block");
        }
    }
}
