package dev.bjoern.undertow;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * What binding needs beyond the JDK: Linux abstract unix sockets, and adopting an inherited fd other than
 * 0 (systemd passes fd 3 and up). Both are done with the foreign function API, final in JDK 22, by
 * {@code ForeignSockets}: the one class compiled for Java 22 (from src/main/java22), loaded only on a JDK
 * that has it, so that everything else runs on Java 17.
 */
interface NativeSockets {
    /** The first JDK whose foreign function API {@code ForeignSockets} is written against. */
    int JDK_NEEDED = 22;

    /**
     * An adopted socket: a JDK channel now holding the fd's socket, the address the kernel reports (null
     * for an abstract unix socket, which a Java address cannot hold), and how the serving line names it.
     */
    record Adopted(ServerSocketChannel channel, SocketAddress address, String where) {
    }

    /**
     * Creates, binds and listens on the abstract unix socket {@code "\0" + name}, as a JDK channel.
     *
     * @throws java.net.BindException naming the socket when the name is taken
     */
    ServerSocketChannel bindAbstract(String name, int backlog) throws IOException;

    /**
     * Moves the listening socket at {@code fd} into a JDK channel of its family (IPv4, IPv6 or unix); fd
     * itself is closed.
     *
     * @throws IllegalArgumentException naming the fd when it is not an open, listening stream socket
     */
    Adopted adopt(int fd) throws IOException;

    /**
     * The implementation for this JDK.
     *
     * @param what what the caller is doing, for the message: {@code "unix:@name"}, {@code "adopting fd 3"}
     * @param instead what works on an older JDK, for the message
     * @throws UnsupportedOperationException on a JDK before 22, naming the JDK needed, this one, and what to do
     */
    static NativeSockets load(String what, String instead) {
        int feature = Runtime.version().feature();
        if (feature < JDK_NEEDED) {
            throw new UnsupportedOperationException(what + " needs JDK " + JDK_NEEDED + " or newer; this is JDK "
                    + feature + ". On JDK " + feature + ", " + instead);
        }
        try {
            return (NativeSockets) Class.forName("dev.bjoern.undertow.ForeignSockets").getDeclaredConstructor()
                    .newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(what + ": setting up native calls failed: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException(what + ": this bjoern-undertow build lacks its JDK 22 part"
                    + " (dev.bjoern.undertow.ForeignSockets): " + e, e);
        }
    }
}
