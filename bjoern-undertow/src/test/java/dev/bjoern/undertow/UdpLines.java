package dev.bjoern.undertow;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A UDP socket on 127.0.0.1 that collects the statsd lines sent to it, as a daemon would receive them. */
final class UdpLines implements AutoCloseable {
    private final DatagramChannel channel;
    private final List<String> datagrams = new ArrayList<>();

    UdpLines() throws IOException {
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
    }

    int port() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /** Every line received so far (datagrams already in the socket's buffer included), in order. */
    List<String> lines() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        while (channel.receive(buffer.clear()) != null) {
            buffer.flip();
            datagrams.add(StandardCharsets.UTF_8.decode(buffer).toString());
        }
        List<String> lines = new ArrayList<>();
        datagrams.forEach(datagram -> lines.addAll(Arrays.asList(datagram.split("\n"))));
        return lines;
    }

    /** Every datagram received so far. */
    List<String> datagrams() throws IOException {
        lines();
        return datagrams;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
