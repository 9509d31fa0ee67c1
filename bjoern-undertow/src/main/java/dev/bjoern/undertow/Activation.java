package dev.bjoern.undertow;

import java.util.Map;

/**
 * Which inherited sockets the command line serves, if any: fd 0 with {@code --inetd}; fds 3, 4... under systemd
 * socket activation ({@code LISTEN_FDS} of them, when {@code LISTEN_PID} is this process, as sd_listen_fds(3)
 * checks); none otherwise.
 */
final class Activation {
    /** systemd's SD_LISTEN_FDS_START: the first passed socket. */
    static final int FIRST_FD = 3;
    /** More sockets than a unit would ever pass, so that a runaway value is an error, not a loop. */
    private static final int MOST = 1024;

    private Activation() {
    }

    /**
     * @return the fds to serve, in order; none to bind as the options say
     * @throws IllegalArgumentException if LISTEN_FDS is not a count of sockets
     * @throws UnsupportedOperationException for socket activation on a JDK before 22, with the workaround
     */
    static int[] fds(boolean inetd, Map<String, String> environment) {
        if (inetd) {
            return new int[] {0};
        }
        String fds = environment.get("LISTEN_FDS");
        String pid = environment.get("LISTEN_PID");
        if (fds == null || !Long.toString(ProcessHandle.current().pid()).equals(pid)) {
            return new int[0];
        }
        if (fds.equals("0")) {
            // sd_listen_fds(3): no sockets passed; bind as the options say.
            return new int[0];
        }
        if (!fds.matches("[1-9][0-9]{0,3}") || Integer.parseInt(fds) > MOST) {
            throw new IllegalArgumentException("socket activation: LISTEN_FDS must be the number of sockets passed,"
                    + " from 0 to " + MOST + ", got \"" + fds + "\"");
        }
        int feature = Runtime.version().feature();
        if (feature < NativeSockets.JDK_NEEDED) {
            throw new UnsupportedOperationException("socket activation passes the socket as fd " + FIRST_FD
                    + ", which needs JDK " + NativeSockets.JDK_NEEDED + " or newer to adopt; this is JDK " + feature
                    + ". On JDK " + feature + ", move it to fd 0 and serve it with --inetd:"
                    + " exec java ... dev.bjoern.undertow.Main --inetd APP 0<&3 3<&-");
        }
        int[] passed = new int[Integer.parseInt(fds)];
        for (int i = 0; i < passed.length; i++) {
            passed[i] = FIRST_FD + i;
        }
        return passed;
    }
}
