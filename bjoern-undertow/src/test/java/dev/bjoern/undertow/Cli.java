package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The command line in a child JVM (the test's own JDK and classpath), its stderr and stdout read as they come. */
final class Cli implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /**
     * Groups: 1 the app (null in Bjoern.run's line, which names none), 2 where (a URL, or unix:PATH), 3 and 4
     * the host and port of a URL, 5 the other listeners, each after ", " (empty for one).
     */
    static final Pattern SERVING = Pattern.compile(
            "bjoern: serving (?:(\\S+) )?on (http://(.+?):(\\d+)/|unix:[^\\s,]+)(?: \\(fd \\d+\\))?"
                    + "((?:, (?:http://\\S+/|unix:[^\\s,]+)(?: \\(fd \\d+\\))?)*)");

    final Process process;
    /** Completes with the first line of stderr, or null if stderr ends without one. */
    private final CompletableFuture<String> firstLine = new CompletableFuture<>();
    /** Completes with the first serving line among stderr's lines, or null if stderr ends without one. */
    private final CompletableFuture<String> servingLine = new CompletableFuture<>();
    /** Also the monitor the reader notifies on each line and at the end. */
    private final StringBuffer stderr = new StringBuffer();
    private boolean stderrEnded;
    private final StringBuffer stdout = new StringBuffer();
    private final Thread stderrReader;
    private final Thread stdoutReader;

    private Cli(Process process) {
        this.process = process;
        stderrReader = read(process.getErrorStream(), line -> {
            synchronized (stderr) {
                stderr.append(line).append('\n');
                stderr.notifyAll();
            }
            firstLine.complete(line);
            if (SERVING.matcher(line).matches()) {
                servingLine.complete(line);
            }
        }, () -> {
            synchronized (stderr) {
                stderrEnded = true;
                stderr.notifyAll();
            }
            firstLine.complete(null);
            servingLine.complete(null);
        });
        stdoutReader = read(process.getInputStream(), line -> stdout.append(line).append('\n'), () -> { });
    }

    /** Starts {@code java ... Main args}. */
    static Cli start(String... args) throws IOException {
        return start(new ProcessBuilder(command(args)));
    }

    /** Starts a prepared process (say, {@link #command} behind a launcher, or with more environment). */
    static Cli start(ProcessBuilder builder) throws IOException {
        return new Cli(builder.start());
    }

    /** The command line that runs Main with these arguments on the test's JDK and classpath. */
    static List<String> command(String... args) {
        return java(Main.class.getName(), args);
    }

    /** The command line that runs {@code mainClass} with these arguments on the test's JDK and classpath. */
    static List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // A child that starts fast: these runs are short.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                // Native calls (unix:@name, fd 3) without the JDK's warning on stderr.
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** Waits for the first line of stderr and checks it is the serving line. */
    Matcher awaitServing() throws Exception {
        String line;
        try {
            line = firstLine.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            line = null;
        }
        if (line == null) {
            fail("no serving line within " + TIMEOUT + "; stderr:\n" + stderr);
        }
        Matcher matcher = SERVING.matcher(line);
        assertTrue(matcher.matches(), () -> "first line of stderr is not the serving line:\n" + stderr);
        return matcher;
    }

    /**
     * Waits for the serving line among other lines of stderr: under a launcher that prints its own
     * (systemd-socket-activate), or behind a JDK warning.
     */
    Matcher awaitServingAmongOtherLines() throws Exception {
        String line;
        try {
            line = servingLine.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            line = null;
        }
        if (line == null) {
            fail("no serving line within " + TIMEOUT + "; stderr:\n" + stderr);
        }
        Matcher matcher = SERVING.matcher(line);
        assertTrue(matcher.matches());
        return matcher;
    }

    /** Waits for a line of stderr that contains {@code text}; fails after {@link #TIMEOUT}. */
    void awaitStderr(String text) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        synchronized (stderr) {
            while (stderr.indexOf(text) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stderrEnded) {
                    fail("no \"" + text + "\" on stderr within " + TIMEOUT + "; stderr:\n" + stderr);
                }
                stderr.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Sends a signal by name ("INT", "TERM") with kill(1), and checks kill succeeded. */
    void signal(String name) throws Exception {
        String command = Tools.require("kill", "apt-get install procps").toString();
        Process kill = new ProcessBuilder(command, "-" + name, Long.toString(process.pid())).start();
        assertTrue(kill.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) && kill.exitValue() == 0,
                "kill -" + name + " failed");
    }

    int awaitExit() throws InterruptedException {
        assertTrue(process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                () -> "still running after " + TIMEOUT + "; stderr:\n" + stderr);
        return process.exitValue();
    }

    /** All of stderr; call after the process ended. */
    String stderr() throws InterruptedException {
        stderrReader.join(TIMEOUT.toMillis());
        return stderr.toString();
    }

    /** All of stdout; call after the process ended. */
    String stdout() throws InterruptedException {
        stdoutReader.join(TIMEOUT.toMillis());
        return stdout.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static boolean ends(Process process) {
        try {
            return process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Thread read(InputStream stream, Consumer<String> onLine, Runnable onEnd) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream,
                    StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // The process was ended (close() kills it) and the JDK closed its pipe under this reader: the
                // output is complete. Anything else is a failure of the test's own.
                if (!ends(process)) {
                    throw new UncheckedIOException(e);
                }
            } finally {
                onEnd.run();
            }
        }, "cli-output-" + process.pid());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
