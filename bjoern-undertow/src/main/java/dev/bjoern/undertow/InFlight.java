package dev.bjoern.undertow;

import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;

/**
 * The response parked on a connection, waiting for the socket to drain: if the connection is closed
 * under it (by the server, or by a peer whose close no write noticed), its body must still be closed.
 * Made only when a response first parks on a connection, so that connections whose responses go out at
 * once carry nothing of ours.
 */
final class InFlight implements ServerConnection.CloseListener {
    private static final AttachmentKey<InFlight> KEY = AttachmentKey.create(InFlight.class);

    private Call call;

    /** Remembers {@code call} as parked on {@code connection} until {@link #clear}. */
    static void park(ServerConnection connection, Call call) {
        InFlight inFlight = connection.getAttachment(KEY);
        if (inFlight == null) {
            inFlight = new InFlight();
            connection.putAttachment(KEY, inFlight);
            connection.addCloseListener(inFlight);
        }
        inFlight.call = call;
    }

    /** Forgets {@code call}, which has ended. */
    static void clear(ServerConnection connection, Call call) {
        InFlight inFlight = connection.getAttachment(KEY);
        if (inFlight != null && inFlight.call == call) {
            inFlight.call = null;
        }
    }

    @Override
    public void closed(ServerConnection connection) {
        Call parked = call;
        if (parked != null) {
            call = null;
            parked.connectionClosed();
        }
    }
}
