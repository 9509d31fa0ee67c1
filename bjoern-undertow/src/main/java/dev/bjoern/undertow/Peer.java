package dev.bjoern.undertow;

import io.undertow.UndertowOptions;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * What one connection keeps across its requests: the address strings of environ, made once, and the
 * response in flight, whose body must be closed if the connection goes away under it.
 */
final class Peer implements ServerConnection.CloseListener {
    private static final AttachmentKey<Peer> KEY = AttachmentKey.create(Peer.class);

    final String serverName;
    final String serverPort;
    final String remoteAddr;
    final String remotePort;
    /** Null when the listener hands PATH_INFO over raw; else the charset it already decoded it with. */
    final Charset decodedWith;
    Call inFlight;

    private Peer(ServerConnection connection) {
        SocketAddress local = connection.getLocalAddress();
        SocketAddress remote = connection.getPeerAddress();
        serverName = host(local);
        serverPort = port(local);
        remoteAddr = host(remote);
        remotePort = port(remote);
        boolean decoded = connection.getUndertowOptions().get(UndertowOptions.DECODE_URL, true);
        decodedWith = decoded ? Charset.forName(connection.getUndertowOptions()
                .get(UndertowOptions.URL_CHARSET, StandardCharsets.UTF_8.name())) : null;
    }

    static Peer of(ServerConnection connection) {
        Peer peer = connection.getAttachment(KEY);
        if (peer == null) {
            peer = new Peer(connection);
            connection.putAttachment(KEY, peer);
            connection.addCloseListener(peer);
        }
        return peer;
    }

    @Override
    public void closed(ServerConnection connection) {
        Call call = inFlight;
        if (call != null) {
            inFlight = null;
            call.connectionClosed();
        }
    }

    private static String host(SocketAddress address) {
        return address instanceof InetSocketAddress
                ? ((InetSocketAddress) address).getAddress().getHostAddress() : "";
    }

    private static String port(SocketAddress address) {
        return address instanceof InetSocketAddress ? Integer.toString(((InetSocketAddress) address).getPort()) : "";
    }
}
