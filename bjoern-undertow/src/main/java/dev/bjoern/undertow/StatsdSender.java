package dev.bjoern.undertow;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Sends statsd lines over UDP from its own thread, several lines per datagram (up to 1400 bytes, under a
 * usual MTU), in the order they came. Lines wait in a bounded queue: a caller that finds it full waits, so no
 * line is dropped on our side. The only callers are the registry's poller and close(), never the IO thread.
 */
final class StatsdSender implements Consumer<String>, AutoCloseable {
    static final int MAX_DATAGRAM = 1400;
    private static final int QUEUE = 4096;
    /** Put after the last line: the thread sends what it holds and ends. */
    private static final String END = new String("end");

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
    private final DatagramChannel channel;
    private final InetSocketAddress target;
    private final PrintStream errors;
    private final Thread thread;
    private boolean failed;

    /**
     * @throws IOException if no UDP socket can be opened or {@code host} does not resolve
     */
    StatsdSender(String host, int port, PrintStream errors) throws IOException {
        this.target = new InetSocketAddress(host, port);
        if (target.isUnresolved()) {
            throw new IOException("statsd host \"" + host + "\" does not resolve");
        }
        this.errors = errors;
        this.channel = DatagramChannel.open();
        this.thread = new Thread(this::run, "bjoern-statsd");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one line; empty lines (zero deltas) are not sent. Waits while the queue is full. */
    @Override
    public void accept(String line) {
        if (line == null || line.isEmpty()) {
            return;
        }
        try {
            queue.put(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        ByteBuffer datagram = ByteBuffer.allocate(MAX_DATAGRAM);
        String carried = null;
        try {
            while (true) {
                String line = carried != null ? carried : queue.take();
                carried = null;
                if (line == END) {
                    return;
                }
                datagram.clear();
                put(datagram, line);
                // Whatever else is waiting goes into the same datagram while it fits.
                for (String next; (next = queue.poll()) != null; ) {
                    if (next == END || datagram.position() + 1 + utf8Length(next) > MAX_DATAGRAM) {
                        carried = next;
                        break;
                    }
                    datagram.put((byte) '\n');
                    put(datagram, next);
                }
                datagram.flip();
                send(datagram);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void put(ByteBuffer datagram, String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        // A single line longer than a datagram is cut rather than lost whole; ours are far shorter.
        datagram.put(bytes, 0, Math.min(bytes.length, datagram.remaining()));
    }

    private static int utf8Length(String line) {
        return line.getBytes(StandardCharsets.UTF_8).length;
    }

    private void send(ByteBuffer datagram) {
        try {
            channel.send(datagram, target);
        } catch (IOException e) {
            // UDP: a daemon that is not listening is not our failure to report more than once.
            if (!failed) {
                failed = true;
                errors.println("bjoern: sending statsd lines to " + target + " failed: " + e);
            }
        }
    }

    /** Sends every line queued so far, then ends the thread and closes the socket. Idempotent. */
    @Override
    public void close() {
        if (thread.isAlive()) {
            accept(END);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing is left to send.
        }
    }
}
