package dev.bjoern.undertow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.ChannelListener;
import org.xnio.channels.StreamSinkChannel;

/**
 * Writes a response body without ever blocking the IO thread and without holding more than one chunk:
 * the next chunk is pulled only when the previous one is fully written; when the socket is full the writer
 * parks until it drains. A file body goes out zero-copy from the file. The final flush happens in the same
 * turn as the last write, so the end of a chunked body never waits for another event.
 */
final class BodyWriter implements ChannelListener<StreamSinkChannel> {
    private static final int RETAINED_AT_MOST = 64 * 1024;

    private final Call call;
    private final StreamSinkChannel channel;
    /** Bytes the Content-Length still promises, or -1 when the body is not length-delimited. */
    private long unsent;
    /** The chunk pulled before the headers went out, until it is taken. */
    private byte[] first;
    private ByteBuffer current;
    private final FileChannel file;
    private long filePosition;
    private long fileRemaining;
    private boolean shutdown;
    private boolean parked;
    private boolean headersOut;
    /** The body's next chunk is not made yet: the call resumes the writer when it is. */
    private boolean waitingForBody;

    BodyWriter(Call call, StreamSinkChannel channel, long declaredLength, byte[] first, FileChannel file,
            long filePosition, long fileCount) {
        this.call = call;
        this.channel = channel;
        this.unsent = declaredLength < 0 ? -1 : declaredLength - fileCount;
        this.first = first;
        this.file = file;
        this.filePosition = filePosition;
        this.fileRemaining = fileCount;
    }

    @Override
    public void handleEvent(StreamSinkChannel channel) {
        run();
    }

    void run() {
        try {
            if (!shutdown) {
                if (!writeBody()) {
                    if (waitingForBody) {
                        waitingForBody = false;
                        if (parked) {
                            channel.suspendWrites();
                        }
                        call.waitForBody();
                    } else {
                        park();
                    }
                    return;
                }
                shutdown = true;
                channel.shutdownWrites();
            }
            if (!channel.flush()) {
                park();
                return;
            }
        } catch (IOException peerGone) {
            call.abort(null);
            return;
        } catch (Throwable appError) {
            call.abort(appError);
            return;
        }
        if (parked) {
            channel.suspendWrites();
        }
        call.finished();
    }

    /** @return true when the whole body is written, false when the socket is full */
    private boolean writeBody() throws IOException {
        while (true) {
            if (current != null) {
                if (!headersOut) {
                    // With the headers pending, Undertow writes them and a chunk too large for its buffer
                    // in one gathering write, and keeps the chunk referenced until the connection's next
                    // response: an idle connection would hold it. Past 64 KiB, the headers go out first.
                    if (current.remaining() > RETAINED_AT_MOST && !channel.flush()) {
                        return false;
                    }
                    headersOut = true;
                }
                while (current.hasRemaining()) {
                    if (channel.write(current) == 0) {
                        return false;
                    }
                }
                current = null;
            }
            byte[] next = first != null ? first : call.nextChunk();
            first = null;
            if (next == Call.NOT_READY) {
                waitingForBody = true;
                return false;
            } else if (next != null) {
                current = take(next);
            } else if (unsent > 0) {
                throw new IllegalStateException("the body ended " + unsent + " bytes short of its Content-Length");
            } else if (fileRemaining > 0) {
                return writeFile();
            } else {
                return true;
            }
        }
    }

    /** Checks a chunk against the Content-Length: the framing must never carry more than it promised. */
    private ByteBuffer take(byte[] chunk) {
        if (unsent >= 0 && (unsent -= chunk.length) < 0) {
            throw new IllegalStateException("the body is longer than its Content-Length");
        }
        return ByteBuffer.wrap(chunk);
    }

    private boolean writeFile() throws IOException {
        // Undertow's response conduit, while the headers are pending, fills its buffer from the file with a
        // plain read that ignores position and count: flush the headers first.
        if (!channel.flush()) {
            return false;
        }
        while (fileRemaining > 0) {
            long sent = channel.transferFrom(file, filePosition, fileRemaining);
            if (sent == 0) {
                if (filePosition >= file.size()) {
                    throw new IllegalStateException("the file body ended " + fileRemaining
                            + " bytes short of its Content-Length");
                }
                return false;
            }
            filePosition += sent;
            fileRemaining -= sent;
        }
        return true;
    }

    private void park() {
        // Each time: the send timeout counts from the last time the socket was full.
        call.waiting();
        if (!parked) {
            parked = true;
            channel.getWriteSetter().set(this);
        }
        channel.resumeWrites();
    }
}
