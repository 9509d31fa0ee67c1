package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * curl as a real client. Missing, it fails the test under {@code CI=true} (naming the install command)
 * and skips it with a visible notice otherwise, as the engine's test fixtures do.
 */
final class Curl {
    private Curl() {
    }

    /** Runs curl with {@code args}; returns its stdout. Fails on a non-zero exit. */
    static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(require().toString());
        command.add("-sS");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            fail("curl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    private static Path require() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "curl");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = "curl is not on PATH; install it with: apt-get install curl (bash .ci/run installs every"
                + " tool the tests use)";
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("SKIPPED: " + message);
        abort(message);
        return null;
    }
}
