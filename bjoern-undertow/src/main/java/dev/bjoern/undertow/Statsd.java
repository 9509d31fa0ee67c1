package dev.bjoern.undertow;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Statsd settings, bjoern's {@code statsd} dict: {@code {"enable": true, "host": "127.0.0.1", "port": 8125,
 * "ns": "bjoern", "tags": "app:x,zone:y"}}. Every key is optional: {@code enable} defaults to false (no
 * registry, nothing sent), an absent or empty {@code host} is 127.0.0.1, {@code port} is 8125, an absent or
 * empty {@code ns} puts no prefix before the metric names, and empty {@code tags} sends lines without tags.
 *
 * <p>Beyond bjoern, off by default so that the output stays bjoern's: {@code "timer": true} adds the request
 * duration ({@code req.duration}, a statsd timer), {@code "gauge": true} the open connections
 * ({@code conn.open}, a gauge), {@code "jvm": true} the JVM's own metrics (memory, GC, threads, classes, CPU).
 * docs/metrics.md describes every metric.
 *
 * <p>Sending needs {@code io.micrometer:micrometer-registry-statsd} on the classpath; the server refuses to
 * start with statsd enabled without it, naming the dependency.
 */
public final class Statsd {
    /** Statsd off, as when bjoern's {@code statsd} is None. */
    public static final Statsd DISABLED = new Statsd(false, "127.0.0.1", 8125, "", "", false, false, false);

    private static final List<String> KEYS = List.of("enable", "host", "port", "ns", "tags", "timer", "gauge", "jvm");

    private final boolean enabled;
    private final String host;
    private final int port;
    private final String ns;
    private final String tags;
    private final boolean timer;
    private final boolean gauge;
    private final boolean jvm;

    private Statsd(boolean enabled, String host, int port, String ns, String tags, boolean timer, boolean gauge,
            boolean jvm) {
        this.enabled = enabled;
        this.host = host;
        this.port = port;
        this.ns = ns;
        this.tags = tags;
        this.timer = timer;
        this.gauge = gauge;
        this.jvm = jvm;
    }

    /**
     * The settings a JSON object gives, as the command line's {@code --statsd} takes them.
     *
     * @param json a JSON object with the keys of bjoern's {@code statsd} dict ({@code {"enable": true}})
     * @return the settings; keys not given have their defaults
     * @throws IllegalArgumentException if the text is not a JSON object, or a key is unknown or has the wrong
     *     type; the message names the key, what was expected and what arrived
     */
    public static Statsd parse(String json) {
        Objects.requireNonNull(json, "json");
        JsonObject object;
        try {
            object = JsonParser.object().from(json);
        } catch (JsonParserException e) {
            throw new IllegalArgumentException("statsd settings must be a JSON object such as "
                    + "{\"enable\": true, \"port\": 8125}: " + e.getMessage(), e);
        }
        return of(object);
    }

    /**
     * The settings a map gives, with the keys and value types of the JSON form (Boolean, String, Number),
     * like bjoern's dict: {@code Statsd.of(Map.of("enable", true, "ns", "bjoern"))}.
     *
     * @param settings the keys of bjoern's {@code statsd} dict and their values
     * @return the settings; keys not given have their defaults
     * @throws IllegalArgumentException for an unknown key or a value of the wrong type, naming the key
     */
    public static Statsd of(Map<String, ?> settings) {
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("statsd has no key \"" + key + "\"; the keys are "
                        + String.join(", ", KEYS));
            }
        }
        String host = text(settings, "host");
        String tags = text(settings, "tags");
        return new Statsd(flag(settings, "enable"), host.isEmpty() ? "127.0.0.1" : host, port(settings),
                name(text(settings, "ns")), tags(tags), flag(settings, "timer"), flag(settings, "gauge"),
                flag(settings, "jvm"));
    }

    private static boolean flag(Map<String, ?> settings, String key) {
        Object value = settings.get(key);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean)) {
            throw wrongType(key, "true or false", value);
        }
        return (Boolean) value;
    }

    private static String text(Map<String, ?> settings, String key) {
        Object value = settings.get(key);
        if (value == null) {
            return "";
        }
        if (!(value instanceof String)) {
            throw wrongType(key, "a string", value);
        }
        return (String) value;
    }

    private static int port(Map<String, ?> settings) {
        Object value = settings.get("port");
        if (value == null) {
            return 8125;
        }
        if (!(value instanceof Integer || value instanceof Long || value instanceof Short)
                || ((Number) value).longValue() < 1 || ((Number) value).longValue() > 65535) {
            throw wrongType("port", "a whole number from 1 to 65535", value);
        }
        return ((Number) value).intValue();
    }

    /** A namespace goes into every line: nothing that breaks a statsd line, no empty segment. */
    private static String name(String ns) {
        if (!ns.isEmpty() && !ns.matches("[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)*")) {
            throw new IllegalArgumentException("statsd \"ns\" must be dotted words of letters, digits, _ and -, "
                    + "such as \"bjoern\" or \"web.bjoern\", got \"" + ns + "\"");
        }
        return ns;
    }

    /** bjoern's tags string, sent as it is: {@code k:v} items separated by commas, nothing that ends a line. */
    private static String tags(String tags) {
        if (!tags.isEmpty() && !tags.matches("[^,|#\\s]+(,[^,|#\\s]+)*")) {
            throw new IllegalArgumentException("statsd \"tags\" must be items such as \"app:x,zone:y\", separated "
                    + "by commas, without spaces, | or #, got \"" + tags + "\"");
        }
        return tags;
    }

    private static IllegalArgumentException wrongType(String key, String expected, Object value) {
        String got = value instanceof String ? "the string \"" + value + "\"" : value.toString();
        return new IllegalArgumentException("statsd \"" + key + "\" must be " + expected + ", got " + got);
    }

    /**
     * Whether lines are sent ({@code "enable": true}).
     *
     * @return true if lines are sent
     */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Where the lines go.
     *
     * @return the statsd daemon's host; 127.0.0.1 when none was given
     */
    public String host() {
        return host;
    }

    /**
     * The statsd daemon's UDP port.
     *
     * @return the port; 8125 when none was given
     */
    public int port() {
        return port;
    }

    /**
     * The prefix of every metric name.
     *
     * @return the prefix without its dot; empty for none
     */
    public String ns() {
        return ns;
    }

    /**
     * bjoern's tags string, sent with every line.
     *
     * @return the tags, {@code "app:x,zone:y"}, or empty for none
     */
    public String tags() {
        return tags;
    }

    /**
     * Whether the request duration timer {@code req.duration} is sent too.
     *
     * @return true if it is sent
     */
    public boolean timer() {
        return timer;
    }

    /**
     * Whether the open connections gauge {@code conn.open} is sent too.
     *
     * @return true if it is sent
     */
    public boolean gauge() {
        return gauge;
    }

    /**
     * Whether the JVM's metrics are sent too.
     *
     * @return true if they are sent
     */
    public boolean jvm() {
        return jvm;
    }

    @Override
    public String toString() {
        return "{\"enable\": " + enabled + ", \"host\": \"" + host + "\", \"port\": " + port + ", \"ns\": \"" + ns
                + "\", \"tags\": \"" + tags + "\", \"timer\": " + timer + ", \"gauge\": " + gauge + ", \"jvm\": "
                + jvm + "}";
    }
}
