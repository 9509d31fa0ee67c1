package dev.bjoern.undertow;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdLineBuilder;
import io.micrometer.statsd.StatsdMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * bjoern's statsd counters as Micrometer meters; the only place that knows Micrometer.
 *
 * <p>The server reports events through the methods below, on its IO thread. Each costs one {@link LongAdder}
 * increment and nothing else: no allocation, no formatting, no sending, no lock. A registry reads the adders
 * when it publishes (they are registered as {@link FunctionCounter}s); for statsd, the registry's poller turns
 * each second's deltas into bjoern's lines and hands them to a {@link StatsdSender}, which sends them from its
 * own thread. {@link #NONE} counts nothing, for a server without metrics.
 *
 * <p>docs/metrics.md defines every metric; the names here are bjoern's.
 */
class Metrics implements AutoCloseable {
    /** No metrics: every event is ignored. */
    static final Metrics NONE = new Metrics(Statsd.DISABLED, null) {
        @Override
        void accepted() {
        }

        @Override
        void acceptFailed() {
        }

        @Override
        void closed() {
        }

        @Override
        void parseError() {
        }

        @Override
        void requestRead() {
        }

        @Override
        void requestWaiting() {
        }

        @Override
        void requestAborted(boolean peerGone) {
        }

        @Override
        void appError() {
        }

        @Override
        void responseWaiting() {
        }

        @Override
        long started() {
            return 0;
        }

        @Override
        void responseDone(boolean keepAlive, long started) {
        }

        @Override
        void responseAborted(boolean first, boolean peerGone) {
        }
    };

    /**
     * bjoern's 15 counters and how each is read. A registry holds what it reads weakly: the server holds this
     * object, and so its adders, strongly.
     */
    private static final Map<String, ToDoubleFunction<Metrics>> COUNTERS = new LinkedHashMap<>();

    static {
        COUNTERS.put("conn.accept.error", m -> m.acceptError.sum());
        COUNTERS.put("conn.accept.success", m -> m.acceptSuccess.sum());
        COUNTERS.put("req.error.client_disconnected", m -> m.clientDisconnected.sum());
        COUNTERS.put("req.error.read", m -> m.readError.sum());
        COUNTERS.put("req.error.parse", m -> m.parseError.sum());
        COUNTERS.put("req.success.read", m -> m.readSuccess.sum());
        COUNTERS.put("req.error.internal", m -> m.internalError.sum());
        COUNTERS.put("req.active", m -> m.reqActive.sum());
        COUNTERS.put("req.done", m -> m.readSuccess.sum() + m.parseError.sum());
        COUNTERS.put("req.aborted", m -> m.reqAborted.sum());
        COUNTERS.put("resp.active", m -> m.respActive.sum());
        COUNTERS.put("resp.done", m -> m.respKeepAlive.sum() + m.respClose.sum());
        COUNTERS.put("resp.done.keepalive", m -> m.respKeepAlive.sum());
        COUNTERS.put("resp.conn.close", m -> m.respClose.sum());
        COUNTERS.put("resp.aborted", m -> m.respAborted.sum());
    }

    /** How often the statsd registry reads the counters and sends what changed. */
    static final Duration STATSD_INTERVAL = Duration.ofSeconds(1);
    private static final String STATSD_CLASS = "io.micrometer.statsd.StatsdMeterRegistry";
    static final String STATSD_DEPENDENCY = "io.micrometer:micrometer-registry-statsd:1.17.2";

    final Statsd settings;
    private final MeterRegistry userRegistry;
    private final LongAdder acceptSuccess = new LongAdder();
    private final LongAdder acceptError = new LongAdder();
    private final LongAdder connClosed = new LongAdder();
    private final LongAdder clientDisconnected = new LongAdder();
    private final LongAdder readError = new LongAdder();
    private final LongAdder parseError = new LongAdder();
    private final LongAdder readSuccess = new LongAdder();
    private final LongAdder internalError = new LongAdder();
    private final LongAdder reqActive = new LongAdder();
    private final LongAdder reqAborted = new LongAdder();
    private final LongAdder respActive = new LongAdder();
    private final LongAdder respKeepAlive = new LongAdder();
    private final LongAdder respClose = new LongAdder();
    private final LongAdder respAborted = new LongAdder();
    private final LongAdder durationNanos = new LongAdder();
    /** Responses whose duration durationNanos holds: those of a call to the application. */
    private final LongAdder timed = new LongAdder();
    /** The request duration as statsd sends it; held here, as meters hold what they read weakly. */
    private final IntervalMean durationMean = new IntervalMean(this);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** A StatsdMeterRegistry, typed as its base so that this class loads without the statsd registry. */
    private MeterRegistry statsdRegistry;
    private StatsdSender sender;
    private Thread shutdownHook;
    private boolean started;
    private boolean closed;

    /** Whether Micrometer's statsd registry, an optional dependency, is on this class's classpath. */
    static boolean statsdAvailable() {
        try {
            Class.forName(STATSD_CLASS, false, Metrics.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private Metrics(Statsd settings, MeterRegistry userRegistry) {
        this.settings = settings;
        this.userRegistry = userRegistry;
    }

    /**
     * Metrics for {@code settings} and a user's registry, or {@link #NONE} when statsd is disabled and there is
     * no registry.
     *
     * @throws IllegalStateException if statsd is enabled and its registry is not on the classpath, or the user's
     *     registry already has bjoern's meters
     */
    static Metrics of(Statsd settings, MeterRegistry userRegistry) {
        if (settings.enabled() && !statsdAvailable()) {
            throw new IllegalStateException("statsd is enabled, but its Micrometer registry is not on the "
                    + "classpath: add the dependency " + STATSD_DEPENDENCY);
        }
        if (!settings.enabled() && userRegistry == null) {
            return NONE;
        }
        Metrics metrics = new Metrics(settings, userRegistry);
        if (userRegistry != null) {
            metrics.bindTo(checked(userRegistry), false, true);
        }
        return metrics;
    }

    /**
     * Metrics of a handler mounted in a host's Undertow, on {@code registry}: bjoern's counters but the
     * connection ones, as the host accepts and closes connections unseen; no extras.
     *
     * @throws IllegalStateException if the registry already has bjoern's meters
     */
    static Metrics mounted(MeterRegistry registry) {
        Metrics metrics = new Metrics(Statsd.DISABLED, registry);
        metrics.bindTo(checked(registry), false, false);
        return metrics;
    }

    private static MeterRegistry checked(MeterRegistry registry) {
        if (registry.find("req.done").meter() != null) {
            // Micrometer would hand back the meters already there, read from the other one's counters.
            throw new IllegalStateException("the meter registry already has bjoern's meters, from another"
                    + " server or handler: give each a registry of its own");
        }
        return registry;
    }

    // The events, on the IO thread. Overridden by NONE.

    /** A connection was accepted: {@code conn.accept.success}. */
    void accepted() {
        acceptSuccess.increment();
    }

    /** accept() or setting up an accepted connection failed: {@code conn.accept.error}. */
    void acceptFailed() {
        acceptError.increment();
    }

    /** A connection closed (only counted for the {@code conn.open} gauge). */
    void closed() {
        connClosed.increment();
    }

    /** A request was refused as malformed (400, 413, 417): {@code req.error.parse}. */
    void parseError() {
        parseError.increment();
    }

    /** A request was read whole and the application is called: {@code req.success.read}. */
    void requestRead() {
        readSuccess.increment();
    }

    /** Reading a request body has to wait for more bytes: {@code req.active}. */
    void requestWaiting() {
        reqActive.increment();
    }

    /**
     * Reading a request body was abandoned: {@code req.aborted}, and {@code req.error.client_disconnected} when
     * the peer closed early, else {@code req.error.read}.
     */
    void requestAborted(boolean peerGone) {
        reqAborted.increment();
        (peerGone ? clientDisconnected : readError).increment();
    }

    /** The application failed before its headers went out, answered 500: {@code req.error.internal}. */
    void appError() {
        internalError.increment();
    }

    /** Sending a response has to wait for the socket to drain: {@code resp.active}. */
    void responseWaiting() {
        respActive.increment();
    }

    /** The start of a response, for the duration timer: 0 unless it is on. */
    long started() {
        return settings.timer() ? System.nanoTime() : 0;
    }

    /**
     * A response was sent whole: {@code resp.done}, and {@code resp.done.keepalive} or {@code resp.conn.close}.
     *
     * @param started what {@link #started()} returned for it
     */
    void responseDone(boolean keepAlive, long started) {
        (keepAlive ? respKeepAlive : respClose).increment();
        if (started != 0) {
            durationNanos.add(System.nanoTime() - started);
            timed.increment();
        }
    }

    /**
     * A response could not be completed and its connection was closed: {@code resp.aborted} if this is the
     * {@code first} report of it, and {@code req.error.client_disconnected} when a write failed because the
     * peer went away (that write can come after the close it caused was reported).
     */
    void responseAborted(boolean first, boolean peerGone) {
        if (first) {
            respAborted.increment();
        }
        if (peerGone) {
            clientDisconnected.increment();
        }
    }

    // Publishing, off the IO thread.

    /**
     * The meters, registered on {@code registry}: bjoern's 15 counters (13 without the {@code connections}
     * ones), and the extras that are on.
     */
    private void bindTo(MeterRegistry registry, boolean statsd, boolean connections) {
        COUNTERS.forEach((name, count) -> {
            if (!connections && name.startsWith("conn.")) {
                return;
            }
            if (statsd) {
                // Read as a gauge of the total; StatsdOutput.Line sends the delta as bjoern's counter line. A
                // statsd FunctionCounter would do the same, but could send a delta twice when the last poll
                // of close() meets a scheduled one; Line's delta cannot.
                Gauge.builder(name, this, count).register(registry);
            } else {
                FunctionCounter.builder(name, this, count).register(registry);
            }
        });
        if (settings.gauge()) {
            Gauge.builder("conn.open", this, m -> m.acceptSuccess.sum() - m.connClosed.sum())
                    .description("connections open").register(registry);
        }
        if (settings.timer()) {
            if (statsd) {
                // A statsd FunctionTimer sends one line per request; this gauge sends one per interval, the
                // mean with a sample rate of 1/count (StatsdOutput makes it a timer line).
                Gauge.builder("req.duration", durationMean, IntervalMean::total).register(registry);
            } else {
                FunctionTimer.builder("req.duration", this, m -> m.timed.sum(),
                        m -> m.durationNanos.sum(), TimeUnit.NANOSECONDS)
                        .description("from calling the application to the response's last byte")
                        .register(registry);
            }
        }
    }


    /**
     * Starts sending statsd lines, if enabled: a registry whose poller reads the counters every second, and
     * the sender thread. Also a shutdown hook that sends the last counts if the JVM exits without
     * {@link #close()}.
     */
    synchronized void start(PrintStream errors) throws IOException {
        if (started || closed) {
            return;
        }
        started = true;
        if (userRegistry != null && settings.jvm()) {
            bindJvm(userRegistry);
        }
        if (!settings.enabled()) {
            return;
        }
        sender = new StatsdSender(settings.host(), settings.port(), errors);
        statsdRegistry = StatsdOutput.registry(settings, sender, durationMean);
        bindTo(statsdRegistry, true, true);
        if (settings.jvm()) {
            bindJvm(statsdRegistry);
        }
        shutdownHook = new Thread(this::close, "bjoern-statsd-flush");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void bindJvm(MeterRegistry registry) {
        for (MeterBinder binder : List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(),
                new ClassLoaderMetrics(), new ProcessorMetrics())) {
            binder.bindTo(registry);
            if (binder instanceof AutoCloseable) {
                closeables.add((AutoCloseable) binder);
            }
        }
    }

    /**
     * Sends the last counts and stops sending: the registry polls once more, then the sender sends every line
     * it holds and ends. Idempotent; called by the server's close() after it drained, and by the shutdown hook.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                // A JVM binder that cannot unhook itself changes nothing for the counts.
            }
        }
        if (statsdRegistry != null) {
            statsdRegistry.close();
            sender.close();
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or about to: close() is idempotent.
            }
        }
    }

    /**
     * The mean request duration of one publishing interval, in milliseconds, and how many requests it covers;
     * read by the registry's poller only.
     */
    static final class IntervalMean {
        private final Metrics metrics;
        private long lastCount;
        private long lastNanos;

        IntervalMean(Metrics metrics) {
            this.metrics = metrics;
        }

        /** Responses timed so far: the gauge's value, which only makes the poller ask for a line. */
        double total() {
            return metrics.timed.sum();
        }

        /**
         * The timer line for what was timed since the last one, or "" if nothing was. Synchronized: the last
         * poll of close() can meet a scheduled one, and each request must be sent once.
         */
        synchronized String line(String prefix, String suffix) {
            long nanos = metrics.durationNanos.sum();
            long count = (long) total() - lastCount;
            if (count <= 0) {
                return "";
            }
            double mean = (nanos - lastNanos) / 1e6 / count;
            lastCount += count;
            lastNanos = nanos;
            // One line for the interval: the mean, standing for count samples (Etsy's statsd adds 1/rate to
            // the timer's count; it reads the rate only in plain decimal notation).
            return prefix + StatsdOutput.Line.number(mean) + "|ms" + (count == 1 ? ""
                    : "|@" + new BigDecimal(1.0 / count, new MathContext(15)).stripTrailingZeros().toPlainString())
                    + suffix;
        }
    }

    /**
     * bjoern's lines from Micrometer's statsd registry: {@code ns.name:N|c}, with tags
     * {@code ns.name:N|c|#app:x,zone:y}; never the {@code statistic} tag Micrometer's flavors add. In its own
     * class so that the statsd registry is loaded only when statsd is enabled.
     */
    static final class StatsdOutput {
        private StatsdOutput() {
        }

        static MeterRegistry registry(Statsd settings, StatsdSender sender, IntervalMean duration) {
            StatsdConfig config = new StatsdConfig() {
                @Override
                public String get(String key) {
                    return null;
                }

                @Override
                public StatsdFlavor flavor() {
                    return StatsdFlavor.ETSY;
                }

                @Override
                public Duration pollingFrequency() {
                    return STATSD_INTERVAL;
                }
            };
            return StatsdMeterRegistry.builder(config)
                    .lineBuilder((id, distribution) -> new Line(settings, id, duration))
                    .lineSink(sender)
                    .build();
        }

        /** bjoern's line format for one meter. */
        static final class Line implements StatsdLineBuilder {
            private final String prefix;
            private final String suffix;
            /** Set for the request duration, a gauge of the interval's mean sent as a timer line. */
            private final IntervalMean duration;
            /** True for bjoern's counters, gauges of their totals sent as deltas; the total sent so far. */
            private final boolean counter;
            private double sent;

            Line(Statsd settings, Meter.Id id, IntervalMean duration) {
                this.prefix = (settings.ns().isEmpty() ? "" : settings.ns() + ".") + id.getName() + ":";
                StringBuilder tags = new StringBuilder(settings.tags());
                // A meter's own tags (the JVM's: "id:CodeHeap 'profiled nmethods'") lose what a line cannot carry.
                id.getTags().forEach(tag -> tags.append(tags.length() > 0 ? "," : "").append(clean(tag.getKey()))
                        .append(':').append(clean(tag.getValue())));
                this.suffix = tags.length() == 0 ? "" : "|#" + tags;
                this.counter = COUNTERS.containsKey(id.getName()) && id.getType() == Meter.Type.GAUGE;
                this.duration = "req.duration".equals(id.getName()) && id.getType() == Meter.Type.GAUGE ? duration
                        : null;
            }

            @Override
            public String count(long amount, Statistic stat) {
                // bjoern sends a line only when something happened: a zero delta is no line.
                return amount == 0 ? "" : prefix + amount + "|c" + suffix;
            }

            @Override
            public synchronized String gauge(double amount, Statistic stat) {
                if (Double.isNaN(amount)) {
                    return "";
                }
                if (counter) {
                    // Totals only grow; a poll that read an older total than one already sent sends nothing.
                    long delta = amount > sent ? (long) (amount - sent) : 0;
                    sent = Math.max(sent, amount);
                    return count(delta, stat);
                }
                if (duration != null) {
                    return duration.line(prefix, suffix);
                }
                return prefix + number(amount) + "|g" + suffix;
            }

            @Override
            public String histogram(double amount) {
                return prefix + number(amount) + "|h" + suffix;
            }

            @Override
            public String timing(double timeMs) {
                return prefix + number(timeMs) + "|ms" + suffix;
            }

            private static String clean(String tag) {
                return tag.replaceAll("[^A-Za-z0-9_.\\-/]", "_");
            }

            static String number(double value) {
                return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                        : Double.toString(value);
            }
        }
    }
}
