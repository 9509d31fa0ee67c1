package dev.bjoern.servlet;

import dev.bjoern.WsgiApplication;
import dev.bjoern.server.ResponseCycle;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One call of a WSGI application inside a servlet container: the contract's response cycle
 * ({@link ResponseCycle}) driven onto the servlet response, each chunk and each write sent and flushed at once
 * (PEP 3333 forbids delaying a block), and the body closed exactly once.
 */
final class WsgiCall extends ResponseCycle {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final PrintStream errors;

    private List<Map.Entry<String, String>> headers;
    /** The status and headers were handed to the container. */
    private boolean headSent;
    private ServletOutputStream out;
    /** Writing to the client failed: the client went away, which is not the application's error. */
    private boolean clientGone;

    WsgiCall(HttpServletRequest request, HttpServletResponse response, PrintStream errors) {
        this.request = request;
        this.response = response;
        this.errors = errors;
    }

    void run(WsgiApplication app, Map<String, Object> environ) throws IOException, ServletException {
        try {
            take(app.call(environ, this), false);
            pullFirst();
            if (!headSent) {
                sendHead(declare());
            }
            for (byte[] chunk = next(); chunk != null; chunk = next()) {
                send(chunk);
            }
            complete();
        } catch (Throwable t) {
            try {
                fail(t);
            } finally {
                closeBody();
            }
            return;
        }
        closeBody();
    }

    @Override
    protected void head(int code, String status, List<Map.Entry<String, String>> headers, boolean again) {
        this.headers = new ArrayList<>(headers);
    }

    @Override
    protected boolean headRequest() {
        return request.getMethod().equals("HEAD");
    }

    @Override
    protected String request() {
        return request.getMethod() + " " + request.getRequestURI();
    }

    @Override
    protected PrintStream errors() {
        return errors;
    }

    /** The write callable's bytes go out at once; the first write sends the head, even an empty one. */
    @Override
    protected void written(byte[] data) throws IOException {
        if (!headSent) {
            sendHead(declare());
            if (data.length == 0) {
                flush();
            }
        }
        if (data.length > 0) {
            send(data);
        }
    }

    /**
     * Hands status and headers to the container. Servlet 6 has no way to set a reason phrase: the
     * container writes the standard one for the code. A response without a body and without a length (204,
     * 304, a HEAD whose GET would have none) is committed at once: left to complete empty, the container would
     * add {@code Content-Length: 0}.
     */
    private void sendHead(long declaredLength) throws IOException {
        headSent = true;
        response.setStatus(code());
        for (Map.Entry<String, String> header : headers) {
            response.addHeader(header.getKey(), header.getValue());
        }
        if (contentLength() < 0 && declaredLength >= 0) {
            response.setContentLengthLong(declaredLength);
        }
        if (bodyless() && declaredLength < 0) {
            flush();
        }
    }

    /** Sends one chunk now: unbuffered, as PEP 3333 asks of the write callable and of every block. */
    private void send(byte[] chunk) throws IOException {
        if (bodyless()) {
            return;
        }
        sent(chunk.length);
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

    /**
     * The application failed. Before the head went to the container the client gets an empty 500; after,
     * the head is sent if it is still buffered and the exception goes to the container, which then cuts the
     * response off (a chunked response loses its last chunk, a sized one ends short), so that the client never
     * mistakes it for a whole one nor gets the container's error page. A client gone away is not logged.
     */
    private void fail(Throwable t) throws IOException, ServletException {
        end();
        if (clientGone) {
            return;
        }
        log("error in application", t);
        if (!headSent) {
            response.reset();
            response.setStatus(500);
            response.setContentLength(0);
            return;
        }
        if (!response.isCommitted()) {
            flush();
        }
        throw new ServletException("the WSGI application failed after its response was committed; the response"
                + " is cut off", t);
    }
}
