package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The system tools some tests run as real peers (curl, nginx, socat, ab, wrk, the statsd daemon).
 * A missing tool fails the test under {@code CI=true}, naming the install command, and skips it
 * with a visible notice otherwise. {@code .ci/run} installs them all.
 */
final class Tools {
    private Tools() {
    }

    /** The absolute path of a command on PATH, e.g. {@code require("nginx", "apt-get install nginx-light")}. */
    static Path require(String command, String install) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return missing(command + " is not on PATH", install);
    }

    /** Etsy's statsd daemon ({@code stats.js}), installed into the project's {@code .ci/statsd}. */
    static Path statsd() {
        require("node", "apt-get install nodejs");
        String install = "npm install --prefix .ci/statsd --omit=optional statsd@0.9.0";
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(".ci"))) {
                Path daemon = dir.resolve(".ci/statsd/node_modules/statsd/stats.js");
                return Files.isRegularFile(daemon) ? daemon : missing("the statsd daemon is not installed", install);
            }
        }
        return missing("the project root (the folder with .ci) is not above " + Path.of("").toAbsolutePath(),
                install);
    }

    private static Path missing(String what, String install) {
        String message = what + "; install it with: " + install + " (bash .ci/run installs every tool the tests use)";
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("SKIPPED: " + message);
        abort(message);
        return null;
    }
}
