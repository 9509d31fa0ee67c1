package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which inherited sockets the command line serves, from --inetd and systemd's environment. */
class ActivationTest {
    private static final String OURS = Long.toString(ProcessHandle.current().pid());

    @Test
    void inetdServesFdZero() {
        assertArrayEquals(new int[] {0}, Activation.fds(true, Map.of()));
        assertArrayEquals(new int[] {0}, Activation.fds(true, Map.of("LISTEN_FDS", "2", "LISTEN_PID", OURS)));
    }

    @Test
    void withoutSystemdOrForAnotherProcessTheOptionsBind() {
        assertArrayEquals(new int[0], Activation.fds(false, Map.of()));
        // Inherited from a parent that was activated: not ours (sd_listen_fds checks the same).
        long other = ProcessHandle.current().pid() + 1;
        assertArrayEquals(new int[0],
                Activation.fds(false, Map.of("LISTEN_FDS", "1", "LISTEN_PID", Long.toString(other))));
        assertArrayEquals(new int[0], Activation.fds(false, Map.of("LISTEN_FDS", "1")));
    }

    @Test
    void aCountThatIsNoNumberOfSocketsIsRefused() {
        assertArrayEquals(new int[0], Activation.fds(false, Map.of("LISTEN_FDS", "0", "LISTEN_PID", OURS)),
                "none passed, as sd_listen_fds(3) reads it");
        for (String bad : new String[] {"-1", "two", "", "01", "1025", "99999999999"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> Activation.fds(false, Map.of("LISTEN_FDS", bad, "LISTEN_PID", OURS)));
            assertEquals("socket activation: LISTEN_FDS must be the number of sockets passed, from 0 to 1024, got \""
                    + bad + "\"", refused.getMessage());
        }
    }

    @Test
    void socketsAreFdsFromThreeOnJdk22AndAWorkaroundBefore() {
        Map<String, String> systemd = Map.of("LISTEN_FDS", "3", "LISTEN_PID", OURS);
        int jdk = Runtime.version().feature();
        if (jdk >= 22) {
            assertArrayEquals(new int[] {3, 4, 5}, Activation.fds(false, systemd));
            assertArrayEquals(new int[] {3}, Activation.fds(false, Map.of("LISTEN_FDS", "1", "LISTEN_PID", OURS)));
        } else {
            String message = assertThrows(UnsupportedOperationException.class,
                    () -> Activation.fds(false, systemd)).getMessage();
            assertTrue(message.startsWith("socket activation passes the socket as fd 3, which needs JDK 22 or newer"
                    + " to adopt; this is JDK " + jdk), message);
            assertTrue(message.endsWith("--inetd APP 0<&3 3<&-"), message);
        }
    }
}
