package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which inherited socket the command line serves, from --inetd and systemd's environment. */
class ActivationTest {
    private static final String OURS = Long.toString(ProcessHandle.current().pid());

    @Test
    void inetdServesFdZero() {
        assertEquals(0, Activation.fd(true, Map.of()));
        assertEquals(0, Activation.fd(true, Map.of("LISTEN_FDS", "1", "LISTEN_PID", OURS)));
    }

    @Test
    void withoutSystemdOrForAnotherProcessTheOptionsBind() {
        assertEquals(-1, Activation.fd(false, Map.of()));
        // Inherited from a parent that was activated: not ours (sd_listen_fds checks the same).
        long other = ProcessHandle.current().pid() + 1;
        assertEquals(-1, Activation.fd(false, Map.of("LISTEN_FDS", "1", "LISTEN_PID", Long.toString(other))));
        assertEquals(-1, Activation.fd(false, Map.of("LISTEN_FDS", "1")));
    }

    @Test
    void moreThanOneSocketIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Activation.fd(false, Map.of("LISTEN_FDS", "2", "LISTEN_PID", OURS)));
        assertEquals("socket activation: LISTEN_FDS must be 1 (bjoern serves one socket; give the socket unit one"
                + " Listen line), got \"2\"", refused.getMessage());
    }

    @Test
    void oneSocketIsFdThreeOnJdk22AndAWorkaroundBefore() {
        Map<String, String> systemd = Map.of("LISTEN_FDS", "1", "LISTEN_PID", OURS);
        int jdk = Runtime.version().feature();
        if (jdk >= 22) {
            assertEquals(3, Activation.fd(false, systemd));
        } else {
            String message = assertThrows(UnsupportedOperationException.class,
                    () -> Activation.fd(false, systemd)).getMessage();
            assertTrue(message.startsWith("socket activation passes the socket as fd 3, which needs JDK 22 or newer"
                    + " to adopt; this is JDK " + jdk), message);
            assertTrue(message.endsWith("--inetd APP 0<&3 3<&-"), message);
        }
    }
}
