package dev.bjoern.undertow;

import dev.bjoern.WsgiApplication;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line, {@code python -m bjoern} in Java: serves the application a {@code CLASS:MEMBER} or
 * {@code CLASS} spec names until SIGINT or SIGTERM, then stops gracefully. {@code --help} says the rest,
 * exit statuses included. This is the only class that calls {@link System#exit}.
 */
public final class Main {
    private static final String HELP = """
            Usage: java -jar bjoern.jar [options] APP [app arguments...]
                   java -cp bjoern.jar:APP_CLASSPATH dev.bjoern.undertow.Main [options] APP [app arguments...]

            Serves APP on one IO thread until SIGINT or SIGTERM. Once it accepts, it prints one line to
            stderr: "bjoern: serving APP on WHERE", WHERE being http://HOST:PORT/ (the port really
            bound), unix:PATH or unix:@NAME, with " (fd N)" for an inherited socket. All else it
            prints goes to stderr as well, except an access log to stdout.

            APP is one of:
              com.example.App:app   a static member, of any access: a field holding a
                                    WsgiApplication; a method returning one, with no parameters
                                    or one String[] that receives the app arguments; or a method
                                    (Map<String, Object>, StartResponse) -> Iterable<byte[]> that
                                    is itself the application
              com.example.App       a class implementing WsgiApplication, with a public no-arg
                                    constructor

            Options go before APP, and each must be one below: an unknown one is an error. Every
            argument after APP goes, as it is and in order, to the method taking String[]
            ("APP --port 9000" passes --port 9000 to the app); any other APP refuses arguments.
            "--" ends the options: APP follows it.

            Options (long ones also as --name=VALUE; SECONDS may have a fraction, 0 means none):
                  --classpath PATH         where APP's classes are, as java's -cp: folders and
                                           jars separated by "%s", DIR/* for every jar in DIR;
                                           may be repeated (default: java's own classpath, which
                                           java -jar ignores)
              -a, --host ADDR              address to listen on: IPv4, IPv6 (::1, ::) or a host
                                           name; unix:/PATH for a unix socket file, unix:@NAME
                                           for a Linux abstract socket (JDK 22+) (default %s);
                                           repeat -a and --uds to listen on several at once
              -p, --port PORT              TCP port of every TCP address, 0 for any free one
                                           (default %d)
                  --uds PATH               listen on the unix socket file PATH (as -a unix:PATH);
                                           a stale socket file is replaced, a live one is an
                                           error; the file is deleted on exit
                  --socket-mode MODE       permissions of the unix socket file, octal, e.g. 660
                                           (default: what the umask gives; connecting needs w)
                  --reuse-port             set SO_REUSEPORT: several processes share the TCP port
                  --backlog N              listen backlog (default %d)
                  --workers N              event loops (IO threads) in this JVM, each running
                                           the app; N > 1 sets wsgi.multithread (default 1)
                  --threads N|virtual      call the app on a pool of N threads, or on a virtual
                                           thread per request (JDK 21+), instead of the event
                                           loop: for an app that blocks; sets wsgi.multithread
                                           (default: on the event loop)
                  --inetd                  serve the listening socket inherited as fd 0 (inetd
                                           "wait" mode); -a, -p, --uds, --socket-mode,
                                           --reuse-port and --backlog are then not used
                  --max-body-size BYTES    largest request body; a larger one gets 413
                                           (default %d, that is %d MiB)
                  --max-header-size BYTES  largest request line and headers; larger gets 400
                                           (default %d, that is %d KiB)
                  --max-connections N      connections open at once; at the limit new ones
                                           wait in the listen backlog (default %d; 0: no limit)
                  --idle-timeout SECONDS   close a keep-alive connection idle this long
                                           between requests (default %s)
                  --request-timeout SECONDS
                                           close a connection whose request headers are not
                                           complete this long after their first byte, or
                                           whose body pauses this long (default %s)
                  --send-timeout SECONDS   close a connection whose peer reads none of the
                                           response for this long (default %s)
                  --drain-timeout SECONDS  how long requests under way may take to finish
                                           once stopping (default %s)
                  --access-log FILE|-      log each request to FILE (appended) or to stdout
                                           (stderr under --inetd), in Common Log Format plus
                                           microseconds taken (default: no access log)
                  --statsd JSON            send bjoern's statsd counters, as bjoern's statsd
                                           dict: '{"enable": true, "host": "127.0.0.1",
                                           "port": 8125, "ns": "bjoern", "tags": "app:x,zone:y"}'
                                           (default off; every key optional: enable false,
                                           host 127.0.0.1, port 8125, ns and tags empty
                                           for none; extras beyond bjoern's counters:
                                           "timer", "gauge", "jvm": true); needs
                                           bjoern-statsd.jar, which carries the statsd
                                           registry that bjoern.jar leaves out
              -h, --help                   print this help and exit
                  --version                print "bjoern VERSION" and exit

            BJOERN_CMD_ARGS="--workers 2 --access-log -" in the environment holds options read
            before the command line's, split as a shell would (whitespace, '...', "..."); where
            both set an option, the command line wins (--classpath entries add up, the
            environment's first; the command line's -a and --uds replace the environment's).
            --help and --version belong on the command line only.

            Socket activation: when LISTEN_FDS=N and LISTEN_PID is this process (systemd, or
            systemd-socket-activate), the N sockets passed as fds 3 and up are served, and the
            options that make a socket are not used, as under --inetd. This needs JDK 22 or
            newer; on JDK 17, move one socket to fd 0 and use --inetd: "exec java ... --inetd
            APP 0<&3 3<&-". Abstract sockets and fds 3 and up use native calls: under java -cp,
            add --enable-native-access=ALL-UNNAMED to java's options to silence the JDK's
            warning (under java -jar, bjoern.jar's manifest does it).

            Stopping: on SIGINT or SIGTERM the server stops accepting (new connections are
            refused), closes idle keep-alive connections, lets the requests under way finish for
            up to --drain-timeout (each response then closes its connection), closes APP if it
            is AutoCloseable (a servlet app destroys its servlets; not while a request still runs
            in it past the timeout: a line says so), and exits. A second SIGINT or SIGTERM stops
            at once. If serving cannot start (the port is taken...), APP is closed too.

            Exit status:
              0         stopped by SIGINT or SIGTERM; or --help, --version
              1         the server cannot start (the address is in use, an inherited fd is no
                        listening socket, the JDK is too old for unix:@NAME or fd 3, the access
                        log cannot be opened, --statsd without the statsd registry, the statsd
                        host does not resolve), or APP's own code throws while it is made or
                        closed
              2         a usage error: an unknown or bad option, APP not found or no
                        application, a class APP needs missing from the classpath
              130, 143  a second SIGINT or SIGTERM cut the drain short (128 + its number)
            """.formatted(File.pathSeparator, BjoernServer.DEFAULT_HOST, BjoernServer.DEFAULT_PORT,
            BjoernServer.DEFAULT_BACKLOG,
            WsgiHandler.DEFAULT_MAX_BODY_SIZE, WsgiHandler.DEFAULT_MAX_BODY_SIZE >> 20,
            BjoernServer.DEFAULT_MAX_HEADER_SIZE, BjoernServer.DEFAULT_MAX_HEADER_SIZE >> 10,
            BjoernServer.DEFAULT_MAX_CONNECTIONS, seconds(BjoernServer.DEFAULT_IDLE_TIMEOUT),
            seconds(BjoernServer.DEFAULT_REQUEST_TIMEOUT), seconds(BjoernServer.DEFAULT_SEND_TIMEOUT),
            seconds(BjoernServer.DEFAULT_DRAIN_TIMEOUT));

    /** --statsd without Micrometer's statsd registry: bjoern.jar leaves it out, bjoern-statsd.jar has it. */
    static final String STATSD_MISSING = "--statsd needs " + Metrics.STATSD_DEPENDENCY + ", which is not on the"
            + " classpath: run bjoern-statsd.jar, which includes it, instead of bjoern.jar, or add it to java's -cp";

    private Main() {
    }

    /**
     * Runs the command line and exits with its status ({@code --help} lists them).
     *
     * @param args the options, the application and its arguments
     * @throws InterruptedException if interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args));
    }

    private static int run(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(System.getenv(Options.ENVIRONMENT), args);
        } catch (IllegalArgumentException e) {
            return usageError(e.getMessage());
        }
        if (options.help) {
            System.out.print(HELP);
            return 0;
        }
        if (options.version) {
            System.out.println("bjoern " + RequestEnviron.VERSION);
            return 0;
        }
        if (options.threads < 0) {
            // Before the app is made, as for statsd.
            try {
                AppThreads.checkVirtual();
            } catch (UnsupportedOperationException e) {
                System.err.println("bjoern: --threads virtual: " + e.getMessage());
                return 1;
            }
        }
        if (options.statsd != null && options.statsd.enabled() && !Metrics.statsdAvailable()) {
            // Before the app is made: no servlet is initialised for nothing.
            System.err.println("bjoern: " + STATSD_MISSING);
            return 1;
        }
        BjoernServer.Builder settings;
        WsgiApplication app = null;
        try {
            if (options.inetd) {
                // stdout is the listening socket too: keep every byte of output off it.
                System.setOut(System.err);
            }
            List<String> hosts = new ArrayList<>();
            for (String host : options.hosts()) {
                hosts.add(host.startsWith("unix:") ? host : resolve(host).getHostAddress());
            }
            int[] inherited = Activation.fds(options.inetd, System.getenv());
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (!options.classpath.isEmpty()) {
                // The app's threads, the IO threads among them, inherit it from this one.
                loader = AppClasspath.loader(options.classpath, Main.class.getClassLoader());
                Thread.currentThread().setContextClassLoader(loader);
            }
            app = AppSpec.load(options.appSpec, options.appOptions, loader);
            settings = settings(app, options);
            listeners(settings, hosts, options.port, inherited);
        } catch (TypeNotPresentException e) {
            // A class behind the app is missing: the classpath is wrong, not the options, and the trace tells
            // nothing more.
            System.err.println("bjoern: " + AppSpec.missingClass(options.appSpec, e.typeName()));
            return 2;
        } catch (IllegalArgumentException e) {
            Bjoern.closeAfterFailure(app, e);
            return usageError(e.getMessage());
        } catch (IllegalStateException e) {
            Bjoern.closeAfterFailure(app, e);
            System.err.println("bjoern: " + e.getMessage());
            (e.getCause() != null ? e.getCause() : e).printStackTrace();
            return 1;
        } catch (UnsupportedOperationException e) {
            Bjoern.closeAfterFailure(app, e);
            System.err.println("bjoern: " + e.getMessage());
            return 1;
        }

        OutputStream accessLog = null;
        try {
            try {
                if (options.accessLog != null) {
                    accessLog = options.accessLog.equals("-") ? System.out : openAccessLog(options.accessLog);
                    settings.accessLog(accessLog);
                }
                Bjoern.listen(settings);
            } catch (IOException | RuntimeException e) {
                // Not served: the application made for it is closed (serve() does so for what fails in it).
                Bjoern.closeAfterFailure(app, e);
                throw e;
            }
            int second = Bjoern.serve(null, options.appSpec);
            return second == 0 ? 0 : 128 + second;
        } catch (IOException | UnsupportedOperationException e) {
            System.err.println("bjoern: " + e.getMessage());
            return 1;
        } catch (IllegalStateException e) {
            // The application's close() failed after the drain.
            System.err.println("bjoern: " + e.getMessage());
            if (e.getCause() != null) {
                e.getCause().printStackTrace();
            }
            return 1;
        } catch (IllegalArgumentException e) {
            // An inherited fd that is not a listening socket: the setup is wrong, not the command line.
            System.err.println("bjoern: " + e.getMessage());
            return 1;
        } finally {
            if (accessLog != null && accessLog != System.out) {
                try {
                    accessLog.close();
                } catch (IOException e) {
                    System.err.println("bjoern: closing the access log failed: " + e.getMessage());
                }
            }
        }
    }

    private static int usageError(String message) {
        System.err.println("bjoern: " + message);
        System.err.println("Run with --help for the options.");
        return 2;
    }

    private static OutputStream openAccessLog(String file) throws IOException {
        try {
            return new FileOutputStream(file, true);
        } catch (IOException e) {
            throw new IOException("--access-log: cannot open \"" + file + "\" for appending: " + e.getMessage(), e);
        }
    }

    /** A duration as the help shows it: whole seconds, or a fraction. */
    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() / 1000.0 + " s";
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

    /**
     * The listeners: the inherited sockets when there are any (the options that make one are then not used),
     * else one per -a/--uds, each TCP one on the port.
     */
    private static void listeners(BjoernServer.Builder builder, List<String> hosts, int port, int[] inherited) {
        if (inherited.length > 0) {
            builder.fd(inherited[0]);
            for (int i = 1; i < inherited.length; i++) {
                builder.listen("fd:" + inherited[i]);
            }
            return;
        }
        builder.host(hosts.get(0)).port(port);
        for (String host : hosts.subList(1, hosts.size())) {
            builder.listen(host.startsWith("unix:") ? host
                    : (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
        }
    }

    private static BjoernServer.Builder settings(WsgiApplication app, Options options) {
        BjoernServer.Builder builder = BjoernServer.builder(app)
                .reusePort(options.reusePort).backlog(options.backlog).workers(options.workers);
        if (options.socketMode != null) {
            builder.unixSocketPermissions(ListeningSocket.permissions(options.socketMode));
        }
        builder.idleTimeout(options.idleTimeout).requestTimeout(options.requestTimeout)
                .sendTimeout(options.sendTimeout).drainTimeout(options.drainTimeout);
        // The engine owns each limit's range; the user needs to know which flag broke it.
        try {
            builder.maxBodySize(options.maxBodySize);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--max-body-size: " + e.getMessage(), e);
        }
        try {
            builder.maxHeaderSize(options.maxHeaderSize);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--max-header-size: " + e.getMessage(), e);
        }
        builder.maxConnections(options.maxConnections);
        if (options.threads > 0) {
            builder.threads(options.threads);
        } else if (options.threads < 0) {
            builder.virtualThreads();
        }
        if (options.statsd != null) {
            builder.statsd(options.statsd);
        }
        return builder;
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /**
     * Splits {@code line} into words as a shell would, simply: at whitespace, except within '...' (taken
     * as it is) or "..." (where \" and \\ stand for " and \); elsewhere \ takes the next character as it is.
     */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            boolean escapes = c == '\\' && i + 1 < line.length();
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (escapes && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                inWord = true;
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (escapes) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("a " + quote + " quote is not closed: " + line);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** The command line, split into bjoern's options, the app spec and the app's options. */
    private static final class Options {
        /** Each -a and --uds, in order; the command line's replace the environment's. */
        final List<String> hosts = new ArrayList<>();
        /** Whether {@link #hosts} holds the command line's, not the environment's. */
        private boolean hostsFromCommandLine;
        int port = BjoernServer.DEFAULT_PORT;
        long maxBodySize = WsgiHandler.DEFAULT_MAX_BODY_SIZE;
        String socketMode;
        boolean reusePort;
        int backlog = BjoernServer.DEFAULT_BACKLOG;
        int workers = 1;
        /** --threads: 0 for none, -1 for virtual. */
        int threads;
        boolean inetd;
        int maxHeaderSize = BjoernServer.DEFAULT_MAX_HEADER_SIZE;
        int maxConnections = BjoernServer.DEFAULT_MAX_CONNECTIONS;
        Duration idleTimeout = BjoernServer.DEFAULT_IDLE_TIMEOUT;
        Duration requestTimeout = BjoernServer.DEFAULT_REQUEST_TIMEOUT;
        Duration sendTimeout = BjoernServer.DEFAULT_SEND_TIMEOUT;
        Duration drainTimeout = BjoernServer.DEFAULT_DRAIN_TIMEOUT;
        String accessLog;
        Statsd statsd;
        final List<String> classpath = new ArrayList<>();
        boolean help;
        boolean version;
        String appSpec;
        final List<String> appOptions = new ArrayList<>();

        /** Options that take no value: {@code --reuse-port=false} must not turn SO_REUSEPORT on. */
        private static final java.util.Set<String> FLAGS = java.util.Set.of("--help", "--version", "--reuse-port",
                "--inetd");

        /** Where options come from before the command line's, as gunicorn's GUNICORN_CMD_ARGS. */
        static final String ENVIRONMENT = "BJOERN_CMD_ARGS";

        /**
         * The options in {@code environment} (null for none), split as a shell would, then the command line's:
         * an option set in both takes the command line's value.
         */
        static Options parse(String environment, String[] args) {
            // --help and --version on the command line answer whatever the environment holds.
            Options commandLine = new Options();
            commandLine.read(args, true);
            if (commandLine.help || commandLine.version) {
                return commandLine;
            }
            Options options = new Options();
            if (environment != null) {
                try {
                    options.read(Main.words(environment).toArray(new String[0]), false);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(ENVIRONMENT + ": " + e.getMessage(), e);
                }
            }
            options.read(args, true);
            if (options.reusePort && options.hosts().stream().allMatch(host -> host.startsWith("unix:"))) {
                throw new IllegalArgumentException("--reuse-port shares a TCP port; it does not apply to "
                        + String.join(" and ", options.hosts()));
            }
            if (options.appSpec == null) {
                throw new IllegalArgumentException("missing the app to serve: give CLASS:MEMBER or CLASS");
            }
            return options;
        }

        /**
         * Reads bjoern's options up to the first argument that is not one, APP (or up to "--", which ends them);
         * APP and everything after it go to the application, unread. {@code --help} and {@code --version} end
         * the reading; in the environment ({@code withApp} false) they are refused.
         */
        private void read(String[] args, boolean withApp) {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("-") || arg.equals("--")) {
                    if (!withApp) {
                        throw new IllegalArgumentException("\"" + arg + "\" is no option; the app and its arguments go"
                                + " on the command line");
                    }
                    int app = arg.equals("--") ? i + 1 : i;
                    if (app < args.length) {
                        appSpec = args[app];
                        appOptions.addAll(Arrays.asList(args).subList(app + 1, args.length));
                    }
                    return;
                }
                int equals = arg.startsWith("--") ? arg.indexOf('=') : -1;
                String name = equals > 0 ? arg.substring(0, equals) : arg;
                String inline = equals > 0 ? arg.substring(equals + 1) : null;
                if (inline != null && FLAGS.contains(name)) {
                    throw new IllegalArgumentException(name + " takes no value, got \"" + arg + "\"");
                }
                switch (name) {
                    case "-h", "--help", "--version":
                        if (!withApp) {
                            throw new IllegalArgumentException(name + " is for the command line");
                        }
                        help = !name.equals("--version");
                        version = !help;
                        return;
                    case "--classpath":
                        classpath.add(inline != null ? inline : value(args, ++i, name));
                        break;
                    case "-a", "--host":
                        addHost(inline != null ? inline : value(args, ++i, "-a/--host"), withApp);
                        break;
                    case "-p", "--port":
                        port = port(inline != null ? inline : value(args, ++i, "-p/--port"));
                        break;
                    case "--uds":
                        String path = inline != null ? inline : value(args, ++i, "--uds");
                        if (path.isEmpty()) {
                            throw new IllegalArgumentException("--uds needs the path of a socket file");
                        }
                        addHost("unix:" + path, withApp);
                        break;
                    case "--socket-mode":
                        socketMode = inline != null ? inline : value(args, ++i, "--socket-mode");
                        if (!socketMode.matches("0?[0-7]{3}")) {
                            throw new IllegalArgumentException("--socket-mode must be 3 octal digits like 660, got \""
                                    + socketMode + "\"");
                        }
                        break;
                    case "--reuse-port":
                        reusePort = true;
                        break;
                    case "--backlog":
                        backlog = count(inline != null ? inline : value(args, ++i, "--backlog"), "--backlog");
                        break;
                    case "--workers":
                        workers = count(inline != null ? inline : value(args, ++i, "--workers"), "--workers");
                        break;
                    case "--threads":
                        String threadsValue = inline != null ? inline : value(args, ++i, name);
                        if (!threadsValue.equals("virtual") && !threadsValue.matches("[0-9]{1,9}")
                                || threadsValue.matches("0+")) {
                            throw new IllegalArgumentException("--threads must be a number of threads (at least 1)"
                                    + " or \"virtual\", got \"" + threadsValue + "\"");
                        }
                        threads = threadsValue.equals("virtual") ? -1 : Integer.parseInt(threadsValue);
                        break;
                    case "--inetd":
                        inetd = true;
                        break;
                    case "--statsd":
                        try {
                            statsd = Statsd.parse(inline != null ? inline : value(args, ++i, name));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("--statsd: " + e.getMessage(), e);
                        }
                        break;
                    case "--max-body-size":
                        maxBodySize = bytes(inline != null ? inline : value(args, ++i, name), name);
                        break;
                    case "--max-header-size":
                        maxHeaderSize = (int) Math.min(Integer.MAX_VALUE,
                                bytes(inline != null ? inline : value(args, ++i, name), name));
                        break;
                    case "--max-connections":
                        maxConnections = limit(inline != null ? inline : value(args, ++i, name), name);
                        break;
                    case "--idle-timeout":
                        idleTimeout = seconds(inline != null ? inline : value(args, ++i, name), name);
                        break;
                    case "--request-timeout":
                        requestTimeout = seconds(inline != null ? inline : value(args, ++i, name), name);
                        break;
                    case "--send-timeout":
                        sendTimeout = seconds(inline != null ? inline : value(args, ++i, name), name);
                        break;
                    case "--drain-timeout":
                        drainTimeout = seconds(inline != null ? inline : value(args, ++i, name), name);
                        break;
                    case "--access-log":
                        accessLog = inline != null ? inline : value(args, ++i, name);
                        if (accessLog.isEmpty()) {
                            throw new IllegalArgumentException("--access-log needs a file name or \"-\" for stdout");
                        }
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + name
                                + " (the application's own options go after APP)");
                }
            }
        }

        /** Where to listen: each -a or --uds adds one; the command line's first drops the environment's. */
        private void addHost(String host, boolean fromCommandLine) {
            if (fromCommandLine && !hostsFromCommandLine) {
                hosts.clear();
                hostsFromCommandLine = true;
            }
            hosts.add(host);
        }

        /** The listeners' addresses: those given, or the default host. */
        List<String> hosts() {
            return hosts.isEmpty() ? List.of(BjoernServer.DEFAULT_HOST) : hosts;
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

        private static long bytes(String value, String flag) {
            if (!value.matches("[0-9]{1,18}")) {
                throw new IllegalArgumentException(flag + " must be a number of bytes, got \"" + value + "\"");
            }
            return Long.parseLong(value);
        }

        private static int limit(String value, String flag) {
            if (!value.matches("[0-9]{1,9}")) {
                throw new IllegalArgumentException(flag + " must be a whole number from 0 (no limit) to 999999999, got \""
                        + value + "\"");
            }
            return Integer.parseInt(value);
        }

        private static Duration seconds(String value, String flag) {
            if (!value.matches("[0-9]{1,9}(\\.[0-9]{1,3})?")) {
                throw new IllegalArgumentException(flag + " must be a number of seconds (up to 3 decimals), got \""
                        + value + "\"");
            }
            return Duration.ofMillis(new BigDecimal(value).movePointRight(3).longValueExact());
        }
    }
}
