package dev.bjoern.undertow;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * The one binding path: every kind of listening socket (TCP on IPv4 or IPv6, with or without
 * SO_REUSEPORT; a unix socket file; a Linux abstract unix socket; a channel or fd the caller made)
 * becomes a bound, listening JDK {@link ServerSocketChannel} that an IO thread accepts from.
 *
 * <p>A unix socket file this listener created is deleted by {@link #close()}, unless another file has
 * taken its place since.
 */
final class ListeningSocket implements Closeable {
    /** The file type bits of a unix mode, and the value meaning "socket" (S_IFMT, S_IFSOCK). */
    private static final int FILE_TYPE = 0170000;
    private static final int SOCKET = 0140000;

    final ServerSocketChannel channel;
    /** What is listening, for messages and the serving line: {@code http://127.0.0.1:8000/}, {@code unix:/run/app.sock}. */
    final String where;
    /** The bound address; for an adopted fd, the one the kernel reports rather than the channel's. */
    final SocketAddress address;
    private final Path socketFile;
    private final Object socketFileKey;

    private ListeningSocket(ServerSocketChannel channel, String where, SocketAddress address, Path socketFile,
            Object socketFileKey) {
        this.channel = channel;
        this.where = where;
        this.address = address;
        this.socketFile = socketFile;
        this.socketFileKey = socketFileKey;
    }

    /**
     * Listens on TCP.
     *
     * @throws BindException naming the address when it is in use or not local
     */
    static ListeningSocket tcp(InetSocketAddress requested, boolean reusePort, int backlog) throws IOException {
        ServerSocketChannel opened = ServerSocketChannel.open();
        try {
            opened.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort) {
                opened.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            opened.bind(requested, backlog);
        } catch (IOException | UnsupportedOperationException e) {
            opened.close();
            String at = Addresses.text(requested.getAddress()) + " port " + requested.getPort();
            throw e instanceof BindException ? new BindException("cannot listen on " + at + ": " + e.getMessage())
                    : new IOException("cannot listen on " + at + ": " + e.getMessage(), e);
        }
        SocketAddress bound = opened.getLocalAddress();
        return new ListeningSocket(opened, describe(bound), bound, null, null);
    }

    /**
     * Listens on a unix socket file. A socket file nobody listens on (connecting is refused: a server
     * that died) is replaced; a socket a server answers on, or a file that is not a socket, is an error.
     *
     * @param permissions the socket file's permissions, or null to leave what the umask gives
     * @throws BindException naming the path when it is taken
     */
    static ListeningSocket unix(Path path, Set<PosixFilePermission> permissions, int backlog) throws IOException {
        String where = "unix:" + path;
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        ServerSocketChannel opened = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            try {
                opened.bind(address, backlog);
            } catch (BindException e) {
                if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BindException("cannot listen on " + where + ": " + e.getMessage());
                }
                replaceStale(path, where);
                opened.bind(address, backlog);
            }
            if (permissions != null) {
                Files.setPosixFilePermissions(path, permissions);
            }
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return new ListeningSocket(opened, where, address, path, key);
        } catch (BindException e) {
            opened.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw new IOException("cannot listen on " + where + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a socket file whose server is gone; refuses a live one and a file that is no socket. */
    private static void replaceStale(Path path, String where) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & FILE_TYPE) != SOCKET) {
            throw new BindException("cannot listen on " + where + ": the file exists and is not a socket");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Not blocking: a connect to a live server whose backlog is full would wait for it to accept.
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException refused) {
            // Nobody listens: the file is what a server that died left behind.
            try {
                Files.delete(path);
            } catch (NoSuchFileException gone) {
                // Someone else cleaned it up meanwhile.
            }
            return;
        } catch (IOException busy) {
            // The backlog is full (EAGAIN): a server listens, too busy to accept.
        }
        throw new BindException("cannot listen on " + where + ": another server is listening on it");
    }

    /**
     * Listens on a Linux abstract unix socket ({@code unix:@name}): no file, gone with the last process
     * holding it. The JDK refuses such names, so this needs the foreign function API of JDK 22+.
     *
     * @throws UnsupportedOperationException on JDK 21 and older, naming the JDK needed
     */
    static ListeningSocket abstractUnix(String name, int backlog) throws IOException {
        String where = "unix:@" + name;
        ServerSocketChannel opened = NativeSockets.load(where, "listen on a socket file (unix:/PATH)").bindAbstract(name, backlog);
        // No address: a Java address cannot hold the name, and the channel's own names a deleted file.
        return new ListeningSocket(opened, where, null, null, null);
    }

    /**
     * Serves a listening channel the caller opened and bound; the caller's settings stay as they are.
     *
     * @throws IllegalArgumentException if it is not bound
     */
    static ListeningSocket adopt(ServerSocketChannel channel) throws IOException {
        SocketAddress bound = Objects.requireNonNull(channel, "channel").getLocalAddress();
        if (bound == null) {
            throw new IllegalArgumentException("the ServerSocketChannel to serve must be bound, got an unbound one");
        }
        return new ListeningSocket(channel, describe(bound), bound, null, null);
    }

    /**
     * Serves an inherited listening socket by its file descriptor: fd 0 (inetd style) on any JDK, any
     * other fd (systemd's fd 3 and up) on JDK 22+.
     *
     * @throws IllegalArgumentException if the fd is not a listening stream socket
     * @throws UnsupportedOperationException for fd 1 and up on JDK 21 and older, naming the JDK needed
     */
    static ListeningSocket adopt(int fd) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be 0 or more, got " + fd);
        }
        if (fd == 0) {
            java.nio.channels.Channel inherited = System.inheritedChannel();
            if (inherited instanceof ServerSocketChannel) {
                return adopt((ServerSocketChannel) inherited);
            }
            throw new IllegalArgumentException("fd 0 must be a listening stream socket, got "
                    + (inherited == null ? "no socket (a terminal, file or pipe?)"
                    : inherited instanceof SocketChannel ? "a connected socket (inetd \"nowait\"/--accept mode;"
                            + " use \"wait\" mode, which passes the listening socket)"
                    : "a " + inherited.getClass().getSimpleName()));
        }
        NativeSockets.Adopted adopted = NativeSockets.load("adopting fd " + fd,
                "pass the socket as fd 0 (serverRun(0, app), or --inetd with 0<&" + fd + " " + fd + "<&-)").adopt(fd);
        return new ListeningSocket(adopted.channel(), adopted.where() + " (fd " + fd + ")", adopted.address(), null, null);
    }

    /** Stops listening, and deletes the socket file this listener created if it is still that file. */
    @Override
    public void close() throws IOException {
        channel.close();
        if (socketFile != null) {
            try {
                Object key = Files.readAttributes(socketFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
                if (socketFileKey == null || socketFileKey.equals(key)) {
                    Files.delete(socketFile);
                }
            } catch (NoSuchFileException gone) {
                // Deleted by someone else: nothing to clean up.
            }
        }
    }

    /** How the serving line and errors name a bound address. */
    static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            return "http://" + urlHost(inet) + ":" + inet.getPort() + "/";
        }
        if (address instanceof UnixDomainSocketAddress) {
            return "unix:" + ((UnixDomainSocketAddress) address).getPath();
        }
        return String.valueOf(address);
    }

    private static String urlHost(InetSocketAddress address) {
        String host = Addresses.text(address.getAddress());
        return address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host;
    }

    /** Parses an octal mode such as {@code 660} or {@code 0660} into permissions. */
    static Set<PosixFilePermission> permissions(String octal) {
        if (!octal.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("socket mode must be 3 octal digits like 660, got \"" + octal + "\"");
        }
        int mode = Integer.parseInt(octal, 8);
        StringBuilder text = new StringBuilder(9);
        String letters = "rwx";
        for (int bit = 8; bit >= 0; bit--) {
            text.append((mode & (1 << bit)) != 0 ? letters.charAt(2 - bit % 3) : '-');
        }
        return PosixFilePermissions.fromString(text.toString());
    }
}
