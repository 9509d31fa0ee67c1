package dev.bjoern.bench;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.StartResponse;
import dev.bjoern.undertow.BjoernServer;
import dev.bjoern.undertow.Statsd;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The servers the benchmark compares, serving the same bytes on 127.0.0.1:
 *
 * <pre>
 * bjoern PORT [--workers N] [--real-file] [--statsd JSON] [--threads N|virtual]
 *                             our server: "/" Hello, World!, "/64k", "/file" (1 GiB via wsgi.file_wrapper),
 *                             "/lazy" (300 MiB generated in 64 KiB chunks), "/sleep" (Hello, World! after
 *                             blocking 10 ms); with --statsd, sending bjoern's statsd counters as the JSON says
 *                             (the command line's --statsd); with --threads, the app on N threads or a
 *                             virtual thread per request
 * raw PORT [--workers N]      Undertow's builder, one IO thread, the handler on it: "/" and "/64k"
 * netty PORT [--workers N]    Netty 4.1 on epoll, one event loop for accepting and serving: "/" and "/64k"
 * jetty PORT [--workers N]    Jetty 12 core, a non-blocking handler, one selector that accepts: "/" and "/64k"
 * </pre>
 *
 * {@code --workers N} gives every server N event loops instead of one: our workers, raw's IO threads, Netty's
 * loops, Jetty's selectors.
 * PORT 0 picks a free port. Each prints {@code listening PORT} on stdout once it serves, then runs until
 * killed.
 */
public final class BenchServer {
    static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] BODY_64K = filled(64 * 1024);
    static final long FILE_SIZE = 1L << 30;
    static final long LAZY_SIZE = 300L << 20;
    static final int CHUNK_SIZE = 64 * 1024;

    private static final List<Map.Entry<String, String>> TEXT = List.of(Map.entry("Content-Type", "text/plain"));
    private static final List<Map.Entry<String, String>> BINARY =
            List.of(Map.entry("Content-Type", "application/octet-stream"));
    private static Path bigFile;

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        List<String> modes = List.of("bjoern", "raw", "netty", "jetty");
        if (args.length < 2 || !modes.contains(args[0])) {
            System.err.println("usage: BenchServer bjoern PORT [--workers N] [--real-file] [--statsd JSON]"
                    + " [--threads N|virtual]"
                    + " | raw PORT [--workers N] | netty PORT [--workers N] | jetty PORT [--workers N]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        List<String> options = Arrays.asList(args).subList(2, args.length);
        int workers = options.contains("--workers") ? Integer.parseInt(options.get(options.indexOf("--workers") + 1)) : 1;
        int bound;
        switch (args[0]) {
            case "bjoern":
                if (options.contains("--real-file")) {
                    bigFile(true);
                }
                BjoernServer.Builder builder =
                        BjoernServer.builder(BenchServer::app).host("127.0.0.1").port(port).workers(workers);
                int statsd = options.indexOf("--statsd");
                if (statsd >= 0) {
                    builder.statsd(Statsd.parse(options.get(statsd + 1)));
                }
                int threads = options.indexOf("--threads");
                if (threads >= 0 && options.get(threads + 1).equals("virtual")) {
                    builder.virtualThreads();
                } else if (threads >= 0) {
                    builder.threads(Integer.parseInt(options.get(threads + 1)));
                }
                bound = builder.build().start().port();
                break;
            case "raw":
                bound = raw(port, workers);
                break;
            case "netty":
                bound = NettyPeer.start(port, workers);
                break;
            default:
                bound = JettyPeer.start(port, workers);
                break;
        }
        System.out.println("listening " + bound);
        System.out.flush();
        // The IO threads serve; this thread only keeps the process alive until it is killed.
        Thread.currentThread().join();
    }

    /** Our hello world: the body is a list of byte arrays, so the server computes Content-Length. */
    static Iterable<byte[]> app(Map<String, Object> environ, StartResponse startResponse) throws Exception {
        switch ((String) environ.get(Environ.PATH_INFO)) {
            case "/":
                startResponse.call("200 OK", TEXT);
                return List.of(HELLO);
            case "/64k":
                startResponse.call("200 OK", TEXT);
                return List.of(BODY_64K);
            case "/file":
                startResponse.call("200 OK", BINARY);
                // Creating the file the first time blocks the IO thread once; the benchmark warms it first.
                return ((FileWrapper) environ.get(Environ.WSGI_FILE_WRAPPER)).wrap(bigFile(false), CHUNK_SIZE);
            case "/lazy":
                startResponse.call("200 OK", BINARY);
                return LazyBody::new;
            case "/sleep":
                // An application that blocks, as on a database call: 10 ms.
                Thread.sleep(10);
                startResponse.call("200 OK", TEXT);
                return List.of(HELLO);
            default:
                startResponse.call("404 Not Found", TEXT);
                return List.of();
        }
    }

    /**
     * The baseline: Undertow's builder with its defaults but {@code ioThreads} IO threads (one, unless the
     * multi-loop part asks for more) and one worker thread; the handler runs on the IO thread and sends the bytes
     * with the async sender.
     *
     * @return the bound port
     */
    static int raw(int port, int ioThreads) {
        Undertow server = Undertow.builder()
                .setIoThreads(ioThreads)
                .setWorkerThreads(1)
                .addHttpListener(port, "127.0.0.1")
                .setHandler(exchange -> {
                    byte[] body = exchange.getRequestPath().equals("/64k") ? BODY_64K : HELLO;
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
                    exchange.getResponseSender().send(ByteBuffer.wrap(body));
                })
                .build();
        server.start();
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    /**
     * The 1 GiB file, created on first use and deleted at exit: sparse unless {@code real}, in which case
     * every byte is written (slower to create, but then the kernel reads real pages).
     */
    static synchronized Path bigFile(boolean real) throws IOException {
        if (bigFile == null) {
            Path file = Files.createTempFile("bjoern-bench-", ".bin");
            file.toFile().deleteOnExit();
            try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
                if (real) {
                    for (long written = 0; written < FILE_SIZE; written += BODY_64K.length) {
                        out.write(BODY_64K);
                    }
                } else {
                    out.setLength(FILE_SIZE);
                }
            }
            bigFile = file;
        }
        return bigFile;
    }

    private static byte[] filled(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        return bytes;
    }

    /** 300 MiB made on demand, a new 64 KiB array per chunk: the server must let each one go once sent. */
    private static final class LazyBody implements Iterator<byte[]> {
        private long left = LAZY_SIZE;

        @Override
        public boolean hasNext() {
            return left > 0;
        }

        @Override
        public byte[] next() {
            if (left <= 0) {
                throw new NoSuchElementException();
            }
            byte[] chunk = new byte[(int) Math.min(CHUNK_SIZE, left)];
            chunk[0] = 'x';
            left -= chunk.length;
            return chunk;
        }
    }
}
