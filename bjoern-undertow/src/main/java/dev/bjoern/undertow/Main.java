package dev.bjoern.undertow;

import dev.bjoern.WsgiApplication;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The command line, {@code python -m bjoern} in Java: serves the application a {@code CLASS:MEMBER} or
 * {@code CLASS} spec names until SIGINT or SIGTERM, then stops gracefully. {@code --help} says the rest.
 *
 * <p>Exit status: 0 after a signal or {@code --help}; 1 when the server cannot start (the address is in
 * use) or the application's own code fails while it is created; 2 for a usage error. This is the only
 * class that calls {@link System#exit}.
 */
public final class Main {
    private static final String HELP = """
            Usage: java -cp bjoern.jar:APP_CLASSPATH dev.bjoern.undertow.Main [options] APP [app options...]

            Serves APP on one IO thread until SIGINT or SIGTERM, then stops gracefully: it stops
            accepting, gives responses in flight up to %d seconds, and exits 0.

            APP is one of:
              com.example.App:app   a static member, of any access: a field holding a
                                    WsgiApplication; or a method returning one, with no
                                    parameters or one String[] that receives the app options;
                                    or a method (Map<String, Object>, StartResponse) ->
                                    Iterable<byte[]> that is itself the application
              com.example.App       a class implementing WsgiApplication, with a public no-arg
                                    constructor

            Options (long ones also as --name=VALUE):
              -a, --host ADDR              address to listen on: IPv4, IPv6 (::1, ::) or a host
                                           name; unix:/PATH for a unix socket file, unix:@NAME
                                           for a Linux abstract socket (JDK 22+) (default %s)
              -p, --port PORT              TCP port, 0 for any free one (default %d)
                  --uds PATH               listen on the unix socket file PATH (as -a unix:PATH);
                                           a stale socket file is replaced, a live one is an
                                           error; the file is deleted on exit
                  --socket-mode MODE       permissions of the unix socket file, octal, e.g. 660
                                           (default: what the umask gives; connecting needs w)
                  --reuse-port             set SO_REUSEPORT: several processes share the TCP port
                  --backlog N              listen backlog (default %d)
                  --workers N              event loops (IO threads) in this JVM, each running
                                           the app; N > 1 sets wsgi.multithread (default 1)
                  --inetd                  serve the listening socket inherited as fd 0 (inetd
                                           "wait" mode); -a, -p and --uds are then not used
                  --max-body-size BYTES    largest request body; a larger one gets 413
                                           (default %d, that is %d MiB)
              -h, --help                   print this help and exit

            App options: every argument bjoern does not know goes, in order, to the static method
            taking String[]: options other than the above, arguments after APP, and everything
            after "--" (so "-- -p 9000" passes -p to the app). Any other APP given app options is
            an error.

            Socket activation: when LISTEN_FDS=1 and LISTEN_PID is this process (systemd, or
            systemd-socket-activate), the socket passed as fd 3 is served; this needs JDK 22 or
            newer (on JDK 17, move it to fd 0 and use --inetd: "exec java ... --inetd APP 0<&3 3<&-").
            Abstract sockets (unix:@NAME) and fd 3 use native calls: add
            --enable-native-access=ALL-UNNAMED to java's options to silence the JDK's warning.
            Everything is logged to stderr.

            On start, one line goes to stderr: "bjoern: serving APP on WHERE", WHERE being
            http://HOST:PORT/ with the port really bound, unix:PATH, unix:@NAME, or either with
            " (fd N)" for an inherited socket.

            Exit status: 0 after SIGINT, SIGTERM or --help; 1 if the server cannot start (the
            address is in use, an inherited fd is no listening socket, the JDK is too old for
            unix:@NAME or fd 3) or creating APP throws; 2 for a usage error.
            """.formatted(BjoernServer.DEFAULT_DRAIN_TIMEOUT.toSeconds(), BjoernServer.DEFAULT_HOST,
            BjoernServer.DEFAULT_PORT, BjoernServer.DEFAULT_BACKLOG, WsgiHandler.DEFAULT_MAX_BODY_SIZE,
            WsgiHandler.DEFAULT_MAX_BODY_SIZE >> 20);

    // JUL holds loggers weakly: keep this one, or the level set on it is lost with it.
    private static final Logger XNIO_LOG = Logger.getLogger("org.xnio");

    private Main() {
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args));
    }

    private static int run(String[] args) throws InterruptedException {
        // XNIO announces its version at INFO; our one line says what matters.
        XNIO_LOG.setLevel(Level.WARNING);
        Options options;
        BjoernServer.Builder settings;
        try {
            options = Options.parse(args);
            if (options.help) {
                System.out.print(HELP);
                return 0;
            }
            if (options.inetd) {
                // stdout is the listening socket too: keep every byte of output off it.
                System.setOut(System.err);
            }
            String host = options.host.startsWith("unix:") ? options.host : resolve(options.host).getHostAddress();
            int inherited = Activation.fd(options.inetd, System.getenv());
            WsgiApplication app = AppSpec.load(options.appSpec, options.appOptions,
                    Thread.currentThread().getContextClassLoader());
            settings = settings(app, host, options);
            if (inherited >= 0) {
                settings.fd(inherited);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bjoern: " + e.getMessage());
            System.err.println("Run with --help for the options.");
            return 2;
        } catch (IllegalStateException e) {
            System.err.println("bjoern: " + e.getMessage());
            (e.getCause() != null ? e.getCause() : e).printStackTrace();
            return 1;
        } catch (UnsupportedOperationException e) {
            System.err.println("bjoern: " + e.getMessage());
            return 1;
        }

        try {
            BjoernServer bound = Bjoern.listen(settings);
            System.err.println("bjoern: serving " + options.appSpec + " on " + bound.where());
            Bjoern.run();
        } catch (IOException | UnsupportedOperationException e) {
            System.err.println("bjoern: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            // An inherited fd that is not a listening socket: the setup is wrong, not the command line.
            System.err.println("bjoern: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    private static InetAddress resolve(String host) {
        try {
            if (!host.isEmpty()) {
                return InetAddress.getByName(unbracketed(host));
            }
        } catch (UnknownHostException e) {
            // reported below
        }
        throw new IllegalArgumentException("-a/--host must be an IP address or a known host name, got \""
                + host + "\"");
    }

    private static BjoernServer.Builder settings(WsgiApplication app, String host, Options options) {
        BjoernServer.Builder builder = BjoernServer.builder(app).host(host).port(options.port)
                .reusePort(options.reusePort).backlog(options.backlog).workers(options.workers);
        if (options.socketMode != null) {
            builder.unixSocketPermissions(Listener.permissions(options.socketMode));
        }
        try {
            return builder.maxBodySize(options.maxBodySize);
        } catch (IllegalArgumentException e) {
            // The engine owns the body limit's range; the user needs to know which flag broke it.
            throw new IllegalArgumentException("--max-body-size: " + e.getMessage(), e);
        }
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The command line, split into bjoern's options, the app spec and the app's options. */
    private static final class Options {
        String host = BjoernServer.DEFAULT_HOST;
        int port = BjoernServer.DEFAULT_PORT;
        long maxBodySize = WsgiHandler.DEFAULT_MAX_BODY_SIZE;
        String socketMode;
        boolean reusePort;
        int backlog = BjoernServer.DEFAULT_BACKLOG;
        int workers = 1;
        boolean inetd;
        boolean help;
        String appSpec;
        final List<String> appOptions = new ArrayList<>();

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                int equals = arg.startsWith("--") ? arg.indexOf('=') : -1;
                String name = equals > 0 ? arg.substring(0, equals) : arg;
                String inline = equals > 0 ? arg.substring(equals + 1) : null;
                switch (name) {
                    case "--":
                        options.appOptions.addAll(Arrays.asList(args).subList(i + 1, args.length));
                        i = args.length;
                        break;
                    case "-h", "--help":
                        options.help = true;
                        break;
                    case "-a", "--host":
                        options.host = inline != null ? inline : value(args, ++i, "-a/--host");
                        break;
                    case "-p", "--port":
                        options.port = port(inline != null ? inline : value(args, ++i, "-p/--port"));
                        break;
                    case "--uds":
                        options.host = "unix:" + (inline != null ? inline : value(args, ++i, "--uds"));
                        break;
                    case "--socket-mode":
                        options.socketMode = inline != null ? inline : value(args, ++i, "--socket-mode");
                        if (!options.socketMode.matches("0?[0-7]{3}")) {
                            throw new IllegalArgumentException("--socket-mode must be 3 octal digits like 660, got \""
                                    + options.socketMode + "\"");
                        }
                        break;
                    case "--reuse-port":
                        options.reusePort = true;
                        break;
                    case "--backlog":
                        options.backlog = count(inline != null ? inline : value(args, ++i, "--backlog"), "--backlog");
                        break;
                    case "--workers":
                        options.workers = count(inline != null ? inline : value(args, ++i, "--workers"), "--workers");
                        break;
                    case "--inetd":
                        options.inetd = true;
                        break;
                    case "--max-body-size":
                        options.maxBodySize = bytes(inline != null ? inline : value(args, ++i, "--max-body-size"));
                        break;
                    default:
                        if (options.appSpec == null && !arg.startsWith("-")) {
                            options.appSpec = arg;
                        } else {
                            options.appOptions.add(arg);
                        }
                }
            }
            if (options.reusePort && options.host.startsWith("unix:")) {
                throw new IllegalArgumentException("--reuse-port shares a TCP port; it does not apply to "
                        + options.host);
            }
            if (options.appSpec == null && !options.help) {
                throw new IllegalArgumentException("missing the app to serve: give CLASS:MEMBER or CLASS");
            }
            return options;
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }

        private static int port(String value) {
            if (!value.matches("[0-9]{1,5}") || Integer.parseInt(value) > 65535) {
                throw new IllegalArgumentException("-p/--port must be a number from 0 to 65535, got \"" + value
                        + "\"");
            }
            return Integer.parseInt(value);
        }

        private static int count(String value, String flag) {
            if (!value.matches("[0-9]{1,9}") || Integer.parseInt(value) < 1) {
                throw new IllegalArgumentException(flag + " must be a whole number of at least 1, got \"" + value
                        + "\"");
            }
            return Integer.parseInt(value);
        }

        private static long bytes(String value) {
            if (!value.matches("[0-9]{1,18}")) {
                throw new IllegalArgumentException("--max-body-size must be a number of bytes, got \"" + value
                        + "\"");
            }
            return Long.parseLong(value);
        }
    }
}
