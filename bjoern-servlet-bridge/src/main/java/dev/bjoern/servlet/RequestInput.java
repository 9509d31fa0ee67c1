package dev.bjoern.servlet;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.io.InputStream;

/** wsgi.input as the servlet's input stream. The server has read the whole body before the call. */
final class RequestInput extends ServletInputStream {
    private final InputStream input;
    private boolean finished;

    RequestInput(InputStream input) {
        this.input = input;
    }

    @Override
    public int read() throws IOException {
        int b = input.read();
        finished |= b < 0;
        return b;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        int n = input.read(bytes, offset, length);
        finished |= n < 0;
        return n;
    }

    @Override
    public int available() throws IOException {
        return input.available();
    }

    @Override
    public boolean isFinished() {
        return finished;
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void setReadListener(ReadListener readListener) {
        throw Unsupported.feature("ServletInputStream.setReadListener (non-blocking input)",
                "read the stream as usual: the body is in memory already and reading never waits");
    }
}
