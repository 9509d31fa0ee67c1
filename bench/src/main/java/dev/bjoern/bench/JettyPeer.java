package dev.bjoern.bench;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A peer: Jetty 12's core server (no servlets) with a non-blocking handler. One connector on 127.0.0.1 with no
 * acceptor threads, so that its selectors accept, and as many selectors as loops: with one, a single thread
 * accepts, parses, runs the handler and writes, as ours does. Jetty runs a non-blocking handler on the selector
 * thread itself, so the pool's other threads (a spare or two) stay idle.
 */
final class JettyPeer {
    private JettyPeer() {
    }

    /**
     * Serves "/" and "/64k" on 127.0.0.1.
     *
     * @param selectors the connector's selector threads
     * @return the bound port
     */
    static int start(int port, int selectors) throws Exception {
        // Jetty leases each selector a pool thread and refuses to start when the pool cannot cover them with
        // room to spare; 8 more than the selectors is small next to its default of 200 and never the limit here.
        QueuedThreadPool threads = new QueuedThreadPool(selectors + 8, selectors + 1);
        threads.setName("jetty");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 0, selectors);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new Hello());
        server.start();
        return connector.getLocalPort();
    }

    /** Writes the whole body in one call, the last one, with Content-Length set first. */
    private static final class Hello extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            byte[] body = Request.getPathInContext(request).equals("/64k") ? BenchServer.BODY_64K : BenchServer.HELLO;
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain").put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
    }
}
