package dev.bjoern.test;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** An error stream for tests: what was printed to it, and a wait for a text to appear. */
final class Log extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(this, true, ISO_8859_1);

    @Override
    public synchronized void write(int b) {
        bytes.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
        notifyAll();
    }

    synchronized String text() {
        return bytes.toString(ISO_8859_1);
    }

    synchronized void clear() {
        bytes.reset();
    }

    /**
     * Waits until {@code text} has been printed, running {@code meanwhile} before each wait.
     *
     * @return false if it was not printed within {@code timeout}
     */
    synchronized boolean await(String text, Runnable meanwhile, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!text().contains(text)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            meanwhile.run();
            wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 100));
        }
        return true;
    }
}
