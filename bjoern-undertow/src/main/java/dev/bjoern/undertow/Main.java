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
              -a, --host ADDR              address to listen on: IPv4, IPv6 or a host name
                                           (default %s)
              -p, --port PORT              TCP port, 0 for any free one (default %d)
                  --max-body-size BYTES    largest request body; a larger one gets 413
                                           (default %d, that is %d MiB)
                  --statsd JSON            send bjoern's statsd counters, as bjoern's statsd
                                           dict: '{"enable": true, "host": "127.0.0.1",
                                           "port": 8125, "ns": "bjoern", "tags": "app:x,zone:y"}'
                                           (default off; every key optional: enable false,
                                           host 127.0.0.1, port 8125, ns and tags empty
                                           for none; extras beyond bjoern's counters:
                                           "timer", "gauge", "jvm": true)
              -h, --help                   print this help and exit

            App options: every argument bjoern does not know goes, in order, to the static method
            taking String[]: options other than the above, arguments after APP, and everything
            after "--" (so "-- -p 9000" passes -p to the app). Any other APP given app options is
            an error.

            On start, one line goes to stderr: "bjoern: serving APP on http://HOST:PORT/", with the
            port really bound.

            Exit status: 0 after SIGINT, SIGTERM or --help; 1 if the server cannot start (the
            address is in use) or creating APP throws; 2 for a usage error.
            """.formatted(BjoernServer.DEFAULT_DRAIN_TIMEOUT.toSeconds(), BjoernServer.DEFAULT_HOST,
            BjoernServer.DEFAULT_PORT, WsgiHandler.DEFAULT_MAX_BODY_SIZE, WsgiHandler.DEFAULT_MAX_BODY_SIZE >> 20);

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
            InetAddress address = resolve(options.host);
            WsgiApplication app = AppSpec.load(options.appSpec, options.appOptions,
                    Thread.currentThread().getContextClassLoader());
            settings = settings(app, address, options);
        } catch (IllegalArgumentException e) {
            System.err.println("bjoern: " + e.getMessage());
            System.err.println("Run with --help for the options.");
            return 2;
        } catch (IllegalStateException e) {
            System.err.println("bjoern: " + e.getMessage());
            (e.getCause() != null ? e.getCause() : e).printStackTrace();
            return 1;
        }

        try {
            BjoernServer bound;
            try {
                bound = Bjoern.listen(settings);
            } catch (IllegalStateException e) {
                // statsd enabled without its registry on the classpath: the message names the dependency.
                System.err.println("bjoern: " + e.getMessage());
                return 1;
            }
            System.err.println("bjoern: serving " + options.appSpec + " on http://" + urlHost(options.host) + ":"
                    + bound.port() + "/");
            Bjoern.run();
        } catch (IOException e) {
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

    private static BjoernServer.Builder settings(WsgiApplication app, InetAddress address, Options options) {
        BjoernServer.Builder builder = BjoernServer.builder(app).host(address.getHostAddress()).port(options.port);
        try {
            builder.maxBodySize(options.maxBodySize);
        } catch (IllegalArgumentException e) {
            // The engine owns the body limit's range; the user needs to know which flag broke it.
            throw new IllegalArgumentException("--max-body-size: " + e.getMessage(), e);
        }
        if (options.statsd != null) {
            try {
                builder.statsd(Statsd.parse(options.statsd));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--statsd: " + e.getMessage(), e);
            }
        }
        return builder;
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String urlHost(String host) {
        String bare = unbracketed(host);
        return bare.contains(":") ? "[" + bare + "]" : bare;
    }

    /** The command line, split into bjoern's options, the app spec and the app's options. */
    private static final class Options {
        String host = BjoernServer.DEFAULT_HOST;
        int port = BjoernServer.DEFAULT_PORT;
        long maxBodySize = WsgiHandler.DEFAULT_MAX_BODY_SIZE;
        String statsd;
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
                    case "--statsd":
                        options.statsd = inline != null ? inline : value(args, ++i, "--statsd");
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

        private static long bytes(String value) {
            if (!value.matches("[0-9]{1,18}")) {
                throw new IllegalArgumentException("--max-body-size must be a number of bytes, got \"" + value
                        + "\"");
            }
            return Long.parseLong(value);
        }
    }
}
