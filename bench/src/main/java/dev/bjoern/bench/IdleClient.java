package dev.bjoern.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens COUNT keep-alive connections to 127.0.0.1:PORT, makes one {@code GET /} on each and reads the
 * whole response, then prints {@code idle COUNT} and holds them all open, idle, until killed. What the
 * server keeps per connection is then its cost of an idle keep-alive connection.
 *
 * <pre>IdleClient PORT COUNT</pre>
 */
public final class IdleClient {
    private static final byte[] REQUEST =
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private IdleClient() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: IdleClient PORT COUNT");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0]));
        int count = Integer.parseInt(args[1]);
        List<SocketChannel> open = new ArrayList<>(count);
        ByteBuffer response = ByteBuffer.allocate(64 * 1024);
        // One at a time, blocking: never more than one connection in the server's backlog.
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open(server);
            channel.write(ByteBuffer.wrap(REQUEST));
            response.clear();
            readResponse(channel, response, i);
            open.add(channel);
        }
        System.out.println("idle " + open.size());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** Reads one response with a Content-Length body, failing if the server closes or answers otherwise. */
    private static void readResponse(SocketChannel channel, ByteBuffer buffer, int index) throws IOException {
        int headEnd = -1;
        long length = -1;
        while (headEnd < 0 || buffer.position() < headEnd + length) {
            if (!buffer.hasRemaining() || channel.read(buffer) < 0) {
                throw new IOException("connection " + index + ": the server closed or sent an unexpected response");
            }
            if (headEnd < 0) {
                String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    if (!text.startsWith("HTTP/1.1 200 ")) {
                        throw new IOException("connection " + index + ": expected 200, got "
                                + text.substring(0, text.indexOf('\r')));
                    }
                    headEnd = end + 4;
                    length = contentLength(text.substring(0, end), index);
                }
            }
        }
    }

    private static long contentLength(String head, int index) throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        throw new IOException("connection " + index + ": the response has no Content-Length, so it would not stay"
                + " open as an idle keep-alive connection");
    }
}
