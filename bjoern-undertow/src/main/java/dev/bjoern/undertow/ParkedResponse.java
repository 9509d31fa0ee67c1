package dev.bjoern.undertow;

import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;

/**
 * The response parked on a connection, waiting for its socket, its body or its application: if the connection
 * is closed under it (by the server, or by a peer whose close no write noticed), its body must still be closed.
 * Made only when a response first parks on a connection, so that connections whose responses go out at
 * once carry nothing of ours.
 */
final class ParkedResponse implements ServerConnection.CloseListener {
    private static final AttachmentKey<ParkedResponse> KEY = AttachmentKey.create(ParkedResponse.class);

    private Response response;

    /** Remembers {@code response} as parked on {@code connection} until {@link #clear}. */
    static void park(ServerConnection connection, Response response) {
        ParkedResponse parked = connection.getAttachment(KEY);
        if (parked == null) {
            parked = new ParkedResponse();
            connection.putAttachment(KEY, parked);
            connection.addCloseListener(parked);
        }
        parked.response = response;
    }

    /** Forgets {@code response}, which has ended. */
    static void clear(ServerConnection connection, Response response) {
        ParkedResponse parked = connection.getAttachment(KEY);
        if (parked != null && parked.response == response) {
            parked.response = null;
        }
    }

    @Override
    public void closed(ServerConnection connection) {
        Response closed = response;
        if (closed != null) {
            response = null;
            closed.connectionClosed();
        }
    }
}
