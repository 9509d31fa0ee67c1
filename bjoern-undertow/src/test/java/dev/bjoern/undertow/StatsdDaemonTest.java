package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Against Etsy's statsd daemon: requests of every kind, a graceful stop, then the daemon's totals equal the
 * expected counts exactly, with and without tags.
 */
@Timeout(120)
class StatsdDaemonTest {
    private static final int EACH = 25;

    @Test
    void theDaemonCountsEveryEventExactly() throws Exception {
        assertEquals(Traffic.all(expectedAfter("bjoern", "")), received("bjoern.", ""));
    }

    @Test
    void theDaemonCountsEveryEventExactlyWithTags() throws Exception {
        assertEquals(Traffic.all(expectedAfter("bjoern", "app:my-app,zone:eu")), received("bjoern.", ";app=my-app;zone=eu"));
    }

    private StatsdDaemon daemon;
    private Map<String, Long> counters;

    private Map<String, Long> expectedAfter(String ns, String tags) throws Exception {
        try (StatsdDaemon started = StatsdDaemon.start()) {
            daemon = started;
            SimpleMeterRegistry watch = new SimpleMeterRegistry();
            Statsd statsd = Statsd.of(Map.of("enable", true, "port", daemon.port, "ns", ns, "tags", tags));
            Map<String, Long> expected;
            try (TestServer server = TestServer.start(Traffic.APP, b -> b.statsd(statsd).meterRegistry(watch))) {
                expected = Traffic.send(server.port(), EACH, watch);
            }
            // close() returned: the last lines were sent. The daemon reads them in order with the command.
            counters = daemon.counters();
            assertEquals(0L, counters.get("statsd.bad_lines_seen"), () -> "bad lines: " + counters);
            return expected;
        }
    }

    /** The daemon's totals for the 15 names, under the key statsd makes of name and tags. */
    private Map<String, Long> received(String prefix, String tagSuffix) {
        Map<String, Long> received = new TreeMap<>();
        Traffic.NAMES.forEach(name -> received.put(name, counters.getOrDefault(prefix + name + tagSuffix, 0L)));
        counters.keySet().stream().filter(key -> !key.startsWith("statsd.")).forEach(key -> {
            String name = key.substring(prefix.length(), key.length() - tagSuffix.length());
            if (!key.startsWith(prefix) || !key.endsWith(tagSuffix) || !Traffic.NAMES.contains(name)) {
                throw new AssertionError("unexpected key " + key + " in " + counters);
            }
        });
        return received;
    }
}
