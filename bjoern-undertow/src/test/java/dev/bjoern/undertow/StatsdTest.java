package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** bjoern's statsd settings: its keys and defaults, and messages that name the bad key. */
class StatsdTest {
    @Test
    void readsBjoernsKeys() {
        Statsd statsd = Statsd.parse(
                "{\"enable\": true, \"host\": \"localhost\", \"port\": 9125, \"ns\": \"bjoern\", \"tags\": \"app:x,zone:y\"}");
        assertTrue(statsd.enabled());
        assertEquals("localhost", statsd.host());
        assertEquals(9125, statsd.port());
        assertEquals("bjoern", statsd.ns());
        assertEquals("app:x,zone:y", statsd.tags());
        assertFalse(statsd.timer() || statsd.gauge() || statsd.jvm());
    }

    @Test
    void defaultsAreBjoerns() {
        Statsd statsd = Statsd.parse("{}");
        assertFalse(statsd.enabled());
        assertEquals("127.0.0.1", statsd.host());
        assertEquals(8125, statsd.port());
        assertEquals("", statsd.ns());
        assertEquals("", statsd.tags());
        assertEquals("127.0.0.1", Statsd.parse("{\"host\": \"\", \"ns\": \"\"}").host());
    }

    @Test
    void aMapWorksLikeBjoernsDict() {
        Statsd statsd = Statsd.of(Map.of("enable", true, "ns", "web.bjoern", "timer", true));
        assertTrue(statsd.enabled() && statsd.timer());
        assertEquals("web.bjoern", statsd.ns());
    }

    @Test
    void badJsonSaysWhatWasExpected() {
        assertEquals("statsd settings must be a JSON object such as {\"enable\": true, \"port\": 8125}: "
                + "JSON did not contain the correct type, expected JsonObject. on line 1, char 3", message("[1]"));
        assertTrue(message("{\"enable\": tru}").startsWith("statsd settings must be a JSON object such as "));
    }

    @Test
    void aWrongTypeNamesTheKey() {
        assertEquals("statsd \"enable\" must be true or false, got the string \"yes\"",
                message("{\"enable\": \"yes\"}"));
        assertEquals("statsd \"port\" must be a whole number from 1 to 65535, got the string \"8125\"",
                message("{\"port\": \"8125\"}"));
        assertEquals("statsd \"port\" must be a whole number from 1 to 65535, got 8125.5", message("{\"port\": 8125.5}"));
        assertEquals("statsd \"port\" must be a whole number from 1 to 65535, got 70000", message("{\"port\": 70000}"));
        assertEquals("statsd \"host\" must be a string, got 127", message("{\"host\": 127}"));
        assertEquals("statsd \"jvm\" must be true or false, got 1", message("{\"jvm\": 1}"));
    }

    @Test
    void anUnknownKeyIsNamedWithTheKnownOnes() {
        assertEquals("statsd has no key \"namespace\"; the keys are enable, host, port, ns, tags, timer, gauge, jvm",
                message("{\"namespace\": \"bjoern\"}"));
    }

    @Test
    void namespaceAndTagsCannotBreakALine() {
        assertEquals("statsd \"ns\" must be dotted words of letters, digits, _ and -, such as \"bjoern\" or "
                + "\"web.bjoern\", got \"bjoern:1|c\"", message("{\"ns\": \"bjoern:1|c\"}"));
        assertEquals("statsd \"tags\" must be items such as \"app:x,zone:y\", separated by commas, without "
                + "spaces, | or #, got \"app:x|c\"", message("{\"tags\": \"app:x|c\"}"));
    }

    private static String message(String json) {
        return assertThrows(IllegalArgumentException.class, () -> Statsd.parse(json)).getMessage();
    }
}
