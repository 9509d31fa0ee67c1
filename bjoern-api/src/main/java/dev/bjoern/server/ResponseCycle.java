package dev.bjoern.server;

import dev.bjoern.FileBody;
import dev.bjoern.PendingBody;
import dev.bjoern.StartResponse;
import dev.bjoern.Write;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * One response by the contract's rules (SPEC.md sections 4 to 8), with no network I/O in it: start_response and the
 * write callable checked, the body taken and pulled, the first chunk before the head, the Content-Length
 * declared and kept, and close() called exactly once. A server makes one per request and does the I/O around
 * it, in this order:
 *
 * <ol>
 *   <li>call the application with this as its start_response, and {@link #take} what it returned;
 *   <li>{@link #pullFirst} (false: a pending body has no chunk yet; try again when it calls back);
 *   <li>{@link #declare} the framing, and send the head ({@link #head} has been told the status and headers);
 *   <li>send each {@link #next} chunk, counting it with {@link #sent}, until null; then {@link #complete};
 *   <li>{@link #closeBody}, on success and on every failure alike.
 * </ol>
 *
 * Bytes from the write callable are held by default and come out of {@link #next} first, counted in the
 * length of a body that knows its own; a server that sends them at once overrides {@link #written}. For
 * servers, not for applications.
 */
public abstract class ResponseCycle implements StartResponse, Write {
    /** What {@link #next} answers when a pending body has no chunk yet; compared by identity. */
    public static final byte[] NOT_READY = new byte[0];

    private String status;
    private int code;
    private long contentLength = -1;
    private boolean bodyless;
    private boolean committed;
    private boolean ended;
    private boolean closed;

    private ArrayDeque<byte[]> written;
    private long writtenBytes;
    /** The first chunk, pulled before the head, until {@link #next} gives it. */
    private byte[] first;
    /** Bytes the declared Content-Length still promises, or -1 when the body is not length-delimited. */
    private long unsent = -1;

    private Iterable<byte[]> body;
    /** The body as an indexed list (the usual {@code List.of(bytes)}), walked without an iterator... */
    private List<byte[]> list;
    private int listIndex;
    /** ...or else its iterator. */
    private Iterator<byte[]> chunks;
    private PendingBody pending;
    /** The iterator a server put in place of the body's, which then closes the body itself. */
    private boolean replaced;
    private FileChannel file;
    private long fileLength;
    /**
     * The bytes of a file body the response carries, from {@link #declare}: what is left of the file, or what a
     * given Content-Length leaves for it after the written bytes. While an iterated file body is pulled, what is
     * still to come of them; -1 when it is not cut at a given Content-Length.
     */
    private long fileBytes = -1;
    private static final Module JDK = List.class.getModule();

    /** A new response, before start_response. */
    protected ResponseCycle() {
    }

    /**
     * The application's status and headers, checked: the server's to keep or apply.
     *
     * @param code the status code, from 200 to 599
     * @param status the whole status line, like {@code "200 OK"}
     * @param headers the headers, each name a token and each value text (copy them to keep them); a 204's or
     *     304's without the application's Content-Length
     * @param again a call with exc_info replaces an earlier status and headers, not yet sent
     */
    protected abstract void head(int code, String status, List<Map.Entry<String, String>> headers, boolean again);

    /** @return the request's method is HEAD: the response has no body */
    protected abstract boolean headRequest();

    /** The request, for a log line: its method and path, without the query, like {@code "GET /items"}. */
    protected abstract String request();

    /** @return where application errors and failures to close are logged: {@code wsgi.errors} */
    protected abstract PrintStream errors();

    @Override
    public final Write call(String status, List<Map.Entry<String, String>> headers, Throwable excInfo)
            throws Exception {
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
        // Everything is checked before anything is applied: a refused call changes nothing.
        int code = ResponseRules.status(status);
        long length = ResponseRules.headers(headers);
        // 204 and 304 carry no length, not even the application's (SPEC.md 6): no server is handed one.
        head(code, status, length >= 0 && (code == 204 || code == 304) ? withoutLength(headers) : headers,
                this.status != null);
        this.code = code;
        contentLength = length;
        bodyless = code == 204 || code == 304 || headRequest();
        this.status = status;
        return this;
    }

    private static List<Map.Entry<String, String>> withoutLength(List<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, String>> kept = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> header : headers) {
            if (!header.getKey().equalsIgnoreCase("Content-Length")) {
                kept.add(header);
            }
        }
        return kept;
    }

    @Override
    public final void write(byte[] data) throws IOException {
        if (status == null) {
            throw new IllegalStateException("write was called before start_response");
        }
        if (ended) {
            throw new IOException("the response has already ended");
        }
        if (data == null) {
            throw new IllegalArgumentException("write takes bytes, got null");
        }
        committed = true;
        written(data);
    }

    /**
     * Bytes from the write callable, after the checks. Held by default, to come out of {@link #next} first; a
     * server that sends them at once overrides this, {@link #declare}s on the first one and counts them.
     *
     * @param data the bytes, maybe empty
     * @throws IOException when sending them failed
     */
    protected void written(byte[] data) throws IOException {
        if (data.length > 0) {
            if (written == null) {
                written = new ArrayDeque<>();
            }
            written.add(data);
            writtenBytes += data.length;
        }
    }

    /**
     * Takes what the application returned.
     *
     * @param body the body
     * @param sendsFiles the server sends a {@link FileBody}'s channel itself ({@link #file}), without pulling
     *     its chunks
     * @throws IllegalStateException when the body is null
     * @throws IOException when a file body's channel cannot tell its size
     * @throws RuntimeException what the body's {@code iterator()} threw
     */
    protected final void take(Iterable<byte[]> body, boolean sendsFiles) throws IOException {
        if (body == null) {
            throw new IllegalStateException("the application returned null instead of a body");
        }
        this.body = body;
        if (body instanceof FileBody && ((FileBody) body).fileChannel() != null) {
            // Its length is taken before its iterator reads from it and moves its position.
            file = ((FileBody) body).fileChannel();
            // A channel positioned past its end has nothing left, not less than nothing.
            fileLength = Math.max(0, file.size() - file.position());
            if (unsent >= 0) {
                // Declared already, at a write sent at once: the file has what the Content-Length still promises.
                fileBytes = unsent;
            }
            if (sendsFiles) {
                return;
            }
        }
        if (body instanceof List && body instanceof RandomAccess && body.getClass().getModule() == JDK) {
            // The JDK's own lists (List.of, ArrayList...) are walked by index, without an iterator; a list of the
            // application's, whose iterator() may do more, is iterated.
            list = (List<byte[]>) body;
        } else {
            chunks = body.iterator();
            pending = pending(chunks);
        }
    }

    /**
     * What a pending body (SPEC.md section 6) calls when its next chunk is ready. By default null: this
     * server does not park, and pulls a pending body as any other, its {@code hasNext()} blocking.
     */
    protected Runnable onReady() {
        return null;
    }

    /** The iterator as a pending body, when it is one and this server parks; else null. */
    private PendingBody pending(Iterator<byte[]> chunks) {
        return chunks instanceof PendingBody && onReady() != null ? (PendingBody) chunks : null;
    }

    /**
     * Puts another iterator in place of the body's, such as one that pulls it on other threads; it then closes
     * the body itself, and {@link #closeBody} closes it instead.
     */
    protected final <T extends Iterator<byte[]> & AutoCloseable> void pullThrough(T chunks) {
        this.chunks = chunks;
        list = null;
        pending = pending(chunks);
        replaced = true;
    }

    /**
     * Pulls the first non-empty chunk before the head goes out: a lazy body may call start_response from
     * inside its iterator. A response without a body is not pulled further than start_response needs.
     *
     * @return false when a pending body has no chunk yet: call again once it called {@link #onReady}
     * @throws RuntimeException what the application's iterator threw
     */
    protected final boolean pullFirst() {
        while (first == null && (status == null || !bodyless)) {
            if (pending != null && !pending.ready(onReady())) {
                return false;
            }
            if (!hasMore()) {
                break;
            }
            first = chunk(pull());
        }
        return true;
    }

    /**
     * Fixes the framing, once the first chunk is pulled: from now on an exc_info is rethrown.
     *
     * @return the Content-Length the response declares: the application's, else the body's own when it is a
     *     collection or a file (with the bytes written before), else -1; always -1 for 204 and 304, which carry
     *     none (the server drops any the application gave); for HEAD, the length a GET would have
     * @throws IllegalStateException when the application did not call start_response, or its body holds null
     */
    protected final long declare() {
        if (status == null) {
            throw new IllegalStateException("the application did not call start_response");
        }
        // A collection is walked for its length even when no length is sent: a null in it is an error all the same.
        long known = knownLength();
        committed = true;
        if (code == 204 || code == 304) {
            dropBody();
            return -1;
        }
        long length = contentLength >= 0 ? contentLength : known;
        if (bodyless) {
            dropBody();
            return length;
        }
        unsent = length;
        if (file != null) {
            fileBytes = contentLength >= 0 ? Math.max(0, contentLength - writtenBytes) : fileLength;
            if (first != null) {
                first = cut(first);
                first = first.length == 0 ? null : first;
            }
        }
        if (first != null && written != null && !written.isEmpty()) {
            written.add(first);
            first = null;
        }
        return length;
    }

    private void dropBody() {
        written = null;
        first = null;
        file = null;
    }

    private long knownLength() {
        if (file != null) {
            return writtenBytes + fileLength;
        }
        if (!(body instanceof Collection)) {
            return -1;
        }
        long length = writtenBytes;
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                length += length(list.get(i));
            }
        } else {
            for (byte[] chunk : body) {
                length += length(chunk);
            }
        }
        return length;
    }

    private static int length(byte[] chunk) {
        if (chunk == null) {
            throw new IllegalStateException("the application's body holds null instead of bytes");
        }
        return chunk.length;
    }

    /**
     * The next bytes to send, in order: those of the write callable first, then the body's, empty chunks
     * skipped.
     *
     * @return the bytes, or null at the end of the body (at once for a bodyless response), or
     *     {@link #NOT_READY} when a pending body has no chunk yet (call again once it called back)
     * @throws RuntimeException what the application's iterator threw
     */
    protected final byte[] next() {
        if (bodyless) {
            return null;
        }
        if (first != null) {
            byte[] chunk = first;
            first = null;
            return chunk;
        }
        while (written == null || written.isEmpty()) {
            if (pending != null && !pending.ready(onReady())) {
                return NOT_READY;
            }
            if (!hasMore()) {
                // The iterator may have written on its way to the end.
                return written == null ? null : written.poll();
            }
            byte[] chunk = chunk(pull());
            if (chunk != null) {
                if (written == null || written.isEmpty()) {
                    return chunk;
                }
                written.add(chunk);
            }
        }
        return written.poll();
    }

    private boolean hasMore() {
        return list != null ? listIndex < list.size() : chunks != null && fileBytes != 0 && chunks.hasNext();
    }

    private byte[] pull() {
        byte[] chunk = list != null ? list.get(listIndex++) : chunks.next();
        return fileBytes > 0 && chunk != null ? cut(chunk) : chunk;
    }

    /**
     * A chunk of an iterated file body under a given Content-Length, cut at it (SPEC.md 7: the response carries
     * that many bytes of the file); a copy only for the chunk that crosses it.
     */
    private byte[] cut(byte[] chunk) {
        if (chunk.length > fileBytes) {
            chunk = Arrays.copyOf(chunk, (int) fileBytes);
        }
        fileBytes -= chunk.length;
        return chunk;
    }

    private static byte[] chunk(byte[] chunk) {
        if (chunk == null) {
            throw new IllegalStateException("the application's body yielded null instead of bytes");
        }
        return chunk.length == 0 ? null : chunk;
    }

    /**
     * Counts bytes about to be sent against the declared Content-Length: the framing never carries more than
     * it promised.
     *
     * @throws IllegalStateException when they overrun it
     */
    protected final void sent(long bytes) {
        if (unsent >= 0) {
            if (bytes > unsent) {
                // Left as it was: a server that goes on (the bridge, after a write the application caught)
                // still holds every later byte to the length.
                throw new IllegalStateException("the body is longer than its Content-Length");
            }
            unsent -= bytes;
        }
    }

    /**
     * The body ended: checks it gave all its Content-Length promised.
     *
     * @throws IllegalStateException when it fell short
     */
    protected final void complete() {
        if (unsent > 0) {
            throw new IllegalStateException("the body ended " + unsent + " bytes short of its Content-Length");
        }
    }

    /** Ends the response: the write callable refuses from now on. @return false when it had already ended */
    protected final boolean end() {
        if (ended) {
            return false;
        }
        ended = true;
        return true;
    }

    /**
     * Calls PEP 3333's close() once, whatever called it first (success, an application error, a connection
     * gone), and ends the response; what close() throws is logged, not rethrown.
     */
    protected final void closeBody() {
        ended = true;
        if (closed) {
            return;
        }
        closed = true;
        AutoCloseable closeable = replaced ? (AutoCloseable) chunks : closeable(body, chunks);
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Throwable t) {
                log("error closing the application's body", t);
            }
        }
    }

    /**
     * What PEP 3333's close() closes: the body if it is closeable, else its iterator if that is.
     *
     * @return it, or null
     */
    public static AutoCloseable closeable(Iterable<byte[]> body, Iterator<byte[]> chunks) {
        return body instanceof AutoCloseable ? (AutoCloseable) body
                : chunks instanceof AutoCloseable ? (AutoCloseable) chunks : null;
    }

    /** Logs an application's failure: {@code bjoern: <what> for <request>}, and the trace. */
    protected final void log(String what, Throwable t) {
        PrintStream errors = errors();
        errors.println("bjoern: " + what + " for " + request());
        t.printStackTrace(errors);
    }

    /** @return the status line start_response gave, or null before it was called */
    protected final String status() {
        return status;
    }

    /** @return the status code, or 0 before start_response */
    protected final int code() {
        return code;
    }

    /** @return the application's own Content-Length, or -1 */
    protected final long contentLength() {
        return contentLength;
    }

    /** @return the response has no body: HEAD, 204 or 304 */
    protected final boolean bodyless() {
        return bodyless;
    }

    /** @return the head went out, or the write callable promised it will: exc_info is rethrown */
    protected final boolean committed() {
        return committed;
    }

    /** @return the response ended, or its body was closed */
    protected final boolean ended() {
        return ended;
    }

    /** @return the body as returned, or null before {@link #take} */
    protected final Iterable<byte[]> body() {
        return body;
    }

    /**
     * @return the body's iterator (or what {@link #pullThrough} put in its place), or null for a list of the
     *     JDK's, walked by index, or a file the server sends itself
     */
    protected final Iterator<byte[]> iterator() {
        return chunks;
    }

    /** @return a {@link FileBody}'s channel, or null (also once {@link #declare} dropped a bodyless one) */
    protected final FileChannel file() {
        return file;
    }

    /**
     * @return for a file body, the bytes of the file the response carries once {@link #declare}d and not sent
     *     yet: what is left of it from its position when the body was taken, or what a given Content-Length
     *     leaves for it after the written bytes (a file that holds fewer is an error the server reports); 0
     *     without a file
     */
    protected final long fileBytes() {
        return file == null ? 0 : fileBytes;
    }

    /**
     * For a server that sends a file body itself: {@code bytes} of it went out, which {@link #fileBytes} no longer
     * counts.
     */
    protected final void fileSent(long bytes) {
        fileBytes -= bytes;
    }
}
