package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a peer (curl, socat) to its end with a deadline and keeps what it printed. */
record Command(int exit, String stdout, String stderr) {
    static Command run(String... command) throws Exception {
        return withInput(null, command);
    }

    /** Runs {@code command} with {@code stdin} (or none) and waits for it, at most {@link Cli#TIMEOUT}. */
    static Command withInput(String stdin, String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).start();
        Thread[] readers = new Thread[2];
        ByteArrayOutputStream out = drain(process.getInputStream(), readers, 0);
        ByteArrayOutputStream err = drain(process.getErrorStream(), readers, 1);
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        boolean ended = process.waitFor(Cli.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        readers[0].join();
        readers[1].join();
        assertTrue(ended, () -> String.join(" ", command) + " did not end within " + Cli.TIMEOUT);
        return new Command(process.exitValue(), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    private static ByteArrayOutputStream drain(InputStream stream, Thread[] readers, int index) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        readers[index] = new Thread(() -> {
            try (stream) {
                stream.transferTo(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        readers[index].start();
        return bytes;
    }

    /** The output of a command that must have succeeded. */
    String ok() {
        assertTrue(exit == 0, () -> "exit " + exit + "; stderr:\n" + stderr + "\nstdout:\n" + stdout);
        return stdout;
    }
}
