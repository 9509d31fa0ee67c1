package dev.bjoern.undertow;

import java.util.Map;

/**
 * Which inherited socket the command line serves, if any: fd 0 with {@code --inetd}; fd 3 under systemd
 * socket activation ({@code LISTEN_FDS=1} and {@code LISTEN_PID} this process, as sd_listen_fds(3)
 * checks); none otherwise.
 */
final class Activation {
    /** systemd's SD_LISTEN_FDS_START: the first passed socket. */
    static final int FIRST_FD = 3;

    private Activation() {
    }

    /**
     * @return the fd to serve, or -1 to bind as the options say
     * @throws IllegalArgumentException if systemd passed more than one socket
     * @throws UnsupportedOperationException for socket activation on a JDK before 22, with the workaround
     */
    static int fd(boolean inetd, Map<String, String> environment) {
        if (inetd) {
            return 0;
        }
        String fds = environment.get("LISTEN_FDS");
        String pid = environment.get("LISTEN_PID");
        if (fds == null || !Long.toString(ProcessHandle.current().pid()).equals(pid)) {
            return -1;
        }
        if (!fds.equals("1")) {
            throw new IllegalArgumentException("socket activation: LISTEN_FDS must be 1 (bjoern serves one socket;"
                    + " give the socket unit one Listen line), got \"" + fds + "\"");
        }
        int feature = Runtime.version().feature();
        if (feature < NativeSockets.JDK_NEEDED) {
            throw new UnsupportedOperationException("socket activation passes the socket as fd " + FIRST_FD
                    + ", which needs JDK " + NativeSockets.JDK_NEEDED + " or newer to adopt; this is JDK " + feature
                    + ". On JDK " + feature + ", move it to fd 0 and serve it with --inetd:"
                    + " exec java ... dev.bjoern.undertow.Main --inetd APP 0<&3 3<&-");
        }
        return FIRST_FD;
    }
}
