package dev.bjoern.bench;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A statsd stand-in for the benchmark: receives lines on 127.0.0.1 and adds up the counters. Prints
 * {@code listening PORT} once bound; when ended (SIGTERM), prints {@code datagrams N lines N} and one
 * {@code NAME TOTAL} line per counter.
 *
 * <pre>UdpSink [PORT]</pre>
 */
public final class UdpSink {
    private UdpSink() {
    }

    public static void main(String[] args) throws Exception {
        DatagramChannel channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
        channel.bind(new InetSocketAddress("127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 0));
        Map<String, Long> totals = new TreeMap<>();
        long[] counts = new long[2];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (totals) {
                System.out.println("datagrams " + counts[0] + " lines " + counts[1]);
                totals.forEach((name, total) -> System.out.println(name + " " + total));
                System.out.flush();
            }
        }));
        System.out.println("listening " + ((InetSocketAddress) channel.getLocalAddress()).getPort());
        System.out.flush();
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        while (true) {
            channel.receive(buffer.clear());
            buffer.flip();
            synchronized (totals) {
                counts[0]++;
                for (String line : StandardCharsets.UTF_8.decode(buffer).toString().split("\n")) {
                    counts[1]++;
                    int colon = line.indexOf(':');
                    int bar = line.indexOf('|');
                    if (colon > 0 && bar > colon && line.startsWith("|c", bar)) {
                        totals.merge(line.substring(0, colon), Long.parseLong(line.substring(colon + 1, bar)),
                                Long::sum);
                    }
                }
            }
        }
    }
}
