package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Etsy's statsd daemon in a child process, on 127.0.0.1. Its config needs fixed ports, so free ones are picked
 * by binding port 0 and closing (only here); if the daemon cannot bind them, it is started again on others.
 * Totals are read back from its admin port with the {@code counters} command.
 */
final class StatsdDaemon implements AutoCloseable {
    private static final Pattern COUNTER = Pattern.compile("'([^']+)': (\\d+)");

    final int port;
    private final int adminPort;
    private final Process process;
    private final Path config;

    private StatsdDaemon(Path daemon, int port, int adminPort) throws IOException {
        this.port = port;
        this.adminPort = adminPort;
        this.config = Files.createTempFile("statsd", ".js");
        // flushInterval far longer than a test: counters reset at each flush. No backend: only the admin port.
        Files.writeString(config, "{address: \"127.0.0.1\", port: " + port + ", mgmt_address: \"127.0.0.1\", "
                + "mgmt_port: " + adminPort + ", flushInterval: 3600000, backends: [], dumpMessages: false}\n");
        this.process = new ProcessBuilder("node", daemon.toString(), config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** A daemon that answers on its admin port; skipped (or failed under CI) if it is not installed. */
    static StatsdDaemon start() throws Exception {
        Path daemon = Tools.statsd();
        for (int attempt = 1; ; attempt++) {
            StatsdDaemon started = new StatsdDaemon(daemon, freeUdpPort(), freeTcpPort());
            if (started.awaitAdmin()) {
                return started;
            }
            started.close();
            if (attempt == 3) {
                fail("the statsd daemon did not answer on its admin port in 3 attempts");
            }
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** True once the admin port answers; false if the daemon exited (a port was taken) or 15 s passed. */
    private boolean awaitAdmin() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket admin = new Socket(InetAddress.getLoopbackAddress(), adminPort)) {
                return true;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    /** The daemon's counters, by key: {@code bjoern.req.done} or, with tags, {@code bjoern.req.done;app=x}. */
    Map<String, Long> counters() throws IOException {
        Map<String, Long> counters = new TreeMap<>();
        Matcher matcher = COUNTER.matcher(command("counters"));
        while (matcher.find()) {
            counters.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        assertTrue(counters.containsKey("statsd.bad_lines_seen"), "no counters from the daemon");
        return counters;
    }

    private String command(String command) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), adminPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            // Each reply ends with END on a line of its own.
            while (!reply.toString(StandardCharsets.UTF_8).contains("END")) {
                int read = in.read(buffer);
                if (read < 0) {
                    break;
                }
                reply.write(buffer, 0, read);
            }
            return reply.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(config);
    }
}
