package dev.bjoern.undertow;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link NativeSockets} through the foreign function API (JDK 22+), Linux only.
 *
 * <p>The trick both operations share: the JDK will not create an abstract unix socket nor wrap an fd,
 * but XNIO's loop needs a JDK channel. So a JDK channel of the right family is bound to a throw-away
 * address, its fd is found by asking the kernel each open fd's bound address, and {@code dup3} puts our
 * socket under that fd number. The JDK channel then accepts from our socket, and closing the channel
 * closes it. Only its cached {@code getLocalAddress()} still names the throw-away address, which is why
 * the ListeningSocket keeps the real one.
 *
 * <p>Calls into libc from the unnamed module are "restricted": without
 * {@code --enable-native-access=ALL-UNNAMED} the JDK prints a warning on first use.
 */
final class ForeignSockets implements NativeSockets {
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int O_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int EBADF = 9;
    private static final int ENOTSOCK = 88;
    private static final int EADDRINUSE = 98;
    /** sizeof(struct sockaddr_storage), room for any address; sun_path is 108 bytes after a 2-byte family. */
    private static final int SOCKADDR_SIZE = 128;
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_SIZE = 108;

    private final StructLayout callState = Linker.Option.captureStateLayout();
    private final VarHandle errno = callState.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private final MethodHandle socket;
    private final MethodHandle bind;
    private final MethodHandle listen;
    private final MethodHandle close;
    private final MethodHandle dup3;
    private final MethodHandle getsockname;
    private final MethodHandle getsockopt;
    private final MethodHandle strerror;

    ForeignSockets() {
        Linker linker = Linker.nativeLinker();
        Linker.Option withErrno = Linker.Option.captureCallState("errno");
        socket = libc(linker, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), withErrno);
        bind = libc(linker, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), withErrno);
        listen = libc(linker, "listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), withErrno);
        close = libc(linker, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        dup3 = libc(linker, "dup3", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), withErrno);
        getsockname = libc(linker, "getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
                withErrno);
        getsockopt = libc(linker, "getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), withErrno);
        strerror = libc(linker, "strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static MethodHandle libc(Linker linker, String name, FunctionDescriptor descriptor,
            Linker.Option... options) {
        MemorySegment symbol = linker.defaultLookup().find(name)
                .orElseThrow(() -> new UnsupportedOperationException("the C library has no " + name
                        + "(); abstract sockets and fd 3 need Linux's: listen on unix:/PATH, or take fd 0 with --inetd"));
        return linker.downcallHandle(symbol, descriptor, options);
    }

    @Override
    public ServerSocketChannel bindAbstract(String name, int backlog) throws IOException {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > SUN_PATH_SIZE - 1) {
            throw new IllegalArgumentException("an abstract socket name must be 1 to " + (SUN_PATH_SIZE - 1)
                    + " bytes, got \"" + name + "\" (" + bytes.length + " bytes)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(callState);
            int fd = (int) socket.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("cannot listen on unix:@" + name + ": socket(): " + error(state));
            }
            try {
                // The abstract namespace: sun_path starts with a NUL, and the length counts the name's bytes only.
                MemorySegment address = arena.allocate(SOCKADDR_SIZE);
                address.set(JAVA_SHORT, 0, (short) AF_UNIX);
                MemorySegment.copy(bytes, 0, address, JAVA_BYTE, SUN_PATH_OFFSET + 1, bytes.length);
                if ((int) bind.invokeExact(state, fd, address, SUN_PATH_OFFSET + 1 + bytes.length) < 0) {
                    String why = errno(state) == EADDRINUSE ? "another server is listening on it" : error(state);
                    throw new BindException("cannot listen on unix:@" + name + ": " + why);
                }
                if ((int) listen.invokeExact(state, fd, backlog) < 0) {
                    throw new IOException("cannot listen on unix:@" + name + ": listen(): " + error(state));
                }
                return into(fd, AF_UNIX, arena, state);
            } catch (Throwable e) {
                closeQuietly(fd);
                throw e;
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("calling libc failed", e);
        }
    }

    @Override
    public Adopted adopt(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(callState);
            String expected = "fd " + fd + " must be a listening stream socket, got ";
            int type = intOption(fd, SO_TYPE, arena, state);
            if (type == -EBADF) {
                throw new IllegalArgumentException(expected + "no open file");
            }
            if (type == -ENOTSOCK) {
                throw new IllegalArgumentException(expected + "a file that is not a socket");
            }
            if (type < 0) {
                throw new IOException("fd " + fd + ": getsockopt(SO_TYPE): " + error(state));
            }
            if (type != SOCK_STREAM) {
                throw new IllegalArgumentException(expected + (type == SOCK_DGRAM ? "a datagram socket"
                        : type == SOCK_SEQPACKET ? "a seqpacket socket" : "a socket of type " + type));
            }
            if (intOption(fd, SO_ACCEPTCONN, arena, state) != 1) {
                throw new IllegalArgumentException(expected + "a stream socket that is not listening (connected?)");
            }
            MemorySegment address = arena.allocate(SOCKADDR_SIZE);
            if (!sockname(fd, address, arena, state)) {
                throw new IOException("fd " + fd + ": getsockname(): " + error(state));
            }
            int family = address.get(JAVA_SHORT, 0);
            SocketAddress bound = parse(address);
            String where = bound != null ? ListeningSocket.describe(bound)
                    : family == AF_UNIX && address.get(JAVA_BYTE, SUN_PATH_OFFSET) == 0
                    ? "unix:@" + address.getString(SUN_PATH_OFFSET + 1, StandardCharsets.UTF_8) : "fd " + fd;
            return new Adopted(into(fd, family, arena, state), bound, where);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("calling libc failed", e);
        }
    }

    /** Moves the listening socket {@code fd} under a new JDK channel of {@code family} and closes fd. */
    private ServerSocketChannel into(int fd, int family, Arena arena, MemorySegment state) throws Throwable {
        Path scratch = null;
        ServerSocketChannel channel;
        switch (family) {
            case AF_UNIX -> {
                scratch = Files.createTempDirectory("bjoern-adopt");
                channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                channel.bind(UnixDomainSocketAddress.of(scratch.resolve("s")), 1);
            }
            case AF_INET -> {
                channel = ServerSocketChannel.open(StandardProtocolFamily.INET);
                channel.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 1);
            }
            case AF_INET6 -> {
                channel = ServerSocketChannel.open(StandardProtocolFamily.INET6);
                channel.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[16]), 0), 1);
            }
            default -> throw new IllegalArgumentException("the socket's address family must be unix, IPv4 or IPv6, got "
                    + family);
        }
        try {
            int target = fdOf(channel.getLocalAddress(), arena, state);
            if ((int) dup3.invokeExact(state, fd, target, O_CLOEXEC) < 0) {
                throw new IOException("dup3(" + fd + ", " + target + "): " + error(state));
            }
            closeQuietly(fd);
            return channel;
        } catch (Throwable e) {
            channel.close();
            throw e;
        } finally {
            if (scratch != null) {
                Files.deleteIfExists(scratch.resolve("s"));
                Files.deleteIfExists(scratch);
            }
        }
    }

    /** The fd of this process whose socket is bound to {@code address}: the JDK does not tell. */
    private int fdOf(SocketAddress address, Arena arena, MemorySegment state) throws Throwable {
        List<Integer> fds;
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            fds = entries.map(p -> Integer.parseInt(p.getFileName().toString())).toList();
        }
        MemorySegment bound = arena.allocate(SOCKADDR_SIZE);
        for (int fd : fds) {
            if (sockname(fd, bound, arena, state) && address.equals(parse(bound))) {
                return fd;
            }
        }
        throw new IOException("cannot find the fd of the JDK channel bound to " + address);
    }

    private boolean sockname(int fd, MemorySegment address, Arena arena, MemorySegment state) throws Throwable {
        address.fill((byte) 0);
        MemorySegment length = arena.allocate(JAVA_INT);
        length.set(JAVA_INT, 0, SOCKADDR_SIZE);
        return (int) getsockname.invokeExact(state, fd, address, length) == 0;
    }

    /** An int socket option; minus errno when getsockopt fails. */
    private int intOption(int fd, int option, Arena arena, MemorySegment state) throws Throwable {
        MemorySegment value = arena.allocate(JAVA_INT);
        MemorySegment length = arena.allocate(JAVA_INT);
        length.set(JAVA_INT, 0, 4);
        if ((int) getsockopt.invokeExact(state, fd, SOL_SOCKET, option, value, length) < 0) {
            return -errno(state);
        }
        return value.get(JAVA_INT, 0);
    }

    /** A sockaddr as a Java address; null for an abstract or unnamed unix socket and other families. */
    private static SocketAddress parse(MemorySegment address) throws IOException {
        int family = address.get(JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(address.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2));
        switch (family) {
            case AF_INET:
                return new InetSocketAddress(InetAddress.getByAddress(address.asSlice(4, 4).toArray(JAVA_BYTE)), port);
            case AF_INET6:
                return new InetSocketAddress(InetAddress.getByAddress(address.asSlice(8, 16).toArray(JAVA_BYTE)),
                        port);
            case AF_UNIX:
                if (address.get(JAVA_BYTE, SUN_PATH_OFFSET) == 0) {
                    return null;
                }
                return UnixDomainSocketAddress.of(address.getString(SUN_PATH_OFFSET, StandardCharsets.UTF_8));
            default:
                return null;
        }
    }

    private int errno(MemorySegment state) {
        return (int) errno.get(state, 0L);
    }

    private String error(MemorySegment state) throws Throwable {
        int code = errno(state);
        MemorySegment text = (MemorySegment) strerror.invokeExact(code);
        return text.reinterpret(256).getString(0) + " (errno " + code + ")";
    }

    private void closeQuietly(int fd) {
        try {
            int ignored = (int) close.invokeExact(fd);
        } catch (Throwable ignored) {
            // Only called on the way out of a failure or after dup3: nothing more to do.
        }
    }
}
