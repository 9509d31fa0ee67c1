package dev.bjoern.undertow;

import io.undertow.UndertowOptions;
import io.undertow.server.ServerConnection;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.xnio.OptionMap;

/**
 * The address text of environ and how the listener hands over the path, remembered from the previous
 * request: a server sees few local addresses and, behind a proxy or a load generator, few remote ones.
 * Nothing is kept per connection, so an idle connection costs nothing here. Each remembered value is an
 * immutable record, so a handler shared by several IO threads stays correct.
 */
final class Addresses {
    private record Host(InetAddress address, String text) {
    }

    private record Port(int port, String text) {
    }

    private record UrlCharset(OptionMap options, Charset decodedWith) {
    }

    static final String UNIX_SERVER_NAME = "localhost";
    static final String UNIX_SERVER_PORT = "80";

    private volatile Host localHost;
    private volatile Port localPort;
    private volatile Host remoteHost;
    private volatile UrlCharset urlCharset;

    /**
     * Fills SERVER_NAME, SERVER_PORT, REMOTE_ADDR and REMOTE_PORT where they wait: numeric on IP; on a
     * unix socket "localhost", "80", "" and "".
     */
    void fill(EnvironMap environ, ServerConnection connection) {
        SocketAddress local = connection.getLocalAddress();
        if (local instanceof InetSocketAddress) {
            InetSocketAddress address = (InetSocketAddress) local;
            Host host = localHost = host(localHost, address.getAddress());
            Port port = localPort;
            if (port == null || port.port != address.getPort()) {
                localPort = port = new Port(address.getPort(), Integer.toString(address.getPort()));
            }
            environ.setAddress(EnvironMap.SERVER_NAME, host.text);
            environ.setAddress(EnvironMap.SERVER_PORT, port.text);
        } else {
            // A unix socket has no host or port; PEP 3333 wants both non-empty. A URL rebuilt from them
            // (only done without a Host header) then names this machine on the scheme's default port.
            environ.setAddress(EnvironMap.SERVER_NAME, UNIX_SERVER_NAME);
            environ.setAddress(EnvironMap.SERVER_PORT, UNIX_SERVER_PORT);
        }
        SocketAddress remote = connection.getPeerAddress();
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress address = (InetSocketAddress) remote;
            Host host = remoteHost = host(remoteHost, address.getAddress());
            environ.setAddress(EnvironMap.REMOTE_ADDR, host.text);
            environ.setAddress(EnvironMap.REMOTE_PORT, Integer.toString(address.getPort()));
        } else {
            environ.setAddress(EnvironMap.REMOTE_ADDR, "");
            environ.setAddress(EnvironMap.REMOTE_PORT, "");
        }
    }

    private static Host host(Host last, InetAddress address) {
        return last != null && last.address.equals(address) ? last : new Host(address, text(address));
    }

    /** An address as environ carries it: dotted IPv4, or IPv6 in RFC 5952's short form ("::1"). */
    static String text(InetAddress address) {
        return address instanceof Inet6Address ? ipv6Text(address) : address.getHostAddress();
    }

    /**
     * RFC 5952's text for an IPv6 address, which Python, nginx and curl print: lower-case hex without
     * leading zeros, the longest run of two or more zero groups (the first, on a tie) as "::", and the
     * scope (as {@code getHostAddress()} gives it) after "%". The JDK's own text is the long form
     * "0:0:0:0:0:0:0:1".
     */
    static String ipv6Text(InetAddress address) {
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        String jdk = address.getHostAddress();
        int scope = jdk.indexOf('%');
        return scope < 0 ? text.toString() : text.append(jdk, scope, jdk.length()).toString();
    }

    /** Null when the listener hands the path over raw (ours); else the charset it decoded it with. */
    Charset decodedWith(ServerConnection connection) {
        OptionMap options = connection.getUndertowOptions();
        UrlCharset last = urlCharset;
        if (last == null || last.options != options) {
            Charset charset = options.get(UndertowOptions.DECODE_URL, true) ? Charset.forName(
                    options.get(UndertowOptions.URL_CHARSET, StandardCharsets.UTF_8.name())) : null;
            urlCharset = last = new UrlCharset(options, charset);
        }
        return last.decodedWith;
    }
}
