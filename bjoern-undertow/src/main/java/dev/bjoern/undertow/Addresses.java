package dev.bjoern.undertow;

import io.undertow.UndertowOptions;
import io.undertow.server.ServerConnection;
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

    private volatile Host localHost;
    private volatile Port localPort;
    private volatile Host remoteHost;
    private volatile UrlCharset urlCharset;

    /** Fills SERVER_NAME, SERVER_PORT, REMOTE_ADDR and REMOTE_PORT where they wait: numeric, or "" off IP. */
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
            environ.setAddress(EnvironMap.SERVER_NAME, "");
            environ.setAddress(EnvironMap.SERVER_PORT, "");
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
        return last != null && last.address.equals(address) ? last : new Host(address, address.getHostAddress());
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
