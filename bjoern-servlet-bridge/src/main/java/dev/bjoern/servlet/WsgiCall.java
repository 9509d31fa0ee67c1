package dev.bjoern.servlet;

import dev.bjoern.FileBody;
import dev.bjoern.StartResponse;
import dev.bjoern.Write;
import dev.bjoern.WsgiApplication;
import dev.bjoern.server.ResponseRules;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One call of a WSGI application inside a servlet container: start_response and the write callable onto the
 * servlet response, the body sent chunk by chunk, each flushed (PEP 3333 forbids delaying a block), and the
 * body closed exactly once.
 */
final class WsgiCall implements StartResponse, Write {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final PrintStream errors;

    private String status;
    private int code;
    private List<Map.Entry<String, String>> headers;
    private long contentLength = -1;
    private boolean bodyless;
    /** The status and headers were handed to the container. */
    private boolean committed;
    private long sent;
    private ServletOutputStream out;
    /** Writing to the client failed: the client went away, which is not the application's error. */
    private boolean clientGone;
    private boolean ended;

    WsgiCall(HttpServletRequest request, HttpServletResponse response, PrintStream errors) {
        this.request = request;
        this.response = response;
        this.errors = errors;
    }

    void run(WsgiApplication app, Map<String, Object> environ) throws IOException, ServletException {
        Iterable<byte[]> body;
        try {
            body = app.call(environ, this);
            if (body == null) {
                throw new IllegalStateException("the application returned null instead of a body");
            }
        } catch (Throwable t) {
            // No body came back, so there is nothing to close (SPEC section 6).
            fail(t);
            return;
        }
        Iterator<byte[]> chunks = null;
        try {
            // A file's length is taken before the iterator reads from it and moves its position.
            long fileLength = fileLength(body);
            chunks = body.iterator();
            byte[] first = null;
            // Pull the first non-empty chunk before committing: a lazy body may call start_response from
            // inside its iterator. A bodyless response is pulled only as far as start_response needs.
            while (first == null && (status == null || !bodyless) && chunks.hasNext()) {
                first = chunk(chunks.next());
            }
            if (status == null) {
                throw new IllegalStateException("the application did not call start_response");
            }
            if (!committed) {
                commit(fileLength >= 0 ? fileLength : length(body));
            }
            if (first != null) {
                send(first);
            }
            while (!bodyless && chunks.hasNext()) {
                byte[] chunk = chunk(chunks.next());
                if (chunk != null) {
                    send(chunk);
                }
            }
            if (!bodyless && contentLength >= 0 && sent < contentLength) {
                throw new IllegalStateException("the body ended " + (contentLength - sent)
                        + " bytes short of its Content-Length");
            }
        } catch (Throwable t) {
            try {
                fail(t);
            } finally {
                close(body, chunks);
            }
            return;
        }
        close(body, chunks);
    }

    @Override
    public Write call(String status, List<Map.Entry<String, String>> headers, Throwable excInfo) throws Exception {
        if (excInfo != null) {
            if (committed) {
                if (excInfo instanceof Exception) {
                    throw (Exception) excInfo;
                }
                if (excInfo instanceof Error) {
                    throw (Error) excInfo;
                }
                throw new IllegalStateException(excInfo);
            }
        } else if (this.status != null) {
            throw new IllegalStateException("start_response was already called; a second call must pass excInfo");
        }
        int code = ResponseRules.status(status);
        long length = ResponseRules.headers(headers);
        // Everything is checked before anything is applied: a refused call changes nothing.
        this.headers = new ArrayList<>(headers);
        this.code = code;
        this.contentLength = length;
        this.bodyless = request.getMethod().equals("HEAD") || code == 204 || code == 304;
        this.status = status;
        return this;
    }

    @Override
    public void write(byte[] data) throws IOException {
        if (status == null) {
            throw new IllegalStateException("write was called before start_response");
        }
        if (ended) {
            throw new IOException("the response has already ended");
        }
        if (data == null) {
            throw new IllegalArgumentException("write takes bytes, got null");
        }
        if (!committed) {
            commit(-1);
            if (data.length == 0) {
                flush(); // the first write commits the headers, even an empty one
            }
        }
        if (data.length > 0) {
            send(data);
        }
    }

    /**
     * Hands status and headers to the container. Servlet 6 has no way to set a reason phrase: the
     * container writes the standard one for the code.
     */
    private void commit(long knownLength) {
        committed = true;
        response.setStatus(code);
        for (Map.Entry<String, String> header : headers) {
            response.addHeader(header.getKey(), header.getValue());
        }
        if (contentLength < 0 && knownLength >= 0 && code != 204 && code != 304) {
            response.setContentLengthLong(knownLength);
        }
    }

    /** Sends one chunk now: unbuffered, as PEP 3333 asks of the write callable and of every block. */
    private void send(byte[] chunk) throws IOException {
        if (bodyless) {
            return;
        }
        if (contentLength >= 0 && sent + chunk.length > contentLength) {
            throw new IllegalStateException("the body is longer than its Content-Length");
        }
        sent += chunk.length;
        try {
            if (out == null) {
                out = response.getOutputStream();
            }
            out.write(chunk);
            out.flush();
        } catch (IOException e) {
            clientGone = true;
            throw e;
        }
    }

    private void flush() throws IOException {
        try {
            response.flushBuffer();
        } catch (IOException e) {
            clientGone = true;
            throw e;
        }
    }

    private static byte[] chunk(byte[] chunk) {
        if (chunk == null) {
            throw new IllegalStateException("the application's body yielded null instead of bytes");
        }
        return chunk.length == 0 ? null : chunk;
    }

    /** The length of a collection body, else -1: a lazy body is not pulled for it. */
    private static long length(Iterable<byte[]> body) {
        if (body instanceof Collection) {
            long length = 0;
            for (byte[] chunk : body) {
                if (chunk == null) {
                    throw new IllegalStateException("the application's body holds null instead of bytes");
                }
                length += chunk.length;
            }
            return length;
        }
        return -1;
    }

    /** What is left of a file-backed {@link FileBody} from its position, else -1. */
    private static long fileLength(Iterable<byte[]> body) throws IOException {
        if (body instanceof FileBody) {
            FileChannel file = ((FileBody) body).fileChannel();
            if (file != null) {
                return file.size() - file.position();
            }
        }
        return -1;
    }

    /**
     * The application failed. Before commit the client gets an empty 500; after, the exception goes to the
     * container, which then cuts the response off (a chunked response loses its last chunk, a sized one ends
     * short), so that the client never mistakes it for a whole one. A client gone away is not logged.
     */
    private void fail(Throwable t) throws IOException, ServletException {
        ended = true;
        if (clientGone) {
            return;
        }
        errors.println("bjoern: error in application for " + request.getMethod() + " " + request.getRequestURI());
        t.printStackTrace(errors);
        if (!committed && !response.isCommitted()) {
            response.reset();
            response.setStatus(500);
            response.setContentLength(0);
            return;
        }
        throw new ServletException("the WSGI application failed after its response was committed; the response"
                + " is cut off", t);
    }

    /** PEP 3333's close(): the body's, else its iterator's; once, and an error in it only logged. */
    private void close(Iterable<byte[]> body, Iterator<byte[]> chunks) {
        ended = true;
        AutoCloseable closeable = body instanceof AutoCloseable ? (AutoCloseable) body
                : chunks instanceof AutoCloseable ? (AutoCloseable) chunks : null;
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Throwable t) {
                errors.println("bjoern: error closing the application's body for " + request.getMethod() + " "
                        + request.getRequestURI());
                t.printStackTrace(errors);
            }
        }
    }
}
