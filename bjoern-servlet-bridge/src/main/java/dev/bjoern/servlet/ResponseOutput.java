package dev.bjoern.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.Arrays;

/**
 * The response's buffer: bytes stay here until it overflows or is flushed, and the first of those commits
 * the response (start_response is called once, with what the servlet set by then). After the commit each
 * full buffer is handed to the {@link ResponsePipe} and a new one begun, so the servlet may reuse its own
 * arrays. A HEAD response counts what is written (for its Content-Length) and sends none of it.
 */
final class ResponseOutput extends ServletOutputStream {
    private final BridgeResponse response;
    private final ResponsePipe pipe;
    private final boolean head;
    private byte[] buffer;
    private int count;
    private boolean anyWritten;
    /** After sendError, sendRedirect or the end of the response: writes are dropped, as the spec allows. */
    private boolean ignoring;

    ResponseOutput(BridgeResponse response, ResponsePipe pipe, int bufferSize, boolean head) {
        this.response = response;
        this.pipe = pipe;
        this.head = head;
        this.buffer = new byte[bufferSize];
    }

    @Override
    public void write(int b) throws IOException {
        if (ignoring) {
            return;
        }
        anyWritten = true;
        if (count == buffer.length) {
            flushBuffered();
        }
        buffer[count++] = (byte) b;
        if (count == buffer.length) {
            flushBuffered();
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        if (ignoring || length == 0) {
            return;
        }
        anyWritten = true;
        if (count == 0 && length >= buffer.length) {
            // Larger than the buffer: straight through (copied, since the caller may reuse its array).
            response.commit();
            if (!head) {
                pipe.send(Arrays.copyOfRange(bytes, offset, offset + length));
            }
            return;
        }
        while (length > 0) {
            int n = Math.min(length, buffer.length - count);
            System.arraycopy(bytes, offset, buffer, count, n);
            count += n;
            offset += n;
            length -= n;
            if (count == buffer.length) {
                flushBuffered();
            }
        }
    }

    /** ServletOutputStream.flush commits the response, as flushBuffer does. */
    @Override
    public void flush() throws IOException {
        if (!ignoring) {
            flushBuffered();
        }
    }

    /**
     * Closing the stream ends the servlet's writing (the response itself ends when service() returns). As in
     * Tomcat, a body that is still all in the buffer gets its Content-Length now: Jersey closes the stream.
     */
    @Override
    public void close() throws IOException {
        if (!ignoring) {
            response.lengthIfUncommitted(count);
            flushBuffered();
            ignoring = true;
        }
    }

    /** Commits and hands what is buffered to the server. */
    void flushBuffered() throws IOException {
        response.commit();
        byte[] taken = takeBuffered();
        if (taken != null) {
            pipe.send(taken);
        }
    }

    /** What is buffered, for the server (null when nothing is, or for HEAD); the buffer is then empty. */
    byte[] takeBuffered() {
        byte[] taken = count == 0 || head ? null : count == buffer.length ? buffer : Arrays.copyOf(buffer, count);
        if (taken == buffer) {
            buffer = new byte[buffer.length];
        }
        count = 0;
        return taken;
    }

    /** Bytes buffered and not yet sent. */
    int buffered() {
        return count;
    }

    boolean anyWritten() {
        return anyWritten;
    }

    void resetBuffer() {
        count = 0;
    }

    void resetAll() {
        count = 0;
        anyWritten = false;
        ignoring = false;
    }

    void ignoreFurtherWrites() {
        ignoring = true;
    }

    int bufferSize() {
        return buffer.length;
    }

    void bufferSize(int size) {
        if (size > buffer.length) {
            buffer = Arrays.copyOf(buffer, size);
        }
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
        throw Unsupported.feature("ServletOutputStream.setWriteListener (non-blocking output)",
                "write as usual: the servlet has a thread of its own, never the server's");
    }
}
