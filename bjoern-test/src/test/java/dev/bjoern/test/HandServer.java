package dev.bjoern.test;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;

import dev.bjoern.Environ;
import dev.bjoern.FileWrapper;
import dev.bjoern.PendingBody;
import dev.bjoern.StartResponse;
import dev.bjoern.Write;
import dev.bjoern.WsgiApplication;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Plays a server of the contract by hand, without a socket: a hand-built environ, a start_response that keeps
 * what it is given, and {@link #run}, which calls the application, pulls its whole body as SPEC 6 says (asking a
 * pending body first) and closes it. It checks nothing: the Validator does.
 */
final class HandServer implements StartResponse, Write {
    final Log errors = new Log();
    final Map<String, Object> environ;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    String status;
    List<Map.Entry<String, String>> headers;
    private boolean committed;

    HandServer(String method, String path) {
        environ = environ(method, path, errors);
    }

    /** What a server puts in environ for {@code method path} from 127.0.0.1:50000 to 127.0.0.1:8000. */
    static Map<String, Object> environ(String method, String path, Log errors) {
        Map<String, Object> environ = new HashMap<>();
        environ.put(Environ.REQUEST_METHOD, method);
        environ.put(Environ.SCRIPT_NAME, "");
        environ.put(Environ.PATH_INFO, path);
        environ.put(Environ.QUERY_STRING, "");
        environ.put(Environ.SERVER_NAME, "127.0.0.1");
        environ.put(Environ.SERVER_PORT, "8000");
        environ.put(Environ.SERVER_PROTOCOL, "HTTP/1.1");
        environ.put(Environ.SERVER_SOFTWARE, "hand/1");
        environ.put(Environ.REMOTE_ADDR, "127.0.0.1");
        environ.put(Environ.REMOTE_PORT, "50000");
        environ.put(Environ.REQUEST_URI, path);
        environ.put("HTTP_HOST", "127.0.0.1:8000");
        environ.put(Environ.WSGI_VERSION, Environ.VERSION);
        environ.put(Environ.WSGI_URL_SCHEME, "http");
        environ.put(Environ.WSGI_INPUT, new ByteArrayInputStream(new byte[0]));
        environ.put(Environ.WSGI_ERRORS, errors.stream);
        environ.put(Environ.WSGI_MULTITHREAD, false);
        environ.put(Environ.WSGI_MULTIPROCESS, false);
        environ.put(Environ.WSGI_RUN_ONCE, false);
        environ.put(Environ.WSGI_INPUT_TERMINATED, true);
        environ.put(Environ.WSGI_FILE_WRAPPER, FileWrapper.DEFAULT);
        return environ;
    }

    @Override
    public Write call(String status, List<Map.Entry<String, String>> headers, Throwable excInfo) throws Exception {
        if (excInfo != null && committed) {
            if (excInfo instanceof Exception) {
                throw (Exception) excInfo;
            }
            if (excInfo instanceof Error) {
                throw (Error) excInfo;
            }
            throw new IllegalStateException(excInfo);
        }
        if (excInfo == null && this.status != null) {
            throw new IllegalStateException("start_response was already called; a second call must pass excInfo");
        }
        this.status = status;
        this.headers = headers;
        return this;
    }

    @Override
    public void write(byte[] data) {
        committed = true;
        body.writeBytes(data);
    }

    /** Serves one request: calls {@code app}, pulls and closes its body; returns the body's bytes as text. */
    String run(WsgiApplication app) throws Exception {
        Iterable<byte[]> response = app.call(environ, this);
        Iterator<byte[]> chunks = null;
        try {
            chunks = response.iterator();
            while (ready(chunks) && chunks.hasNext()) {
                byte[] chunk = chunks.next();
                committed |= chunk.length > 0;
                body.writeBytes(chunk);
            }
        } finally {
            AutoCloseable closeable = response instanceof AutoCloseable ? (AutoCloseable) response
                    : chunks instanceof AutoCloseable ? (AutoCloseable) chunks : null;
            if (closeable != null) {
                closeable.close();
            }
        }
        return body.toString(ISO_8859_1);
    }

    /** Asks a pending body whether it can be pulled, and waits for its onReady if not. */
    private static boolean ready(Iterator<byte[]> chunks) throws InterruptedException {
        if (chunks instanceof PendingBody) {
            CountDownLatch onReady = new CountDownLatch(1);
            if (!((PendingBody) chunks).ready(onReady::countDown) && !onReady.await(20, SECONDS)) {
                throw new AssertionError("the pending body never ran onReady");
            }
        }
        return true;
    }
}
